"""The contact sheet: layout of its rows and the PNG it writes."""
import cv2
import numpy as np

from mmpose_mlehand.synthetic import make_contact_sheet
from mmpose_mlehand.synthetic.contact_sheet import _HEADER


def test_sheet_rows_and_png(tmp_path):
    path = str(tmp_path / 'sheet.png')
    sheet = make_contact_sheet(path, seed=2, grid=2, rhd_count=2, tile=64,
                               clean_count=4, photo_count=4)
    width = 2 * 64
    # Captions, the 2x2 full-style grid, the RHD row, the clean and photo rows.
    assert sheet.shape == (4 * _HEADER + 2 * 64 + width // 2 + 2 * (width // 4), width, 3)
    written = cv2.imread(path)[..., ::-1]
    assert np.array_equal(written, sheet)
    without = make_contact_sheet(path, seed=2, grid=2, rhd_count=2, tile=64,
                                 clean_count=0, photo_count=0)
    assert without.shape[0] == sheet.shape[0] - 2 * (_HEADER + width // 4)

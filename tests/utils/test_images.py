import cv2
import numpy as np
import pytest

from mmpose_mlehand.utils import read_bgr


def test_read_bgr_gives_the_stored_pixels_in_bgr_order(tmp_path):
    image = np.zeros((5, 7, 3), np.uint8)
    image[..., 2] = 200            # red, in BGR order
    image[1, 3] = (10, 20, 30)
    path = str(tmp_path / 'red.png')
    cv2.imwrite(path, image)
    read = read_bgr(path)
    assert read.dtype == np.uint8 and read.shape == (5, 7, 3)
    np.testing.assert_array_equal(read, image)


def test_read_bgr_makes_gray_and_rgba_files_three_channels(tmp_path):
    gray = str(tmp_path / 'gray.png')
    cv2.imwrite(gray, np.full((4, 4), 77, np.uint8))
    assert (read_bgr(gray) == 77).all() and read_bgr(gray).shape == (4, 4, 3)
    rgba = str(tmp_path / 'rgba.png')
    cv2.imwrite(rgba, np.full((4, 4, 4), 50, np.uint8))
    assert read_bgr(rgba).shape == (4, 4, 3)


def test_read_bgr_names_a_missing_or_damaged_file(tmp_path):
    with pytest.raises(ValueError, match=r'nothing\.png: missing or unreadable scene image'):
        read_bgr(str(tmp_path / 'nothing.png'), 'scene image')
    damaged = tmp_path / 'damaged.jpg'
    damaged.write_bytes(b'\xff\xd8 not a jpeg')
    with pytest.raises(ValueError, match=r'damaged\.jpg: missing or unreadable image'):
        read_bgr(str(damaged))

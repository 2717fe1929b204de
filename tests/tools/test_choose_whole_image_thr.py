"""tools/choose_whole_image_thr.py: the close-up figures by hand, and end to end on a
copy of the bundled model with a few dozen scenes (the written config is what the
inferencer reads)."""
import json
import os.path as osp
import shutil
import sys

import numpy as np
import pytest
from mmengine.config import Config

TOOLS = osp.join(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))), 'tools')
sys.path.insert(0, TOOLS)

import choose_whole_image_thr as tool  # noqa: E402

from mmpose_mlehand.bundled import BUNDLED_DIR, DEFAULT_MODEL, POSE_MODELS  # noqa: E402


def hand(x, y, side):
    """A close-up annotation: 21 keypoints on a diagonal spanning ``side`` pixels."""
    t = np.linspace(0, 1, 21)
    keypoints = np.stack([x + t * side, y + t * side, np.full(21, 2.0)], axis=1)
    return dict(bbox=[x, y, side * 1.2, side * 1.2], keypoints=keypoints.ravel().tolist()), \
        keypoints[:, :2]


def test_close_up_and_hand_free_figures_by_hand():
    near, truth = hand(10, 10, 100)  # box side 120 of a 200-pixel frame: a close-up
    off = truth + np.array([[30.0, 0.0]] * 10 + [[10.0, 0.0]] * 11)  # 10 of 21 beyond 0.2 x 100
    far, _ = hand(10, 10, 50)  # box side 60 < 100: not a close-up
    rows = [([], None, 0.7, (200, 200)), ([], None, 0.2, (200, 200)),
            ([near], off, 0.6, (200, 200)), ([near], truth, 0.3, (200, 200)),
            ([far], truth, 0.9, (200, 200))]
    figures = tool.test_figures(rows, 0.5)
    assert figures == dict(hand_free=2, hand_free_kept=0.5, close_ups=2, close_ups_kept=0.5,
                           close_up_pck=pytest.approx(11 / 42))


def test_threshold_written_into_a_copy_of_the_bundled_model(tmp_path):
    stem = POSE_MODELS[DEFAULT_MODEL].stem
    bundled = tmp_path / 'bundled'
    bundled.mkdir()
    for ext in ('py', 'pth', 'json'):
        shutil.copy(osp.join(BUNDLED_DIR, f'{stem}.{ext}'), bundled)
    args = ['--scenes', str(tmp_path / 'scenes'), '--num', '20', '--max-made-up', '0.34',
            '--bundled-dir', str(bundled), '--workers', '1', '--threads', '1']
    record = tool.main(args)
    thr = record['hand_whole_image_thr']
    assert 0 < thr < 1 and record['val']['hand_free'] > 0
    assert record['val']['hand_free_kept'] <= 0.34
    assert Config.fromfile(str(bundled / f'{stem}.py')).hand_whole_image_thr == thr
    with open(bundled / f'{stem}.json', encoding='utf-8') as f:
        provenance = json.load(f)
    assert provenance['whole_image_fallback'] == json.loads(json.dumps(record))
    assert provenance['model'] == DEFAULT_MODEL  # the rest of the provenance kept
    # A dry run writes nothing; the scenes are reused.
    before = (bundled / f'{stem}.py').read_text()
    again = tool.main(args + ['--dry-run', '--max-made-up', '0.0'])
    assert again['hand_whole_image_thr'] >= thr
    assert (bundled / f'{stem}.py').read_text() == before

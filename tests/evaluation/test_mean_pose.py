import json

import numpy as np
import pytest

from mmpose_mlehand.evaluation import mean_pose_epe


def write_annotations(path, poses):
    """poses: list of (K, 3) arrays of x, y, visibility."""
    annotations = [dict(id=i, image_id=i, keypoints=np.asarray(p, float).reshape(-1).tolist())
                   for i, p in enumerate(poses)]
    path.write_text(json.dumps(dict(images=[], annotations=annotations)))
    return str(path)


def test_mean_pose_epe_by_hand(tmp_path):
    train = write_annotations(tmp_path / 'train.json', [
        [[0, 0, 1], [10, 10, 1]],
        [[2, 0, 1], [10, 10, 0]],   # invisible: not part of the mean
        [[1, 0, 1], [99, 99, 0]],
    ])
    # Mean pose: keypoint 0 at (1, 0), keypoint 1 at (10, 10).
    test = write_annotations(tmp_path / 'test.json', [
        [[1, 3, 1], [13, 14, 1]],   # errors 3 and 5
        [[1, 0, 1], [0, 0, 0]],     # error 0; the invisible one is ignored
    ])
    assert mean_pose_epe(train, test) == pytest.approx((3 + 5 + 0) / 3)


def test_never_visible_keypoint_is_an_error(tmp_path):
    train = write_annotations(tmp_path / 'train.json', [[[0, 0, 1], [5, 5, 0]]])
    test = write_annotations(tmp_path / 'test.json', [[[0, 0, 1], [5, 5, 1]]])
    with pytest.raises(ValueError, match=r'keypoints \[1\] are never visible'):
        mean_pose_epe(train, test)

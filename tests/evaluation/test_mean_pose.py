import json

import numpy as np
import pytest

from mmpose_mlehand.evaluation import mean_pose_epe, mean_pose_hand_box_metrics


def write_annotations(path, poses, boxes=None):
    """poses: list of (K, 3) arrays of x, y, visibility; boxes: COCO (x, y, w, h)."""
    annotations = [dict(id=i, image_id=i, keypoints=np.asarray(p, float).reshape(-1).tolist())
                   for i, p in enumerate(poses)]
    for annotation, box in zip(annotations, boxes or []):
        annotation['bbox'] = list(box)
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


def test_mean_pose_in_hand_boxes_by_hand(tmp_path):
    # Training hands in boxes of size 10 and 20 (max(w, h)): in box units the
    # keypoints are (-0.5, 0) and (0.5, 0) for both, (0.3, 0.3) for one only
    # (the other hides it).
    train = write_annotations(tmp_path / 'train.json', [
        [[0, 5, 1], [10, 5, 1], [8, 8, 1]],
        [[100, 110, 1], [120, 110, 1], [0, 0, 0]],
    ], boxes=[(0, 0, 10, 10), (100, 100, 20, 20)])
    # Test box: centre (50, 50), size 40 (w 40, h 10, not square): the mean pose
    # lands at (30, 50), (70, 50), (62, 62).
    test = write_annotations(tmp_path / 'test.json', [
        [[30, 54, 1], [70, 50, 1], [62, 82, 1]],   # errors 4, 0, 20 px -> 0.1, 0, 0.5
    ], boxes=[(30, 45, 40, 10)])
    metrics = mean_pose_hand_box_metrics(train, test, thr=0.2)
    assert metrics['NME'] == pytest.approx(0.6 / 3)
    assert metrics['PCK@0.2'] == pytest.approx(2 / 3)
    assert metrics['frame-PCK@0.2'] == 1.0  # frame error 0.2 <= 0.2
    assert mean_pose_hand_box_metrics(train, test, thr=0.1)['frame-PCK@0.1'] == 0.0

"""The mean-pose baseline: always predict the training set's mean keypoints."""
import json
from typing import Tuple

import numpy as np


def _keypoints(ann_file: str) -> Tuple[np.ndarray, np.ndarray]:
    """(N, K, 2) keypoints and (N, K) visibility of a COCO-style annotation file."""
    with open(ann_file, encoding='utf-8') as f:
        annotations = json.load(f)['annotations']
    if not annotations:
        raise ValueError(f'{ann_file}: no annotations')
    kpts = np.array([a['keypoints'] for a in annotations], dtype=np.float64)
    kpts = kpts.reshape(len(annotations), -1, 3)
    return kpts[..., :2], kpts[..., 2] > 0


def mean_pose_epe(train_ann_file: str, test_ann_file: str) -> float:
    """EPE (px) on the test file of the per-keypoint mean of the training file.

    The mean is taken over visible training keypoints, the error over visible
    test keypoints, both in image pixels (as MMPose's ``EPE`` metric). Models
    that learn nothing from the image score about this.

    Args:
        train_ann_file (str): Training annotations (MMPose COCO-style JSON).
        test_ann_file (str): Test annotations.

    Returns:
        float: Mean end-point error in pixels.
    """
    train_kpts, train_vis = _keypoints(train_ann_file)
    counts = train_vis.sum(axis=0)
    if (counts == 0).any():
        raise ValueError(f'{train_ann_file}: keypoints {np.flatnonzero(counts == 0).tolist()} '
                         'are never visible, their mean is undefined')
    mean_pose = (train_kpts * train_vis[..., None]).sum(axis=0) / counts[:, None]
    test_kpts, test_vis = _keypoints(test_ann_file)
    errors = np.linalg.norm(test_kpts - mean_pose[None], axis=-1)
    return float(errors[test_vis].mean())

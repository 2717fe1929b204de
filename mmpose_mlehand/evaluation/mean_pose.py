"""The mean-pose baseline: always predict the training set's mean keypoints.

Models that learn nothing from the image score about this; it is the floor a
result table should be read against.
"""
import json
from typing import Dict, Tuple

import numpy as np

from . import functional as F


def _annotations(ann_file: str) -> list:
    with open(ann_file, encoding='utf-8') as f:
        annotations = json.load(f)['annotations']
    if not annotations:
        raise ValueError(f'{ann_file}: no annotations')
    return annotations


def _keypoints(ann_file: str) -> Tuple[np.ndarray, np.ndarray]:
    """(N, K, 2) keypoints and (N, K) visibility of a COCO-style annotation file."""
    annotations = _annotations(ann_file)
    kpts = np.array([a['keypoints'] for a in annotations], dtype=np.float64)
    kpts = kpts.reshape(len(annotations), -1, 3)
    return kpts[..., :2], kpts[..., 2] > 0


def _boxes(ann_file: str) -> Tuple[np.ndarray, np.ndarray]:
    """(N, 2) box centres and (N,) sizes max(w, h) from COCO ``bbox`` (x, y, w, h)."""
    boxes = np.array([a['bbox'] for a in _annotations(ann_file)], dtype=np.float64)
    sizes = boxes[:, 2:].max(axis=1)
    if (sizes <= 0).any():
        raise ValueError(f'{ann_file}: annotations {np.flatnonzero(sizes <= 0).tolist()} '
                         'have an empty box')
    return boxes[:, :2] + boxes[:, 2:] / 2, sizes


def _visible_mean(points: np.ndarray, visible: np.ndarray, ann_file: str) -> np.ndarray:
    counts = visible.sum(axis=0)
    if (counts == 0).any():
        raise ValueError(f'{ann_file}: keypoints {np.flatnonzero(counts == 0).tolist()} '
                         'are never visible, their mean is undefined')
    return (points * visible[..., None]).sum(axis=0) / counts[:, None]


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
    mean_pose = _visible_mean(train_kpts, train_vis, train_ann_file)
    test_kpts, test_vis = _keypoints(test_ann_file)
    errors = np.linalg.norm(test_kpts - mean_pose[None], axis=-1)
    return float(errors[test_vis].mean())


def mean_pose_hand_box_metrics(train_ann_file: str, test_ann_file: str,
                               thr: float = 0.2) -> Dict[str, float]:
    """The paper's hand-box measures of the mean pose placed in each test box.

    The mean pose is the per-keypoint mean over visible training keypoints of
    ``(keypoint - box centre) / max(w, h)``; each test hand gets it scaled and
    moved into its own box, as a model that only reads the box would. Errors
    are normalised by max(w, h) of the test box (``HandPCK``, ``HandNME``).

    Args:
        train_ann_file (str): Training annotations (COCO-style JSON with
            ``bbox``).
        test_ann_file (str): Test annotations.
        thr (float): PCK threshold (fraction of the box size).

    Returns:
        dict: ``PCK@<thr>`` (per keypoint type), ``frame-PCK@<thr>`` (eq. 8)
        and ``NME`` (eq. 9).
    """
    train_kpts, train_vis = _keypoints(train_ann_file)
    centres, sizes = _boxes(train_ann_file)
    in_box = (train_kpts - centres[:, None]) / sizes[:, None, None]
    mean_pose = _visible_mean(in_box, train_vis, train_ann_file)
    test_kpts, test_vis = _keypoints(test_ann_file)
    centres, sizes = _boxes(test_ann_file)
    pred = centres[:, None] + mean_pose[None] * sizes[:, None, None]
    errors = F.normalized_errors(pred, test_kpts, sizes)
    return {f'PCK@{thr:g}': F.keypoint_pck(errors, test_vis, thr),
            f'frame-PCK@{thr:g}': F.frame_pck(errors, test_vis, thr),
            'NME': F.nme(errors, test_vis)}

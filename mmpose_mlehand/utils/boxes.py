"""Box overlap and matching (numpy only: the trackers and the evaluation share them)."""
from typing import Optional, Tuple

import numpy as np


def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of every box of ``a`` (N, 4) with every box of ``b`` (M, 4), xyxy.

    Returns:
        np.ndarray: (N, M) float64.
    """
    a = np.asarray(a, np.float64).reshape(-1, 4)
    b = np.asarray(b, np.float64).reshape(-1, 4)
    lo = np.maximum(a[:, None, :2], b[None, :, :2])
    hi = np.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = np.clip(hi - lo, 0, None).prod(axis=2)
    area_a = np.clip(a[:, 2:] - a[:, :2], 0, None).prod(axis=1)
    area_b = np.clip(b[:, 2:] - b[:, :2], 0, None).prod(axis=1)
    union = area_a[:, None] + area_b[None, :] - inter
    return np.where(union > 0, inter / np.maximum(union, 1e-12), 0.0)


def match_boxes(gt: np.ndarray, pred: np.ndarray, scores: np.ndarray,
                iou_thr: float = 0.5) -> Tuple[np.ndarray, np.ndarray]:
    """Greedy one-to-one matching, highest score first (COCO's rule).

    Each prediction, in order of decreasing score, takes the unmatched
    ground-truth box it overlaps most, if that IoU is at least ``iou_thr``.

    Args:
        gt (np.ndarray): (N, 4) ground-truth boxes, xyxy.
        pred (np.ndarray): (M, 4) predicted boxes, xyxy.
        scores (np.ndarray): (M,) their scores.
        iou_thr (float): Least IoU of a match.

    Returns:
        tuple: ``gt_match`` (N,) index of the matched prediction or -1, and
        ``pred_match`` (M,) index of the matched ground truth or -1.
    """
    iou = box_iou(gt, pred)
    gt_match = np.full(iou.shape[0], -1, np.int64)
    pred_match = np.full(iou.shape[1], -1, np.int64)
    for p in np.argsort(-np.asarray(scores, np.float64), kind='stable'):
        if iou.shape[0] == 0:
            break
        candidates = np.where(gt_match < 0, iou[:, p], -1.0)
        g = int(np.argmax(candidates))
        if candidates[g] >= iou_thr:
            gt_match[g], pred_match[p] = p, g
    return gt_match, pred_match


def kept_boxes(scores: np.ndarray, score_thr: float,
               fallback_thr: Optional[float] = None) -> np.ndarray:
    """Which detections a pipeline keeps: those scoring above ``score_thr``;
    when none does, the best one if it scores above ``fallback_thr``.

    The fallback is for photographs that show a hand the detector is unsure
    of (a detector trained on synthetic scenes scores real hands low): one
    box, not every low-scoring one.

    Args:
        scores (np.ndarray): (M,) detection scores.
        score_thr (float): Boxes scoring above it are kept.
        fallback_thr (float, optional): The least score of the single box
            kept when none passes ``score_thr``; None: no fallback.

    Returns:
        np.ndarray: (M,) bool.
    """
    scores = np.asarray(scores, np.float64).reshape(-1)
    keep = scores > score_thr
    if not keep.any() and fallback_thr is not None and len(scores):
        best = int(np.argmax(scores))
        keep[best] = scores[best] > fallback_thr
    return keep

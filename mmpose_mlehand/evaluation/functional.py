"""The paper's hand-pose measures and uncertainty measures on arrays (numpy).

Every function works on keypoint errors already normalised by the hand box
(:func:`normalized_errors`): the Euclidean distance between prediction and
ground truth divided by ``max(w, h)`` of the sample's ground-truth box (paper
eq. 8-9). Invisible keypoints (``visible == False``) take no part in any
measure: their error is never read.

Shapes: N samples (frames), K keypoints.
"""
from typing import Dict, Sequence

import numpy as np
from scipy.stats import rankdata

#: The 11 joints of the paper's Figs. 5-7 (R: root, T: tip) in FreiHAND order:
#: the wrist, each finger's root (MCP; the thumb's CMC) and each fingertip.
PAPER_JOINTS = {
    'wrist': 0,
    'thumb R': 1, 'thumb T': 4,
    'index R': 5, 'index T': 8,
    'middle R': 9, 'middle T': 12,
    'ring R': 13, 'ring T': 16,
    'little R': 17, 'little T': 20,
}


def box_sizes(bboxes: np.ndarray) -> np.ndarray:
    """``max(w, h)`` of each box (paper eq. 8-9).

    Args:
        bboxes (np.ndarray): (N, 4) boxes as ``x1, y1, x2, y2`` (MMPose's
            ``gt_instances.bboxes``).

    Returns:
        np.ndarray: (N,) box sizes in pixels.
    """
    bboxes = np.asarray(bboxes, dtype=np.float64).reshape(-1, 4)
    sizes = np.max(bboxes[:, 2:] - bboxes[:, :2], axis=1)
    if (sizes <= 0).any():
        raise ValueError(f'boxes {np.flatnonzero(sizes <= 0).tolist()} are empty')
    return sizes


def normalized_errors(pred: np.ndarray, gt: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Euclidean keypoint errors divided by the box size.

    Args:
        pred (np.ndarray): (N, K, 2) predicted keypoints, image pixels. Extra
            leading axes are allowed as long as ``gt`` and ``sizes`` broadcast
            (e.g. stages: (N, T, K, 2) with gt (N, 1, K, 2) and sizes (N, 1)).
        gt (np.ndarray): (N, K, 2) ground-truth keypoints, image pixels.
        sizes (np.ndarray): (N,) box sizes (:func:`box_sizes`).

    Returns:
        np.ndarray: (N, K) normalised errors.
    """
    dist = np.linalg.norm(np.asarray(pred, np.float64) - np.asarray(gt, np.float64), axis=-1)
    return dist / np.asarray(sizes, np.float64)[..., None]


def _frames_with_visible(visible: np.ndarray) -> np.ndarray:
    valid = visible.any(axis=1)
    if not valid.any():
        raise ValueError('no sample has a visible keypoint')
    return valid


def frame_errors(errors: np.ndarray, visible: np.ndarray) -> np.ndarray:
    """Mean normalised error over the visible keypoints of each frame.

    Args:
        errors (np.ndarray): (N, K) normalised errors.
        visible (np.ndarray): (N, K) bool.

    Returns:
        np.ndarray: (M,) one value per frame with at least one visible
        keypoint (frames without are left out).
    """
    visible = np.asarray(visible, bool)
    valid = _frames_with_visible(visible)
    masked = np.where(visible, errors, 0.0)
    return masked[valid].sum(axis=1) / visible[valid].sum(axis=1)


def nme(errors: np.ndarray, visible: np.ndarray) -> float:
    """Paper eq. 9: the mean over frames of each frame's mean normalised error
    over its visible keypoints."""
    return float(frame_errors(errors, visible).mean())


def frame_pck(errors: np.ndarray, visible: np.ndarray, thr: float) -> float:
    """Paper eq. 8, "percentage of good frames": the share of frames whose mean
    normalised error over the visible keypoints is at most ``thr``."""
    return float((frame_errors(errors, visible) <= thr).mean())


def joint_nme(errors: np.ndarray, visible: np.ndarray) -> np.ndarray:
    """Per-joint NME: for each keypoint, the mean normalised error over the
    frames where it is visible.

    Returns:
        np.ndarray: (K,) values; NaN for a keypoint never visible.
    """
    visible = np.asarray(visible, bool)
    counts = visible.sum(axis=0)
    sums = np.where(visible, errors, 0.0).sum(axis=0)
    with np.errstate(invalid='ignore', divide='ignore'):
        return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


def joint_pck(errors: np.ndarray, visible: np.ndarray, thr: float) -> np.ndarray:
    """Per-joint PCK: for each keypoint, the share of the frames where it is
    visible whose normalised error is at most ``thr``.

    Returns:
        np.ndarray: (K,) values; NaN for a keypoint never visible.
    """
    visible = np.asarray(visible, bool)
    counts = visible.sum(axis=0)
    hits = (visible & (errors <= thr)).sum(axis=0)
    with np.errstate(invalid='ignore', divide='ignore'):
        return np.where(counts > 0, hits / np.maximum(counts, 1), np.nan)


def keypoint_pck(errors: np.ndarray, visible: np.ndarray, thr: float) -> float:
    """PCK@thr per keypoint, normalised by the hand box: the mean over keypoint
    types of :func:`joint_pck` (MMPose's ``PCKAccuracy`` convention; types
    never visible are left out). The comparison is ``<=`` as in eq. 8."""
    per_joint = joint_pck(errors, visible, thr)
    if np.isnan(per_joint).all():
        raise ValueError('no keypoint is visible')
    return float(np.nanmean(per_joint))


def pck_curve(errors: np.ndarray, visible: np.ndarray, thrs: Sequence[float],
              per_frame: bool = True) -> np.ndarray:
    """PCK at every threshold: per frame (eq. 8) or per keypoint.

    Returns:
        np.ndarray: (len(thrs),) values in [0, 1].
    """
    fn = frame_pck if per_frame else keypoint_pck
    return np.array([fn(errors, visible, float(t)) for t in thrs])


def curve_auc(thrs: Sequence[float], values: Sequence[float]) -> float:
    """Area under a PCK curve divided by the threshold range (trapezoids), so
    that a perfect model scores 1."""
    thrs = np.asarray(thrs, np.float64)
    values = np.asarray(values, np.float64)
    if len(thrs) < 2 or thrs[-1] <= thrs[0]:
        raise ValueError('the curve needs at least two increasing thresholds')
    area = float(np.sum((values[1:] + values[:-1]) * np.diff(thrs)) / 2)
    return area / float(thrs[-1] - thrs[0])


def auroc(scores: np.ndarray, positives: np.ndarray) -> float:
    """Area under the ROC curve of ``scores`` for separating ``positives``.

    The Mann-Whitney statistic with average ranks for ties: the probability
    that a random positive scores higher than a random negative (ties count
    one half). 0.5 for scores unrelated to the labels, 1.0 for scores that
    rank every positive above every negative.

    Args:
        scores (np.ndarray): (M,) e.g. predicted sigmas.
        positives (np.ndarray): (M,) bool, e.g. error above a threshold.

    Returns:
        float: AUROC, or NaN when one class is empty.
    """
    scores = np.asarray(scores, np.float64).ravel()
    positives = np.asarray(positives, bool).ravel()
    n_pos = int(positives.sum())
    n_neg = positives.size - n_pos
    if n_pos == 0 or n_neg == 0:
        return float('nan')
    ranks = rankdata(scores)
    return float((ranks[positives].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman's rank correlation (Pearson correlation of average ranks);
    NaN when either input is constant."""
    ra = rankdata(np.asarray(a, np.float64).ravel())
    rb = rankdata(np.asarray(b, np.float64).ravel())
    if ra.size < 2 or np.ptp(ra) == 0 or np.ptp(rb) == 0:
        return float('nan')
    return float(np.corrcoef(ra, rb)[0, 1])


def confidence_split(uncertainty: np.ndarray, errors: np.ndarray,
                     fraction: float = 0.1) -> Dict[str, float]:
    """Mean error of the most and of the least confident keypoints.

    Keypoints are sorted by uncertainty (a stable sort, so ties keep their
    order); the first ``ceil(fraction * M)`` are the most confident, the last
    as many the least confident.

    Returns:
        dict: ``confident`` and ``uncertain`` mean errors, and ``all``.
    """
    uncertainty = np.asarray(uncertainty, np.float64).ravel()
    errors = np.asarray(errors, np.float64).ravel()
    if not 0 < fraction <= 0.5:
        raise ValueError(f'fraction must be in (0, 0.5], got {fraction}')
    n = max(1, int(np.ceil(fraction * errors.size)))
    order = np.argsort(uncertainty, kind='stable')
    return dict(confident=float(errors[order[:n]].mean()),
                uncertain=float(errors[order[-n:]].mean()),
                all=float(errors.mean()))


def calibration_bins(uncertainty: np.ndarray, errors: np.ndarray,
                     num_bins: int = 10) -> Dict[str, list]:
    """Keypoints in ``num_bins`` equal-count bins of increasing uncertainty,
    with each bin's mean uncertainty, mean error and RMS error: the data of
    the calibration figure (a calibrated sigma lies on a line through 0).

    Returns:
        dict of lists, one value per non-empty bin: ``uncertainty``,
        ``error``, ``rms_error``, ``count``.
    """
    uncertainty = np.asarray(uncertainty, np.float64).ravel()
    errors = np.asarray(errors, np.float64).ravel()
    order = np.argsort(uncertainty, kind='stable')
    out: Dict[str, list] = dict(uncertainty=[], error=[], rms_error=[], count=[])
    for chunk in np.array_split(order, num_bins):
        if chunk.size == 0:
            continue
        out['uncertainty'].append(float(uncertainty[chunk].mean()))
        out['error'].append(float(errors[chunk].mean()))
        out['rms_error'].append(float(np.sqrt((errors[chunk] ** 2).mean())))
        out['count'].append(int(chunk.size))
    return out

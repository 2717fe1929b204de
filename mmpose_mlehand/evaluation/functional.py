"""The paper's hand-pose measures and uncertainty measures on arrays (numpy).

Every function works on keypoint errors already normalised by the hand box
(:func:`normalized_errors`): the Euclidean distance between prediction and
ground truth divided by ``max(w, h)`` of the sample's ground-truth box (paper
eq. 8-9); only :func:`mirror_confusion` (and its rate) takes the keypoints
themselves, since it reorders the prediction's fingers before measuring.
Invisible keypoints (``visible == False``) take no part in any measure: their
error is never read.

Shapes: N samples (frames), K keypoints.
"""
from typing import Dict, Optional, Sequence

import numpy as np
from scipy.stats import rankdata

from mmpose_mlehand.hand_format import NUM_KEYPOINTS

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

#: The finger mirror in FreiHAND order: thumb <-> little finger and index <->
#: ring finger, joint by joint; the wrist and the middle finger stay.
#: ``pred[:, FINGER_MIRROR]`` is the prediction with its fingers in mirrored
#: order (what a palm/back or left/right confusion gives). An involution.
FINGER_MIRROR = (0,
                 17, 18, 19, 20,  # thumb <- little finger
                 13, 14, 15, 16,  # index <- ring finger
                 9, 10, 11, 12,  # middle finger stays
                 5, 6, 7, 8,  # ring <- index finger
                 1, 2, 3, 4)  # little <- thumb


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


def keypoint_extent_size(keypoints: np.ndarray, visible: np.ndarray,
                         sample: Optional[str] = None) -> float:
    """``max(w, h)`` of the extent of one hand's visible keypoints.

    The real-photo protocol's divisor: the box given to the model is this
    extent x 1.2, the errors are divided by the extent itself.

    Args:
        keypoints (np.ndarray): (K, 2) ground-truth keypoints in pixels.
        visible (np.ndarray): (K,) bool, the keypoints that count.
        sample (str, optional): The sample's name, for the error message.

    Returns:
        float: The size in pixels.

    Raises:
        ValueError: Fewer than two distinct visible keypoints (no extent).
    """
    points = np.asarray(keypoints, np.float64).reshape(-1, 2)[np.asarray(visible, bool)]
    size = float(np.max(points.max(axis=0) - points.min(axis=0))) if len(points) else 0.0
    if size <= 0:
        raise ValueError(f'{sample or "a sample"}: {len(points)} visible keypoint(s) with no '
                         'extent; the keypoint-extent normaliser needs two distinct ones')
    return size


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


def _hand_arrays(pred: np.ndarray, gt: np.ndarray, norm: np.ndarray,
                 mask: Optional[np.ndarray]) -> tuple:
    """The inputs of :func:`mirror_confusion` as arrays, shapes checked; the
    mask defaults to every keypoint."""
    pred = np.asarray(pred, np.float64)
    gt = np.asarray(gt, np.float64)
    norm = np.asarray(norm, np.float64)
    if pred.ndim != 3 or pred.shape[1:] != (NUM_KEYPOINTS, 2):
        raise ValueError(f'pred must be (N, {NUM_KEYPOINTS}, 2) hand keypoints in '
                         f'FreiHAND order, got {pred.shape}')
    if gt.shape != pred.shape:
        raise ValueError(f'gt must have the shape of pred {pred.shape}, got {gt.shape}')
    num = pred.shape[0]
    if norm.shape != (num, ):
        raise ValueError(f'norm must be ({num},), got {norm.shape}')
    if not (np.isfinite(norm) & (norm > 0)).all():
        raise ValueError('norm must be finite and positive')
    mask = np.ones((num, NUM_KEYPOINTS), bool) if mask is None else np.asarray(mask, bool)
    if mask.shape != (num, NUM_KEYPOINTS):
        raise ValueError(f'mask must be ({num}, {NUM_KEYPOINTS}), got {mask.shape}')
    return pred, gt, norm, mask


def mirror_confusion(pred: np.ndarray,
                     gt: np.ndarray,
                     norm: np.ndarray,
                     mask: Optional[np.ndarray] = None,
                     margin: float = 0.05) -> np.ndarray:
    """Which frames the finger-mirrored prediction explains better.

    A frame is mirror-confused when the mean normalised error of ``pred``
    against ``gt`` exceeds the mean normalised error of
    ``pred[:, FINGER_MIRROR]`` (thumb <-> little finger, index <-> ring
    finger) against ``gt`` by more than ``margin``, both means over the
    keypoints that ``mask`` keeps: the definition used on the held-back real
    photographs (about a sixth of their frames are). The mask belongs to the
    ground truth: keypoint k of the mirrored prediction is
    ``pred[FINGER_MIRROR[k]]``, compared with ``gt[k]`` where k is kept.

    Args:
        pred (np.ndarray): (N, 21, 2) predicted keypoints, FreiHAND order.
        gt (np.ndarray): (N, 21, 2) ground-truth keypoints, same units.
        norm (np.ndarray): (N,) positive normalisers, e.g. the box sizes
            (:func:`box_sizes`).
        mask (np.ndarray, optional): (N, 21) bool, the keypoints that count
            (e.g. the visible ones). Defaults to all.
        margin (float): How much better (in units of ``norm``) the mirrored
            prediction must be; more than, not equal. Defaults to 0.05.

    Returns:
        np.ndarray: (N,) bool; False for a frame without a kept keypoint.

    Raises:
        ValueError: for shapes other than the above, a normaliser that is
            not positive or a negative margin.
    """
    pred, gt, norm, mask = _hand_arrays(pred, gt, norm, mask)
    if margin < 0:
        raise ValueError(f'margin must be >= 0, got {margin}')
    counts = mask.sum(axis=1)
    safe = np.maximum(counts, 1)
    # np.where, not a product: a hidden keypoint's error may be NaN.
    error = np.where(mask, normalized_errors(pred, gt, norm), 0.0).sum(axis=1) / safe
    mirrored = np.where(mask, normalized_errors(pred[:, list(FINGER_MIRROR)], gt, norm),
                        0.0).sum(axis=1) / safe
    return (counts > 0) & (error - mirrored > margin)


def mirror_confusion_rate(pred: np.ndarray,
                          gt: np.ndarray,
                          norm: np.ndarray,
                          mask: Optional[np.ndarray] = None,
                          margin: float = 0.05) -> float:
    """Share of mirror-confused frames (:func:`mirror_confusion`) among the
    frames with at least one kept keypoint (as in :func:`frame_pck`).

    Args and shapes as :func:`mirror_confusion`.

    Returns:
        float: the rate in [0, 1].

    Raises:
        ValueError: as :func:`mirror_confusion`, or when no frame has a kept
            keypoint.
    """
    confused = mirror_confusion(pred, gt, norm, mask, margin)
    mask = _hand_arrays(pred, gt, norm, mask)[3]
    return float(confused[_frames_with_visible(mask)].mean())

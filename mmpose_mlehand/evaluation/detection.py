"""Hand-box recall and precision at one IoU and one score threshold.

COCO's AP averages over score thresholds and AR over IoUs; what a top-down
pipeline lives with is one operating point: the boxes above the inferencer's
score threshold (MMPose's ``bbox_thr``, 0.3 by default), each hand found or
not at IoU 0.5. :class:`HandBoxRecall` reports that point, registered in
MMPose's ``METRICS`` and usable from mmdet configs as
``dict(type='mmpose.HandBoxRecall')``.
"""
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from mmengine.evaluator import BaseMetric
from mmpose.registry import METRICS

from ..utils.boxes import kept_boxes, match_boxes


def recall_precision(samples: Sequence[Tuple[np.ndarray, np.ndarray, np.ndarray]],
                     iou_thr: float = 0.5, score_thr: float = 0.3,
                     fallback_thr: Optional[float] = None) -> Dict[str, float]:
    """Recall and precision of the kept boxes over images.

    Args:
        samples (sequence): Per image ``(gt (N, 4), pred (M, 4), scores (M,))``,
            boxes xyxy.
        iou_thr (float): Least IoU of a match.
        score_thr (float): Predictions at or below it are dropped...
        fallback_thr (float, optional): ... unless none passes it, then the
            best one is kept if above this (:func:`~..utils.boxes.kept_boxes`).

    Returns:
        dict: ``recall`` (matched hands / hands), ``precision`` (matched
        boxes / kept boxes; 1 when none are kept), ``false_per_image``
        (unmatched kept boxes per image), ``hand_free_with_box`` (share of the
        images without a hand that keep a box; NaN if there are none),
        ``hands`` and ``images``.
    """
    hands = found = kept = hand_free = hand_free_with_box = 0
    for gt, pred, scores in samples:
        keep = kept_boxes(scores, score_thr, fallback_thr)
        gt_match, _ = match_boxes(gt, np.asarray(pred).reshape(-1, 4)[keep],
                                  np.asarray(scores).reshape(-1)[keep], iou_thr)
        hands += len(gt_match)
        found += int((gt_match >= 0).sum())
        kept += int(keep.sum())
        if len(gt_match) == 0:
            hand_free += 1
            hand_free_with_box += int(keep.any())
    return dict(recall=found / hands if hands else float('nan'),
                precision=found / kept if kept else 1.0,
                false_per_image=(kept - found) / max(len(samples), 1),
                hand_free_with_box=hand_free_with_box / hand_free if hand_free
                else float('nan'),
                hands=float(hands), images=float(len(samples)))


@METRICS.register_module()
class HandBoxRecall(BaseMetric):
    """Recall and precision of detected hand boxes at one operating point.

    Works with mmdet's data samples (``pred_instances`` and ``gt_instances``
    with ``bboxes`` in the original image, xyxy). Returns
    ``hand/recall@<iou>``, ``hand/precision@<iou>`` and
    ``hand/false_per_image`` for the boxes scoring above ``score_thr``.

    Args:
        iou_thr (float): Least IoU of a match. Defaults to 0.5.
        score_thr (float): Score threshold of the kept boxes (MMPose's
            inferencer keeps boxes above 0.3). Defaults to 0.3.
        collect_device (str): See :class:`mmengine.evaluator.BaseMetric`.
        prefix (str, optional): Metric name prefix; default ``hand``.
    """

    default_prefix: Optional[str] = 'hand'

    def __init__(self, iou_thr: float = 0.5, score_thr: float = 0.3,
                 collect_device: str = 'cpu', prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.iou_thr = iou_thr
        self.score_thr = score_thr

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            pred, gt = sample['pred_instances'], sample['gt_instances']
            self.results.append(tuple(np.asarray(v.cpu() if hasattr(v, 'cpu') else v)
                                      for v in (gt['bboxes'], pred['bboxes'],
                                                pred['scores'])))

    def compute_metrics(self, results: List[tuple]) -> Dict[str, float]:
        stats = recall_precision(results, self.iou_thr, self.score_thr)
        return {f'recall@{self.iou_thr}': stats['recall'],
                f'precision@{self.iou_thr}': stats['precision'],
                'false_per_image': stats['false_per_image']}


def choose_score_threshold(samples: Sequence[Tuple[np.ndarray, np.ndarray, np.ndarray]],
                           thresholds: Sequence[float] = tuple(np.round(np.arange(
                               0.05, 0.71, 0.05), 2)),
                           iou_thr: float = 0.5) -> Tuple[float, List[Dict[str, float]]]:
    """The score threshold with the best F1 of hand recall and precision.

    Meant for a validation split: the threshold an application keeps boxes
    above (MMPose's inferencer: ``bbox_thr``). Ties go to the lower threshold
    (more recall).

    Args:
        samples (sequence): Per image ``(gt (N, 4), pred (M, 4), scores (M,))``.
        thresholds (sequence): Candidates, increasing.
        iou_thr (float): Least IoU of a match.

    Returns:
        tuple: the chosen threshold and, per candidate, ``score_thr``,
        ``recall``, ``precision`` and ``f1``.
    """
    table = []
    for thr in thresholds:
        stats = recall_precision(samples, iou_thr, float(thr))
        r, p = stats['recall'], stats['precision']
        table.append(dict(score_thr=float(thr), recall=r, precision=p,
                          f1=2 * r * p / (r + p) if r + p > 0 else 0.0))
    best = max(table, key=lambda row: (row['f1'], -row['score_thr']))
    return best['score_thr'], table


def choose_hand_free_threshold(samples: Sequence[Tuple[np.ndarray, np.ndarray, np.ndarray]],
                               max_hand_free: float, step: float = 0.01,
                               iou_thr: float = 0.5) -> Tuple[float, List[Dict[str, float]]]:
    """The lowest score threshold that gives few hand-free images a box.

    An alternative to :func:`choose_score_threshold` where made-up hands cost
    more than missed ones are worth: the most recall at a budget of hand-free
    images with a box. Meant for a validation split with images without
    hands; the candidates go up from ``step`` in steps of ``step``, and the
    first (lowest) one at which at most ``max_hand_free`` of the hand-free
    images keep a box is chosen (that share falls as the threshold rises).

    Args:
        samples (sequence): Per image ``(gt (N, 4), pred (M, 4), scores (M,))``.
        max_hand_free (float): Largest share of hand-free images with a box.
        step (float): Spacing of the candidates.
        iou_thr (float): Least IoU of a match.

    Returns:
        tuple: the chosen threshold and, per candidate up to it,
        ``score_thr``, ``recall``, ``precision`` and ``hand_free_with_box``.

    Raises:
        ValueError: If no sample is hand-free, or no candidate below 1 keeps
            the share within ``max_hand_free``.
    """
    table = []
    for thr in np.round(np.arange(step, 1 - step / 2, step), 4):
        stats = recall_precision(samples, iou_thr, float(thr))
        if np.isnan(stats['hand_free_with_box']):
            raise ValueError('choosing a threshold by made-up hands needs images without hands')
        table.append(dict(score_thr=float(thr), recall=stats['recall'],
                          precision=stats['precision'],
                          hand_free_with_box=stats['hand_free_with_box']))
        if stats['hand_free_with_box'] <= max_hand_free + 1e-12:
            return float(thr), table
    raise ValueError(f'no score threshold below 1 gives at most {max_hand_free:g} of the '
                     'hand-free images a box')


def choose_fallback_threshold(samples: Sequence[Tuple[np.ndarray, np.ndarray, np.ndarray]],
                              score_thr: float, max_added_false: float = 0.05,
                              step: float = 0.01,
                              iou_thr: float = 0.5) -> Tuple[Optional[float], List[Dict]]:
    """The lowest fallback threshold that costs few made-up hands.

    Meant for a validation split with images without hands: lowering the
    fallback threshold finds more of the hands the detector is unsure of and
    gives more hand-free images a box. The chosen one is the lowest candidate
    (``score_thr - step`` down to ``step``) whose share of hand-free images
    with a box exceeds the share without a fallback by at most
    ``max_added_false``; None when no candidate raises the recall.

    Args:
        samples (sequence): Per image ``(gt (N, 4), pred (M, 4), scores (M,))``.
        score_thr (float): The score threshold (:func:`choose_score_threshold`).
        max_added_false (float): Largest added share of hand-free images
            with a box.
        step (float): Spacing of the candidates.
        iou_thr (float): Least IoU of a match.

    Returns:
        tuple: the chosen threshold (or None) and, per candidate,
        ``fallback_thr``, ``recall`` and ``hand_free_with_box``.

    Raises:
        ValueError: If no sample is hand-free (the cost cannot be measured).
    """
    base = recall_precision(samples, iou_thr, score_thr)
    if np.isnan(base['hand_free_with_box']):
        raise ValueError('choosing a fallback threshold needs images without hands')
    table = [dict(fallback_thr=None, recall=base['recall'],
                  hand_free_with_box=base['hand_free_with_box'])]
    chosen = None
    for thr in np.round(np.arange(score_thr - step, step / 2, -step), 4):
        stats = recall_precision(samples, iou_thr, score_thr, float(thr))
        table.append(dict(fallback_thr=float(thr), recall=stats['recall'],
                          hand_free_with_box=stats['hand_free_with_box']))
        if (stats['hand_free_with_box'] - base['hand_free_with_box'] <= max_added_false + 1e-12
                and stats['recall'] > base['recall']):
            chosen = float(thr)
    return chosen, table


def choose_whole_image_threshold(hand_free_scores: Sequence[float],
                                 max_made_up: float = 0.05,
                                 step: float = 0.01) -> Tuple[float, List[Dict]]:
    """The lowest pose score that keeps a whole-image prediction, at few made-up hands.

    When the detector finds no hand, the plugin's inferencer can keep the pose
    model's prediction on the whole image if its mean keypoint score (1 -
    sigma) reaches a threshold: hands that fill the frame are found even when
    the detector misses them. Meant for a validation split's images without
    hands: the chosen threshold is the lowest candidate (``1 - step`` down to
    ``step``) at which at most ``max_made_up`` of them would get a made-up
    hand. That share is the pose model's alone (an image the detector finds
    a box in never falls back), so the rule holds for any detector.

    Args:
        hand_free_scores (sequence): Mean keypoint score of the whole-image
            prediction on each hand-free image.
        max_made_up (float): Largest share of hand-free images kept.
        step (float): Spacing of the candidates.

    Returns:
        tuple: the chosen threshold and, per candidate from the highest down
        to the first one that keeps too many, ``whole_image_thr`` and
        ``hand_free_kept``.

    Raises:
        ValueError: If no score is given (the cost cannot be measured).
    """
    scores = np.asarray(hand_free_scores, np.float64)
    if scores.size == 0:
        raise ValueError('choosing a whole-image threshold needs images without hands')
    table, chosen = [], None
    for thr in np.round(np.arange(1.0 - step, step / 2, -step), 4):
        kept = float(np.mean(scores >= thr))
        table.append(dict(whole_image_thr=float(thr), hand_free_kept=kept))
        if kept > max_made_up + 1e-12:
            break  # lower ones keep at least as many
        chosen = float(thr)
    if chosen is None:
        raise ValueError(f'even a score of {1.0 - step:g} keeps more than {max_made_up:g} of '
                         'the hand-free images')
    return chosen, table

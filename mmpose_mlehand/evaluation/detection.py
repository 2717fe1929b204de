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

from ..utils.boxes import match_boxes


def recall_precision(samples: Sequence[Tuple[np.ndarray, np.ndarray, np.ndarray]],
                     iou_thr: float = 0.5, score_thr: float = 0.3) -> Dict[str, float]:
    """Recall and precision of the boxes above ``score_thr`` over images.

    Args:
        samples (sequence): Per image ``(gt (N, 4), pred (M, 4), scores (M,))``,
            boxes xyxy.
        iou_thr (float): Least IoU of a match.
        score_thr (float): Predictions at or below it are dropped.

    Returns:
        dict: ``recall`` (matched hands / hands), ``precision`` (matched
        boxes / kept boxes; 1 when none are kept), ``false_per_image``
        (unmatched kept boxes per image), ``hands`` and ``images``.
    """
    hands = found = kept = 0
    for gt, pred, scores in samples:
        keep = np.asarray(scores) > score_thr
        gt_match, _ = match_boxes(gt, np.asarray(pred).reshape(-1, 4)[keep],
                                  np.asarray(scores)[keep], iou_thr)
        hands += len(gt_match)
        found += int((gt_match >= 0).sum())
        kept += int(keep.sum())
    return dict(recall=found / hands if hands else float('nan'),
                precision=found / kept if kept else 1.0,
                false_per_image=(kept - found) / max(len(samples), 1),
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

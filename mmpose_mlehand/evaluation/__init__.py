"""Evaluation beyond MMPose's metrics: the paper's hand-box PCK (eq. 8) and NME
(eq. 9), the mirror-confusion rate (with the PCK), stage-wise and uncertainty
metrics and the hand-box recall of detectors (registered in MMPose's
``METRICS``), their array functions, and the mean-pose baseline."""
from ..utils.boxes import box_iou, match_boxes
from .detection import (HandBoxRecall, choose_fallback_threshold, choose_hand_free_threshold,
                        choose_score_threshold, choose_whole_image_threshold, recall_precision)
from .mean_pose import mean_pose_epe, mean_pose_hand_box_metrics
from .metrics import HandBoxMetric, HandNME, HandPCK, KeypointUncertaintyMetric, StagewiseHandMetric

__all__ = [
    'mean_pose_epe', 'mean_pose_hand_box_metrics', 'HandBoxMetric', 'HandPCK', 'HandNME',
    'StagewiseHandMetric', 'KeypointUncertaintyMetric', 'HandBoxRecall', 'box_iou',
    'match_boxes', 'recall_precision', 'choose_score_threshold', 'choose_fallback_threshold',
    'choose_whole_image_threshold', 'choose_hand_free_threshold'
]

"""Evaluation beyond MMPose's metrics: the paper's hand-box PCK (eq. 8) and NME
(eq. 9), stage-wise and uncertainty metrics (registered in MMPose's
``METRICS``), their array functions, and the mean-pose baseline."""
from .mean_pose import mean_pose_epe, mean_pose_hand_box_metrics
from .metrics import HandBoxMetric, HandNME, HandPCK, KeypointUncertaintyMetric, StagewiseHandMetric

__all__ = [
    'mean_pose_epe', 'mean_pose_hand_box_metrics', 'HandBoxMetric', 'HandPCK', 'HandNME',
    'StagewiseHandMetric', 'KeypointUncertaintyMetric'
]

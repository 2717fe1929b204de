"""Evaluation helpers beyond MMPose's metrics."""
from .mean_pose import mean_pose_epe

__all__ = ['mean_pose_epe']

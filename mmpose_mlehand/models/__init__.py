"""Model components registered in MMPose's ``MODELS`` registry."""
from .data_preprocessors import ChannelsLastPoseDataPreprocessor
from .heads import SequentialIntegralHead
from .losses import MLELoss
from .pose_estimators import UprightTopdownPoseEstimator

__all__ = [
    'SequentialIntegralHead', 'MLELoss', 'ChannelsLastPoseDataPreprocessor',
    'UprightTopdownPoseEstimator'
]

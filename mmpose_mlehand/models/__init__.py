"""Model components registered in MMPose's ``MODELS`` registry."""
from .data_preprocessors import ChannelsLastPoseDataPreprocessor
from .heads import SequentialIntegralHead
from .losses import MLELoss

__all__ = ['SequentialIntegralHead', 'MLELoss', 'ChannelsLastPoseDataPreprocessor']

"""Pose estimators (whole models) registered in MMPose's ``MODELS`` registry."""
from .upright_topdown import UprightTopdownPoseEstimator

__all__ = ['UprightTopdownPoseEstimator']

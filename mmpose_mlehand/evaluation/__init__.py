"""Metrics registered in MMPose's ``METRICS`` registry."""

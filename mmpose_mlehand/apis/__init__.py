"""Inference helpers for scripts and notebooks."""
from .visualize import predict_and_draw

__all__ = ['predict_and_draw']

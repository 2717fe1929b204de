"""High-level helpers for scripts and notebooks."""
from .benchmark import benchmark_config, ratio_table
from .visualize import predict_and_draw

__all__ = ['benchmark_config', 'predict_and_draw', 'ratio_table']

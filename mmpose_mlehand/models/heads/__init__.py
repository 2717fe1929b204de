from .sequential_integral_head import (IntegralStage, SequentialIntegralHead,
                                       init_soft_argmax_heatmaps, soft_argmax)
from .soft_argmax_head import SoftArgmaxHead

__all__ = [
    'IntegralStage', 'SequentialIntegralHead', 'SoftArgmaxHead', 'init_soft_argmax_heatmaps',
    'soft_argmax'
]

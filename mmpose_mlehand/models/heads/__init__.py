from .sequential_integral_head import IntegralStage, SequentialIntegralHead, soft_argmax

__all__ = ['IntegralStage', 'SequentialIntegralHead', 'soft_argmax']

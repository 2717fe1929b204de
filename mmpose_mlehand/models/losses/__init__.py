from .mle_loss import MLELoss

__all__ = ['MLELoss']

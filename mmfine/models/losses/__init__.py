from .binary_focal_loss import BinaryFocalLoss
from .bmn_loss import BMNLoss, weighted_binary_logistic_loss

__all__ = ['BMNLoss', 'weighted_binary_logistic_loss', 'BinaryFocalLoss']

"""Binary focal loss on logits (segmentation masks)."""
from typing import Optional

import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from mmfine.registry import MODELS


@MODELS.register_module()
class BinaryFocalLoss(nn.Module):
    """``FL = -alpha_t (1 - p_t)^gamma log(p_t)`` on logits, averaged over every element.

    With ``alpha=None`` it is what FineParser's release uses for its masks
    (``segmentation_models_pytorch.losses.FocalLoss('binary')``: no alpha_t, gamma 2, mean);
    ``alpha`` set gives the paper's Eq. 9 (``alpha_t = alpha`` on foreground, ``1 - alpha`` on
    background). The target is binarised at ``threshold`` (the release: ``round(mask)``, i.e.
    foreground from 0.5 of a [0, 1] mask).

    Args:
        gamma (float): Defaults to 2.0.
        alpha (float, optional): Defaults to None.
        threshold (float): Defaults to 0.5.
        loss_weight (float): Defaults to 1.0.
    """

    def __init__(self, gamma: float = 2.0, alpha: Optional[float] = None,
                 threshold: float = 0.5, loss_weight: float = 1.0) -> None:
        super().__init__()
        if alpha is not None and not 0 <= alpha <= 1:
            raise ValueError(f'alpha must be in [0, 1] or None, got {alpha}')
        self.gamma, self.alpha, self.threshold = gamma, alpha, threshold
        self.loss_weight = loss_weight

    def forward(self, logits: Tensor, target: Tensor, weight: Optional[Tensor] = None) -> Tensor:
        """logits and target of the same shape (target in [0, 1]); ``weight`` (broadcastable,
        e.g. 0 for samples without masks) -> scalar, the mean over weighted elements."""
        logits = logits.float()
        t = (target.float() >= self.threshold).float()
        bce = F.binary_cross_entropy_with_logits(logits, t, reduction='none')
        if self.gamma == 0:  # plain BCE: the modulating factor is exactly 1
            loss = bce
        else:
            pt = (-bce).exp()
            loss = (1 - pt).pow(self.gamma) * bce
        if self.alpha is not None:
            loss = loss * (self.alpha * t + (1 - self.alpha) * (1 - t))
        if weight is None:
            return self.loss_weight * loss.mean()
        w = weight.float().expand_as(loss)
        return self.loss_weight * (loss * w).sum() / w.sum().clamp(min=1)

"""BMN loss with masks for padded sequences."""
from typing import Optional, Tuple

import torch
import torch.nn as nn
from torch import Tensor

from mmfine.registry import MODELS


def weighted_binary_logistic_loss(pred: Tensor, target: Tensor, mask: Optional[Tensor] = None,
                                  threshold: float = 0.5, ratio_range=(1.05, 21),
                                  eps: float = 1e-5) -> Tensor:
    """BMN's class-balanced binary log loss over the entries where ``mask`` is true.

    Positives are ``target > threshold``; with ``r = entries / positives`` clipped to
    ``ratio_range``, positives weigh ``r / 2`` and negatives ``r / (2 (r - 1))``; the mean is
    over the masked entries (mmaction2's ``binary_logistic_regression_loss`` when the mask is
    all true).

    Args:
        pred (Tensor): probabilities, any shape.
        target (Tensor): same shape.
        mask (Tensor, optional): same shape, bool. Defaults to all entries.
    """
    if mask is None:
        mask = torch.ones_like(target, dtype=torch.bool)
    mask = mask.bool()
    pred, target = pred[mask], target[mask]  # [K]
    pmask = (target > threshold).float()
    num_positive = max(torch.sum(pmask), 1)
    ratio = max(len(target), 1) / num_positive
    ratio = min(max(ratio, ratio_range[0]), ratio_range[1])
    coef_0 = 0.5 * ratio / (ratio - 1)
    coef_1 = 0.5 * ratio
    loss = coef_1 * pmask * torch.log(pred + eps) + coef_0 * (1.0 - pmask) * torch.log(
        1.0 - pred + eps)
    return -loss.mean() if len(target) else pred.sum() * 0


@MODELS.register_module()
class BMNLoss(nn.Module):
    """Boundary-Matching Network loss (Lin et al., ICCV 2019), with masks.

    ``loss_tem`` (start + end, :func:`weighted_binary_logistic_loss`), ``loss_pem_reg``
    (squared error of the IoU regression channel on all high-IoU proposals plus random samples
    of middle- and low-IoU ones in the same number) and ``loss_pem_cls`` (class-balanced log
    loss of the IoU classification channel at ``iou > 0.9``). With full masks it computes what
    mmaction2's ``BMNLoss`` computes (same random sampling order); the masks leave padded steps
    out of every term.

    Args:
        weight_tem (float): Defaults to 1.0.
        weight_pem_reg (float): Defaults to 10.0.
        weight_pem_cls (float): Defaults to 1.0.
        high_iou (float): Defaults to 0.7.
        low_iou (float): Defaults to 0.3.
        cls_iou (float): Defaults to 0.9.
    """

    def __init__(self, weight_tem: float = 1.0, weight_pem_reg: float = 10.0,
                 weight_pem_cls: float = 1.0, high_iou: float = 0.7, low_iou: float = 0.3,
                 cls_iou: float = 0.9) -> None:
        super().__init__()
        self.weight_tem = weight_tem
        self.weight_pem_reg = weight_pem_reg
        self.weight_pem_cls = weight_pem_cls
        self.high_iou, self.low_iou, self.cls_iou = high_iou, low_iou, cls_iou

    def pem_reg_loss(self, pred: Tensor, gt_iou: Tensor, bm_mask: Tensor) -> Tensor:
        """pred, gt_iou (B, D, T); bm_mask (B, D, T) or (D, T) float."""
        h = (gt_iou > self.high_iou).float()
        m = ((gt_iou <= self.high_iou) & (gt_iou > self.low_iou)).float()
        lo = ((gt_iou <= self.low_iou) & (gt_iou > 0.)).float() * bm_mask
        num_h = h.sum()
        r_m = num_h / m.sum()
        sm = ((m * torch.rand_like(gt_iou)) > (1. - r_m)).float()
        r_l = num_h / lo.sum()
        sl = ((lo * torch.rand_like(gt_iou)) > (1. - r_l)).float()
        w = h + sm + sl
        return 0.5 * ((pred * w - gt_iou * w) ** 2).sum() / w.sum().clamp(min=1)

    def pem_cls_loss(self, pred: Tensor, gt_iou: Tensor, bm_mask: Tensor,
                     ratio_range=(1.05, 21), eps: float = 1e-5) -> Tensor:
        """pred, gt_iou (B, D, T); bm_mask (B, D, T) or (D, T) float."""
        p = (gt_iou > self.cls_iou).float()
        n = (gt_iou <= self.cls_iou).float() * bm_mask
        num_positive = max(torch.sum(p), 1)
        num_entries = num_positive + torch.sum(n)
        ratio = torch.clamp(num_entries / num_positive, ratio_range[0], ratio_range[1])
        coef_0 = 0.5 * ratio / (ratio - 1)
        coef_1 = 0.5 * ratio
        loss = coef_1 * torch.log(pred + eps) * p + coef_0 * torch.log(1.0 - pred + eps) * n
        return -loss.sum() / num_entries

    def forward(self, pred_bm: Tensor, pred_start: Tensor, pred_end: Tensor, gt_iou: Tensor,
                gt_start: Tensor, gt_end: Tensor, bm_mask: Tensor,
                step_mask: Optional[Tensor] = None) -> Tuple[Tensor, Tensor, Tensor]:
        """Compute the three terms (already weighted).

        Args:
            pred_bm (Tensor): (B, 2, D, T) [IoU regression, IoU classification] in [0, 1].
            pred_start (Tensor): (B, T).
            pred_end (Tensor): (B, T).
            gt_iou (Tensor): (B, D, T).
            gt_start (Tensor): (B, T).
            gt_end (Tensor): (B, T).
            bm_mask (Tensor): (D, T) or (B, D, T) float, valid proposals.
            step_mask (Tensor, optional): (B, T) bool, valid steps. Defaults to all.

        Returns:
            tuple[Tensor]: ``loss_tem``, ``loss_pem_reg``, ``loss_pem_cls``.
        """
        gt_iou = gt_iou * bm_mask
        reg = self.pem_reg_loss(pred_bm[:, 0].contiguous(), gt_iou, bm_mask)
        cls = self.pem_cls_loss(pred_bm[:, 1].contiguous(), gt_iou, bm_mask)
        tem = weighted_binary_logistic_loss(pred_start, gt_start, step_mask) + \
            weighted_binary_logistic_loss(pred_end, gt_end, step_mask)
        return self.weight_tem * tem, self.weight_pem_reg * reg, self.weight_pem_cls * cls

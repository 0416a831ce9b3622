"""Batched temporal Soft-NMS with BMN's Gaussian decay rule."""
from typing import Tuple

import torch
from torch import Tensor


@torch.no_grad()
def batched_temporal_soft_nms(tmin: Tensor, tmax: Tensor, scores: Tensor, valid: Tensor,
                              alpha: float = 0.4, low_threshold: float = 0.5,
                              high_threshold: float = 0.9,
                              max_picks: int = 101) -> Tuple[Tensor, Tensor, Tensor]:
    """Soft-NMS over the proposals of many videos at once.

    The rule of BMN's release (mmaction2 ``soft_nms``): repeatedly take the highest remaining
    score (the first one on ties, in input order); every other remaining proposal whose
    temporal IoU with it exceeds ``low + (high - low) * width`` (``width`` = the taken
    proposal's normalised length) has its score multiplied by ``exp(-iou^2 / alpha)``. Stops
    after ``max_picks`` proposals (mmaction2 takes ``top_k + 1``) or when none is left. Each step
    handles all videos at once: one loop of ``max_picks`` iterations, not one per video.

    Args:
        tmin (Tensor): (B, N) normalised starts, ordered as the caller wants ties broken.
        tmax (Tensor): (B, N) normalised ends.
        scores (Tensor): (B, N).
        valid (Tensor): (B, N) bool, real proposals (the rest is padding).
        alpha (float): Gaussian width. Defaults to 0.4.
        low_threshold (float): Defaults to 0.5.
        high_threshold (float): Defaults to 0.9.
        max_picks (int): Defaults to 101.

    Returns:
        tuple[Tensor]: ``index`` (B, K) long, positions (into N) of the taken proposals in the
        order taken; ``score`` (B, K), their decayed scores when taken; ``taken`` (B, K) bool
        (False once a video has no proposal left). K = ``min(max_picks, N)``.
    """
    B, N = scores.shape
    K = min(max_picks, N)
    neg_inf = float('-inf')
    score = torch.where(valid, scores, torch.full_like(scores, neg_inf))  # taken -> -inf
    rows = torch.arange(B, device=scores.device)
    out_index = torch.zeros(B, K, dtype=torch.long, device=scores.device)
    out_score = scores.new_zeros(B, K)
    taken = torch.zeros(B, K, dtype=torch.bool, device=scores.device)
    iou, tmp = torch.empty_like(score), torch.empty_like(score)  # [B, N] work buffers
    for k in range(K):
        best, j = score.max(dim=1)  # [B] first maximum
        has = best > neg_inf
        if not bool(has.any()):
            break
        out_index[:, k], out_score[:, k], taken[:, k] = j, best, has
        score[rows, j] = neg_inf
        s, e = tmin[rows, j], tmax[rows, j]  # [B]
        w = e - s
        # iou = inter / (w - inter + tmax - tmin), mmaction2's operation order
        torch.minimum(tmax, e[:, None], out=iou)
        torch.maximum(tmin, s[:, None], out=tmp)
        iou.sub_(tmp).clamp_(min=0.)
        torch.sub(w[:, None], iou, out=tmp)
        tmp.add_(tmax).sub_(tmin)
        iou.div_(tmp)
        # only the few proposals above the threshold decay (taken ones stay -inf)
        b_idx, n_idx = (iou > (low_threshold + (high_threshold - low_threshold) * w)[:, None]
                        ).nonzero(as_tuple=True)
        if len(b_idx):
            hit = iou[b_idx, n_idx]
            score[b_idx, n_idx] = score[b_idx, n_idx] * torch.exp(-hit.square() / alpha)
    return out_index, out_score, taken

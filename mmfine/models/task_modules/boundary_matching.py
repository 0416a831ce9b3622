"""Boundary-matching (BMN) geometry: the D x T proposal grid, the sampling matrix of the BM
layer, and the training targets, all vectorised.

Conventions (BMN, Lin et al., ICCV 2019, https://arxiv.org/abs/1907.09702, as in mmaction2's
``localizers/bmn.py``): a map entry ``[d, t]`` is the proposal that starts at step ``t`` and lasts
``d + 1`` steps, i.e. ``[t / T, (t + d + 1) / T]`` in units of the sequence. ``D`` (the maximum
duration) may be smaller than ``T``; mmaction2's BMN is the case ``D = T``.
"""
from typing import Tuple

import numpy as np
import torch
from torch import Tensor


def bm_sample_mask(temporal_dim: int, max_duration: int, num_samples: int,
                   num_samples_per_bin: int, boundary_ratio: float) -> Tensor:
    """Sampling matrix of the boundary-matching layer.

    For the proposal ``[t, t + d]`` (step indices) the layer samples ``num_samples`` bins evenly
    over the extended interval ``[t - r (d + 1), t + d + r (d + 1)]`` (``r = boundary_ratio``),
    each bin averaging ``num_samples_per_bin`` linearly interpolated points. Proposals with
    ``t + d >= T`` get zero columns. The interpolation splits a point ``s`` with
    ``math.modf`` (truncation towards zero) as mmaction2 does: ``1 - frac`` goes to ``trunc(s)``
    and ``frac`` to ``ceil(s)``, indices outside ``[0, T)`` dropped.

    Args:
        temporal_dim (int): T.
        max_duration (int): D.
        num_samples (int): N bins per proposal.
        num_samples_per_bin (int): points per bin.
        boundary_ratio (float): r.

    Returns:
        Tensor: (T, N * D * T) float32; ``x @ mask`` of features ``x`` (B, C, T) reshaped to
        (B, C, N, D, T) gives the sampled feature of every proposal.
    """
    T, D, N, S = temporal_dim, max_duration, num_samples, num_samples_per_bin
    t = np.arange(T, dtype=np.float64)[None, :]  # [1, T] start index
    d = np.arange(D, dtype=np.float64)[:, None]  # [D, 1] duration index
    center_len = d + 1.0
    s_min = t - center_len * boundary_ratio  # [D, T]
    s_max = (t + d) + center_len * boundary_ratio
    step = (s_max - s_min) / (N * S - 1.0)
    pts = s_min[..., None] + step[..., None] * np.arange(N * S)  # [D, T, N*S]
    frac, down = np.modf(pts)
    up = np.ceil(pts)
    bins = np.repeat(np.arange(N), S)  # [N*S] bin of each point
    cell = (np.arange(D)[:, None, None] * T + np.arange(T)[None, :, None]) * N + bins  # [D, T, N*S]
    index, weight = [], []
    for pos, w in ((down, 1.0 - frac), (up, frac)):
        pos = pos.astype(np.int64)
        ok = (pos >= 0) & (pos <= T - 1)
        index.append(cell[ok] * T + pos[ok])
        weight.append(w[ok])
    mask = np.bincount(np.concatenate(index), np.concatenate(weight),
                       minlength=D * T * N * T).reshape(D, T, N, T)  # [D, T, bin, position]
    mask *= 1.0 / S
    mask[(t + d) >= T] = 0.0  # proposals running past the end
    # [D, T, N, T_pos] -> [T_pos, N, D, T]
    mask = mask.transpose(3, 2, 0, 1).astype(np.float32)
    return torch.from_numpy(np.ascontiguousarray(mask)).view(T, -1)


def bm_valid_mask(temporal_dim: int, max_duration: int) -> Tensor:
    """(D, T) float mask, 1 where ``t + d < T`` (mmaction2's ``bm_mask`` for ``D = T``)."""
    d = torch.arange(max_duration)[:, None]
    t = torch.arange(temporal_dim)[None, :]
    return (t + d < temporal_dim).float()


def bm_proposal_bounds(temporal_dim: int, max_duration: int,
                       dtype: torch.dtype = torch.float64) -> Tuple[Tensor, Tensor]:
    """Normalised ``(tmin, tmax)`` of every map entry, each (D, T):
    ``tmin = t / T``, ``tmax = tmin + (d + 1) / T`` (computed as mmaction2's match map)."""
    gap = 1.0 / temporal_dim
    tmin = gap * torch.arange(temporal_dim, dtype=dtype)[None, :].expand(max_duration, -1)
    tmax = tmin + gap * torch.arange(1, max_duration + 1, dtype=dtype)[:, None]
    return tmin, tmax


@torch.no_grad()
def bmn_targets(gt_segments: Tensor, gt_valid: Tensor, temporal_dim: int, max_duration: int,
                gt_labels: Tensor = None) -> dict:
    """BMN training targets for a batch, without Python loops over videos or segments.

    Args:
        gt_segments (Tensor): (B, M, 2) normalised ``[tmin, tmax]`` (padded).
        gt_valid (Tensor): (B, M) bool, real segments.
        temporal_dim (int): T.
        max_duration (int): D.
        gt_labels (Tensor, optional): (B, M) class ids, for the proposal class targets.

    Returns:
        dict: ``iou_map`` (B, D, T) float32 max IoU of each proposal with a ground truth;
        ``start`` / ``end`` (B, T) float32 max IoP of the anchor ``[(t - 0.5) / T, (t + 1.5) /
        T]`` with the ``3 / T`` wide boundary regions (mmaction2's ``generate_labels``);
        ``labels`` (B, D, T) long class of the best ground truth (when ``gt_labels`` given).
    """
    seg = gt_segments.to(torch.float64)
    valid = gt_valid.bool()
    B = seg.shape[0]
    tmin, tmax = bm_proposal_bounds(temporal_dim, max_duration)
    tmin, tmax = tmin.to(seg.device), tmax.to(seg.device)
    g0 = seg[..., 0][:, :, None, None]  # [B, M, 1, 1]
    g1 = seg[..., 1][:, :, None, None]
    inter = (torch.minimum(tmax, g1) - torch.maximum(tmin, g0)).clamp(min=0)  # [B, M, D, T]
    union = (tmax - tmin) - inter + (g1 - g0)
    iou = (inter / union).to(torch.float32)
    iou = torch.where(valid[:, :, None, None], iou, torch.zeros((), dtype=iou.dtype,
                                                               device=iou.device))
    if seg.shape[1]:
        iou_map, best = iou.max(dim=1)  # [B, D, T]
    else:
        iou_map = iou.new_zeros(B, max_duration, temporal_dim)
        best = torch.zeros_like(iou_map, dtype=torch.long)
    gap = 1.0 / temporal_dim
    idx = torch.arange(temporal_dim, dtype=torch.float64, device=seg.device)
    a0, a1 = gap * (idx - 0.5), gap * (idx + 1.5)  # [T] anchors
    pad = 3 * gap

    def iop(centre):  # centre [B, M] -> [B, T] max IoP of the anchors with centre +- pad / 2
        b0 = (centre - pad / 2)[:, :, None]
        b1 = (centre + pad / 2)[:, :, None]
        inter = (torch.minimum(a1, b1) - torch.maximum(a0, b0)).clamp(min=0)  # [B, M, T]
        score = torch.where(valid[:, :, None], inter / (a1 - a0), torch.zeros((), dtype=inter.dtype,
                                                                               device=inter.device))
        return score.max(dim=1).values.float() if seg.shape[1] else \
            score.new_zeros(B, temporal_dim).float()

    out = dict(iou_map=iou_map, start=iop(seg[..., 0]), end=iop(seg[..., 1]))
    if gt_labels is not None:
        labels = gt_labels.long()
        out['labels'] = labels.gather(1, best.flatten(1)).view_as(best) if seg.shape[1] \
            else best
    return out

"""Building blocks of FineParser's regression path (TAP's PSNet, the step projections, FineReg).

The 1-D convolutions here follow the FineParser release: the *frames / snippets / tokens* of a
video are the convolution's channels and the *feature vector* is its length axis (so a
``(B, 9, 1024)`` snippet-feature sequence is 9 channels of length 1024).
"""
from typing import Sequence

import torch
import torch.nn as nn
from torch import Tensor


class DoubleConv1d(nn.Sequential):
    """2 x (Conv1d k3 p1 + BN1d + ReLU): (B, C_in, L) -> (B, C_out, L)."""

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__(
            nn.Conv1d(in_channels, out_channels, 3, padding=1), nn.BatchNorm1d(out_channels),
            nn.ReLU(inplace=True),
            nn.Conv1d(out_channels, out_channels, 3, padding=1), nn.BatchNorm1d(out_channels),
            nn.ReLU(inplace=True))


class DownConv1d(nn.Sequential):
    """MaxPool1d(2) + :class:`DoubleConv1d`: (B, C_in, L) -> (B, C_out, L / 2)."""

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__(nn.MaxPool1d(2), DoubleConv1d(in_channels, out_channels))


class MLP(nn.Sequential):
    """Linear layers with ReLU between them (and after the last one if ``last_relu``)."""

    def __init__(self, dims: Sequence[int], last_relu: bool = False) -> None:
        layers = []
        for i, (a, b) in enumerate(zip(dims[:-1], dims[1:])):
            layers.append(nn.Linear(a, b))
            if i < len(dims) - 2 or last_relu:
                layers.append(nn.ReLU(inplace=True))
        super().__init__(*layers)


class SnippetStepProjection(nn.Module):
    """The release's ``C_channel``: one step's resampled snippet features -> tokens.

    ``(B, n, D)`` (n resampled snippets, the step duration) -> DoubleConv1d(n -> 2n) ->
    DoubleConv1d(2n -> 3n) -> MLP(D -> D/2 -> D/4 -> out) with ReLU after every layer ->
    ``(B, 3n, out)``: 12 tokens of 64 for n = 4, D = 1024 (673,704 parameters).

    Args:
        num_snippets (int): n, the resample length f. Defaults to 4.
        in_features (int): D. Defaults to 1024.
        out_features (int): Defaults to 64.
    """

    def __init__(self, num_snippets: int = 4, in_features: int = 1024,
                 out_features: int = 64) -> None:
        super().__init__()
        n = num_snippets
        self.convs = nn.Sequential(DoubleConv1d(n, 2 * n), DoubleConv1d(2 * n, 3 * n))
        self.mlp = MLP([in_features, in_features // 2, in_features // 4, out_features],
                       last_relu=True)
        self.num_tokens = 3 * n

    def forward(self, x: Tensor) -> Tensor:
        """(B, n, D) -> (B, 3n, out)."""
        return self.mlp(self.convs(x))


class FrameStepProjection(nn.Module):
    """The release's SVE projection f_l: one step's resampled per-frame features -> tokens.

    ``(B, n_l, D)`` -> DoubleConv1d(n_l -> c) -> DownConv1d(c -> c/2) -> (c/2 -> c/4) ->
    (c/4 -> tokens) -> ``(B, tokens, D / 8)``: 4 tokens of 64 for D = 512, c = 48.

    Args:
        num_frames (int): n_l (36 / 60 / 48 in the release).
        channels (int): c. Defaults to 48.
        num_tokens (int): Defaults to 4.
    """

    def __init__(self, num_frames: int, channels: int = 48, num_tokens: int = 4) -> None:
        super().__init__()
        c = channels
        self.layers = nn.Sequential(
            DoubleConv1d(num_frames, c), DownConv1d(c, c // 2), DownConv1d(c // 2, c // 4),
            DownConv1d(c // 4, num_tokens))
        self.num_tokens = num_tokens

    def forward(self, x: Tensor) -> Tensor:
        """(B, n_l, D) -> (B, tokens, D / 8)."""
        return self.layers(x)


class CrossAttention(nn.Module):
    """Multi-head cross-attention: queries from ``q``, keys and values from ``kv``
    (bias-free q / k / v projections, an output projection with bias, as the release)."""

    def __init__(self, dim: int, num_heads: int) -> None:
        super().__init__()
        if dim % num_heads:
            raise ValueError(f'dim {dim} is not divisible by num_heads {num_heads}')
        self.num_heads = num_heads
        self.scale = (dim // num_heads) ** -0.5
        self.q = nn.Linear(dim, dim, bias=False)
        self.k = nn.Linear(dim, dim, bias=False)
        self.v = nn.Linear(dim, dim, bias=False)
        self.proj = nn.Linear(dim, dim)

    def forward(self, q: Tensor, kv: Tensor) -> Tensor:
        """(B, Nq, D), (B, Nk, D) -> (B, Nq, D)."""
        B, Nq, D = q.shape
        h = self.num_heads
        split = (lambda x: x.reshape(B, -1, h, D // h).transpose(1, 2))  # [B, h, N, D/h]
        qh, kh, vh = split(self.q(q)), split(self.k(kv)), split(self.v(kv))
        attn = (qh @ kh.transpose(-2, -1) * self.scale).softmax(-1)  # [B, h, Nq, Nk]
        return self.proj((attn @ vh).transpose(1, 2).reshape(B, Nq, D))


class CrossAttentionBlock(nn.Module):
    """``q = q + CrossAttn(LN(q), LN(kv)); q = q + MLP(LN(q))`` (no self-attention, no
    positional embedding, no dropout: the release's ``DecoderBlock``)."""

    def __init__(self, dim: int, num_heads: int, mlp_ratio: int = 4) -> None:
        super().__init__()
        self.norm_q, self.norm_kv, self.norm_mlp = (nn.LayerNorm(dim), nn.LayerNorm(dim),
                                                     nn.LayerNorm(dim))
        self.attn = CrossAttention(dim, num_heads)
        self.mlp = nn.Sequential(nn.Linear(dim, mlp_ratio * dim), nn.GELU(),
                                 nn.Linear(mlp_ratio * dim, dim))

    def forward(self, q: Tensor, kv: Tensor) -> Tensor:
        q = q + self.attn(self.norm_q(q), self.norm_kv(kv))
        return q + self.mlp(self.norm_mlp(q))


class CrossAttentionDecoder(nn.Module):
    """``num_layers`` :class:`CrossAttentionBlock` s; the keys / values are the same ``kv``
    at every layer (the release's ``decoder_fuser``: 149,760 parameters at dim 64, 3 layers).

    Args:
        dim (int): Defaults to 64.
        num_heads (int): Defaults to 8.
        num_layers (int): Defaults to 3.
    """

    def __init__(self, dim: int = 64, num_heads: int = 8, num_layers: int = 3) -> None:
        super().__init__()
        self.layers = nn.ModuleList(
            [CrossAttentionBlock(dim, num_heads) for _ in range(num_layers)])

    def forward(self, q: Tensor, kv: Tensor) -> Tensor:
        """(B, Nq, D) queries attend to (B, Nk, D) -> (B, Nq, D)."""
        for layer in self.layers:
            q = layer(q, kv)
        return q


def resample(x: Tensor, size: int) -> Tensor:
    """Linear resampling along the last axis (``align_corners=True``, as the release):
    (B, C, L) -> (B, C, size); a length-1 input is repeated."""
    if x.shape[-1] == 1:
        return x.expand(*x.shape[:-1], size)
    return nn.functional.interpolate(x, size=size, mode='linear', align_corners=True)


def cut_snippet_steps(feats: Tensor, starts: Tensor, ends: Tensor, size: int,
                      release_offset: bool = True) -> Tensor:
    """The V stream's step cut at snippet resolution (the release's ``seg_pool_1d``).

    Step 1 = snippets ``[0, st]``, step 2 = ``[st, ed]``, step 3 = ``[ed - 1, N)`` in the
    release (``release_offset``; its third step starts one snippet early, and ``ed = 0`` wraps
    to the last snippet), ``[ed, N)`` otherwise; each resampled to ``size`` snippets.

    Args:
        feats (Tensor): (B, N, D) snippet features.
        starts (Tensor): (B,) int ``st`` per sample.
        ends (Tensor): (B,) int ``ed`` per sample.
        size (int): f, the resample length.
        release_offset (bool): Defaults to True.

    Returns:
        Tensor: (B, 3, size, D).
    """
    B, N, D = feats.shape
    x = feats.transpose(1, 2)  # [B, D, N]
    out = []
    for b in range(B):
        st = int(starts[b].clamp(0, N - 1))
        ed = int(ends[b].clamp(st, N - 1))
        third = ed - 1 if release_offset else ed
        pieces = (x[b:b + 1, :, :st + 1], x[b:b + 1, :, st:ed + 1], x[b:b + 1, :, third:])
        out.append(torch.stack([resample(p, size)[0].transpose(0, 1) for p in pieces]))
    return torch.stack(out)  # [B, 3, size, D]


def cut_frame_steps(feats: Tensor, t1: Tensor, t2: Tensor, sizes: Sequence[int] = (36, 60, 48),
                    overlap: int = 5) -> list:
    """The S stream's step cut at frame resolution (the release's ``seg_pool_2d``).

    Step 1 = frames ``[0, t1 + overlap)``, step 2 = ``[max(0, t1 - overlap), t2 + overlap)``,
    step 3 = ``[max(0, t2 - overlap), T)``, each resampled to its size.

    Args:
        feats (Tensor): (B, T, D) per-frame features.
        t1, t2 (Tensor): (B,) int transitions of each video.
        sizes (Sequence[int]): the three resample lengths. Defaults to (36, 60, 48).
        overlap (int): Defaults to 5.

    Returns:
        list[Tensor]: three (B, size_l, D) tensors.
    """
    B, T, D = feats.shape
    x = feats.transpose(1, 2)  # [B, D, T]
    steps = [[], [], []]
    for b in range(B):
        a = int(t1[b].clamp(0, T - 1))
        c = int(t2[b].clamp(a, T - 1))
        pieces = (x[b:b + 1, :, :a + overlap], x[b:b + 1, :, max(0, a - overlap):c + overlap],
                  x[b:b + 1, :, max(0, c - overlap):])
        for s, (p, n) in enumerate(zip(pieces, sizes)):
            steps[s].append(resample(p, n)[0].transpose(0, 1))
    return [torch.stack(s) for s in steps]

"""FineAction's multi-scale transformer neck."""
from typing import Dict, List, Optional, Tuple

import torch.nn as nn
from mmengine.model import BaseModule
from torch import Tensor

from mmfine.registry import MODELS


class TransformerUnit(nn.Module):
    """Pre-LayerNorm self-attention + FFN block, residual after each, padded steps zeroed.

    Args:
        embed_dims (int): C.
        num_heads (int): attention heads.
        ffn_ratio (float): FFN hidden size / C.
        dropout (float): dropout on attention weights and both residual branches.
    """

    def __init__(self, embed_dims: int, num_heads: int, ffn_ratio: float, dropout: float):
        super().__init__()
        self.norm1 = nn.LayerNorm(embed_dims)
        self.attn = nn.MultiheadAttention(embed_dims, num_heads, dropout=dropout,
                                          batch_first=True)
        self.norm2 = nn.LayerNorm(embed_dims)
        hidden = int(embed_dims * ffn_ratio)
        self.ffn = nn.Sequential(nn.Linear(embed_dims, hidden), nn.GELU(), nn.Dropout(dropout),
                                 nn.Linear(hidden, embed_dims))
        self.drop = nn.Dropout(dropout)

    def forward(self, x: Tensor, mask: Tensor) -> Tensor:
        """x (B, T, C), mask (B, T) bool -> (B, T, C)."""
        h = self.norm1(x)
        h, _ = self.attn(h, h, h, key_padding_mask=~mask, need_weights=False)
        x = x + self.drop(h)
        x = x + self.drop(self.ffn(self.norm2(x)))
        return x * mask[..., None]


@MODELS.register_module()
class MultiScaleTransformerNeck(BaseModule):
    """Multi-scale transformer neck of the FineAction baseline (Liu et al., TIP 2022,
    https://arxiv.org/abs/2105.11107, Sec. IV-C).

    ::

        x (B, D_in, T) -> conv1d + ReLU -> conv1d + ReLU          (D_in -> C -> C)
          -> unit_0 ------------------------------------> level 0 (B, C, T)
          -> strided conv1d (x1/2) -> unit_1 ----------> level 1 (B, C, T/2)
          -> ...                                        -> level L-1 (B, C, T/2^(L-1))

    A unit is pre-LayerNorm multi-head self-attention and FFN, each with a residual; padded
    steps (``mask`` false) are masked in attention and zeroed. A level's mask is the previous
    one taken every second step (the strided convolution's centres).

    Args:
        in_channels (int): D_in (FineAction: 4096, I3D RGB + flow).
        embed_dims (int): C. Defaults to 512.
        num_levels (int): transformer units = pyramid levels. Defaults to 5.
        num_heads (int): Defaults to 8.
        ffn_ratio (float): Defaults to 4.
        dropout (float): Defaults to 0.1.
        init_cfg (dict, optional): Defaults to None.
    """

    def __init__(self, in_channels: int, embed_dims: int = 512, num_levels: int = 5,
                 num_heads: int = 8, ffn_ratio: float = 4., dropout: float = 0.1,
                 init_cfg: Optional[Dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.num_levels = num_levels
        self.proj = nn.ModuleList([
            nn.Conv1d(in_channels, embed_dims, kernel_size=3, padding=1),
            nn.Conv1d(embed_dims, embed_dims, kernel_size=3, padding=1)])
        self.units = nn.ModuleList(
            [TransformerUnit(embed_dims, num_heads, ffn_ratio, dropout)
             for _ in range(num_levels)])
        self.downsample = nn.ModuleList(
            [nn.Conv1d(embed_dims, embed_dims, kernel_size=3, stride=2, padding=1)
             for _ in range(num_levels - 1)])
        self.act = nn.ReLU(inplace=True)

    def level_lengths(self, length: int) -> List[int]:
        """``T_l`` of every level for an input of ``length`` steps (``ceil`` halving)."""
        out = [int(length)]
        for _ in range(self.num_levels - 1):
            out.append(-(-out[-1] // 2))
        return out

    def forward(self, x: Tensor, mask: Tensor) -> Tuple[List[Tensor], List[Tensor]]:
        """Pyramid of features.

        Args:
            x (Tensor): (B, D_in, T).
            mask (Tensor): (B, T) bool valid steps.

        Returns:
            tuple[list[Tensor], list[Tensor]]: features (B, C, T_l) and masks (B, T_l) per
            level, ``T_l = ceil(T / 2^l)``.
        """
        m = mask[:, None, :].to(x.dtype)  # [B, 1, T]
        for conv in self.proj:
            x = self.act(conv(x)) * m  # [B, C, T]
        feats, masks = [], []
        for lvl, unit in enumerate(self.units):
            if lvl > 0:
                x = self.downsample[lvl - 1](x)  # [B, C, ceil(T / 2)]
                mask = mask[:, ::2]
            x = unit(x.transpose(1, 2), mask).transpose(1, 2)  # [B, C, T_l]
            feats.append(x)
            masks.append(mask)
        return feats, masks

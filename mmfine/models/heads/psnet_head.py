"""TAP's step-transition predictor (PSNet of TSA / FineParser)."""
from typing import Dict, Optional

import torch
import torch.nn as nn
from mmengine.model import BaseModule
from torch import Tensor

from mmfine.registry import MODELS, TASK_UTILS
from ..layers.aqa_blocks import MLP, DoubleConv1d, DownConv1d


@MODELS.register_module()
class PSNetHead(BaseModule):
    """Transition probabilities of every frame from the gated snippet features.

    Paper: Xu et al., "FineDiving" (TSA), CVPR 2022 (PSNet) and "FineParser", CVPR 2024,
    Eq. 4 / 10; release ``models/PS.py``. The snippets are the convolution's channels, the
    feature its length (facts sheet 2.3)::

        X_V (B, N=9, D=1024)
          inc: DoubleConv1d(N -> 12)               (B, 12, D)
          down x4: MaxPool1d(2) + DoubleConv1d     (B, 24, D/2) (B, 48, D/4) (B, 96, D/8)
                                                   (B, 96, D/16)
          MLP(D/16 -> 128 -> 64 -> K), sigmoid     S (B, T=96, K=2)

    (128,846 parameters at N = 9, D = 1024.) The output has ``num_frames`` = 96 rows, one per
    sampled frame, because the last convolutions have 96 channels.

    Args:
        num_snippets (int): N. Defaults to 9.
        in_features (int): D (divisible by 16). Defaults to 1024.
        num_frames (int): T. Defaults to 96.
        num_transitions (int): K. Defaults to 2.
        decoder (dict): :class:`TransitionDecoder` config. Defaults to the release's
            ``dict(type='TransitionDecoder', method='fixed_windows')``.
        loss_weight (float): weight of L_TAP, the mean BCE over every (frame, transition) as
            the release (the paper's Eq. 10 sums over t). Defaults to 1.0.
        init_cfg (dict, optional): Defaults to None.
    """

    def __init__(self,
                 num_snippets: int = 9,
                 in_features: int = 1024,
                 num_frames: int = 96,
                 num_transitions: int = 2,
                 decoder: dict = dict(type='TransitionDecoder', method='fixed_windows'),
                 loss_weight: float = 1.0,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if in_features % 16:
            raise ValueError(f'in_features must be divisible by 16, got {in_features}')
        self.num_frames, self.num_transitions = num_frames, num_transitions
        self.inc = DoubleConv1d(num_snippets, 12)
        self.down = nn.Sequential(DownConv1d(12, 24), DownConv1d(24, 48),
                                  DownConv1d(48, num_frames), DownConv1d(num_frames, num_frames))
        self.mlp = MLP([in_features // 16, 128, 64, num_transitions])
        self.decoder = TASK_UTILS.build(decoder)
        self.loss_weight = loss_weight

    def forward(self, x: Tensor) -> Tensor:
        """(B, N, D) -> (B, T, K) transition probabilities."""
        return self.mlp(self.down(self.inc(x))).sigmoid()

    def loss(self, probs: Tensor, transitions: Tensor,
             valid: Optional[Tensor] = None) -> Dict[str, Tensor]:
        """BCE between ``probs`` (B, T, K) and one-hot targets at the ground-truth
        ``transitions`` (B, K); ``valid`` (B,) masks out clips without step labels."""
        B, T, K = probs.shape
        target = torch.zeros_like(probs)  # [B, T, K]
        t = transitions.long().clamp(0, T - 1)
        target[torch.arange(B)[:, None], t, torch.arange(K)[None]] = 1
        weight = torch.ones_like(probs) if valid is None else \
            valid.float()[:, None, None].expand_as(probs)
        p = probs.float().clamp(1e-6, 1 - 1e-6)
        bce = -(target * p.log() + (1 - target) * (1 - p).log())
        return dict(loss_tap=self.loss_weight * (bce * weight).sum() / weight.sum().clamp(min=1))

    def predict(self, probs: Tensor) -> Tensor:
        """(B, T, K) -> (B, K) int64 transitions."""
        return self.decoder(probs)

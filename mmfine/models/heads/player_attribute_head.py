"""Linear readers of a player's jersey colour, number and action at its feature cell."""
from typing import Dict, List, Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmengine.structures import InstanceData
from torch import Tensor

from mmfine.registry import MODELS


@MODELS.register_module()
class PlayerAttributeHead(BaseModule):
    """One linear classifier per player attribute, reading the features at the player's cell.

    Data flow (B samples of P player crops, features of C channels on a T' x h' x w' grid)::

        feats (B*P, C, T', h', w') --cell of each player's box centre--> (B*P, C, T')
          | flatten (C * T'), dropout
          +--> colour logits (B*P, K_colour)
          +--> number logits (B*P, K_number)
          +--> action logits (B*P, K_action + 1)   (last: no action)

    Linear readers ask the backbone itself to make the attributes linearly separable at the
    player's cell: that is where PoSTAL's PTA compares the video features with the prompt's
    words, and where its target map and tube queries read them.

    Args:
        in_channels (int): C.
        num_segments (int): T' of the features (they are flattened over time, so the readers
            see the order of the motion).
        num_classes (dict[str, int]): classes per attribute, e.g.
            ``dict(colour=6, number=10, action=9)``.
        loss_weights (dict[str, float], optional): per attribute. Defaults to 1 each.
        dropout (float): before the readers. Defaults to 0.
        init_cfg (dict, optional): Defaults to None.
    """

    def __init__(self, in_channels: int, num_segments: int, num_classes: Dict[str, int],
                 loss_weights: Optional[Dict[str, float]] = None, dropout: float = 0.0,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if not num_classes:
            raise ValueError('PlayerAttributeHead needs num_classes per attribute')
        self.attributes = list(num_classes)
        self.in_channels = in_channels
        self.num_segments = num_segments
        self.loss_weights = {k: float((loss_weights or {}).get(k, 1.0)) for k in self.attributes}
        self.dropout = nn.Dropout(dropout)
        self.readers = nn.ModuleDict({
            k: nn.Linear(in_channels * num_segments, int(n)) for k, n in num_classes.items()})

    @staticmethod
    def cell_features(feats: Tensor, centres: Tensor, crop_shape: Sequence[int]) -> Tensor:
        """Features at the cell holding each centre.

        Args:
            feats (Tensor): (N, C, T', h', w').
            centres (Tensor): (N, 2) ``(x, y)`` pixels of a ``crop_shape`` = (h, w) input.

        Returns:
            Tensor: (N, C, T').
        """
        N, C, T, H, W = feats.shape
        h, w = crop_shape
        col = (centres[:, 0] / w * W).long().clamp(0, W - 1)
        row = (centres[:, 1] / h * H).long().clamp(0, H - 1)
        idx = (row * W + col).view(N, 1, 1, 1).expand(N, C, T, 1)
        return feats.flatten(3).gather(3, idx)[..., 0]

    def forward(self, feats: Tensor, centres: Tensor,
                crop_shape: Sequence[int]) -> Dict[str, Tensor]:
        """Logits per attribute, (N, K_attr) each (N = B * P)."""
        x = self.cell_features(feats, centres, crop_shape)
        if x.shape[1:] != (self.in_channels, self.num_segments):
            raise ValueError(f'PlayerAttributeHead: features of {tuple(x.shape[1:])} (C, T\') '
                             f'per player, expected ({self.in_channels}, {self.num_segments})')
        x = self.dropout(x.flatten(1))
        return {k: self.readers[k](x) for k in self.attributes}

    @staticmethod
    def _targets(data_samples: Sequence, key: str, device) -> Tensor:
        return torch.cat([s.gt_players.get(key) for s in data_samples]).to(device)

    @staticmethod
    def _centres(data_samples: Sequence) -> Tensor:
        return torch.cat([s.gt_players.centre for s in data_samples])

    def loss(self, feats: Tensor, data_samples: Sequence) -> Dict[str, Tensor]:
        """CE per attribute over the real (non-padding) players."""
        logits = self(feats, self._centres(data_samples).to(feats.device),
                      data_samples[0].metainfo['img_shape'])
        losses = {}
        for k, lg in logits.items():
            target = self._targets(data_samples, k, lg.device)
            if (target >= 0).any():
                losses[f'loss_{k}'] = self.loss_weights[k] * F.cross_entropy(
                    lg, target, ignore_index=-100)
            else:
                losses[f'loss_{k}'] = lg.sum() * 0
        return losses

    def predict(self, feats: Tensor, data_samples: Sequence) -> List:
        """Each data sample gets ``pred_players`` (:obj:`InstanceData`, P rows): ``{attr}_scores``
        (P, K_attr) softmax and ``{attr}`` (P,) argmax per attribute."""
        logits = self(feats, self._centres(data_samples).to(feats.device),
                      data_samples[0].metainfo['img_shape'])
        P = len(data_samples[0].gt_players)
        for b, s in enumerate(data_samples):
            pred = InstanceData()
            for k, lg in logits.items():
                scores = lg[b * P:(b + 1) * P].softmax(-1)
                pred.set_field(scores, f'{k}_scores')
                pred.set_field(scores.argmax(-1), k)
            s.pred_players = pred
        return data_samples

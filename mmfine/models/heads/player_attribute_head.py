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
          +--> centre offset (B*P, 2)  (with ``centre_loss_weight`` > 0: where in the cell
               the player's box centre lies, in cell units, in [-0.5, 0.5])

    Linear readers ask the backbone itself to make the attributes linearly separable at the
    player's cell: that is where PoSTAL's PTA compares the video features with the prompt's
    words, and where its target map and tube queries read them. The optional centre
    regression (smooth L1 on the offset of the box centre from the centre of its cell) asks the
    features to also tell *where in the cell* the player is: the random shifts of the crops
    would otherwise teach the backbone to ignore it, and PoSTAL's boxes need it (its tube
    queries start at a cell centre).

    Args:
        in_channels (int): C.
        num_segments (int): T' of the features (they are flattened over time, so the readers
            see the order of the motion).
        num_classes (dict[str, int]): classes per attribute, e.g.
            ``dict(colour=6, number=10, action=9)``.
        loss_weights (dict[str, float], optional): per attribute. Defaults to 1 each.
        dropout (float): before the readers. Defaults to 0.
        centre_loss_weight (float): weight of the centre regression; 0 builds none.
            Defaults to 0.
        init_cfg (dict, optional): Defaults to None.
    """

    def __init__(self, in_channels: int, num_segments: int, num_classes: Dict[str, int],
                 loss_weights: Optional[Dict[str, float]] = None, dropout: float = 0.0,
                 centre_loss_weight: float = 0.0,
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
        self.centre_loss_weight = float(centre_loss_weight)
        if self.centre_loss_weight > 0:
            self.centre_reg = nn.Linear(in_channels * num_segments, 2)

    @staticmethod
    def centre_offsets(centres: Tensor, crop_shape: Sequence[int],
                       grid: Sequence[int]) -> Tensor:
        """Offset of each centre from the centre of the cell holding it, in cell units.

        Args:
            centres (Tensor): (N, 2) ``(x, y)`` pixels of a ``crop_shape`` = (h, w) input.
            grid (Sequence[int]): (h', w') cells.

        Returns:
            Tensor: (N, 2) in [-0.5, 0.5].
        """
        (h, w), (H, W) = crop_shape, grid
        pos = centres / centres.new_tensor([w / W, h / H])  # in cells
        cell = pos.floor().clamp(min=0)
        cell = torch.minimum(cell, cell.new_tensor([W - 1, H - 1]))
        return (pos - cell - 0.5).clamp(-0.5, 0.5)

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
        """Logits per attribute, (N, K_attr) each (N = B * P), and ``centre`` (N, 2) offsets
        with the centre regression."""
        x = self.cell_features(feats, centres, crop_shape)
        if x.shape[1:] != (self.in_channels, self.num_segments):
            raise ValueError(f'PlayerAttributeHead: features of {tuple(x.shape[1:])} (C, T\') '
                             f'per player, expected ({self.in_channels}, {self.num_segments})')
        x = self.dropout(x.flatten(1))
        out = {k: self.readers[k](x) for k in self.attributes}
        if self.centre_loss_weight > 0:
            out['centre'] = self.centre_reg(x)
        return out

    @staticmethod
    def _targets(data_samples: Sequence, key: str, device) -> Tensor:
        return torch.cat([s.gt_players.get(key) for s in data_samples]).to(device)

    @staticmethod
    def _centres(data_samples: Sequence) -> Tensor:
        return torch.cat([s.gt_players.centre for s in data_samples])

    def loss(self, feats: Tensor, data_samples: Sequence) -> Dict[str, Tensor]:
        """CE per attribute over the real (non-padding) players (and the centre regression's
        smooth L1)."""
        centres = self._centres(data_samples).to(feats.device)
        crop = data_samples[0].metainfo['img_shape']
        logits = self(feats, centres, crop)
        losses = {}
        if 'centre' in logits:
            pred = logits.pop('centre')  # (N, 2); the rest are the classifiers
            real = self._targets(data_samples, 'index', feats.device) >= 0
            target = self.centre_offsets(centres, crop, feats.shape[-2:])
            losses['loss_centre'] = self.centre_loss_weight * F.smooth_l1_loss(
                pred[real], target[real], beta=0.1) if real.any() else pred.sum() * 0
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
        (P, K_attr) softmax and ``{attr}`` (P,) argmax per attribute; with the centre
        regression also ``centre_error`` (P,), the distance in pixels between the predicted and
        the true box centre."""
        centres = self._centres(data_samples).to(feats.device)
        crop = data_samples[0].metainfo['img_shape']
        logits = self(feats, centres, crop)
        P = len(data_samples[0].gt_players)
        error = None
        if 'centre' in logits:
            H, W = feats.shape[-2:]
            cell = centres.new_tensor([crop[1] / W, crop[0] / H])
            diff = (logits.pop('centre') - self.centre_offsets(centres, crop, (H, W))) * cell
            error = diff.norm(dim=-1)
        for b, s in enumerate(data_samples):
            pred = InstanceData()
            if error is not None:
                pred.centre_error = error[b * P:(b + 1) * P]
            for k, lg in logits.items():
                scores = lg[b * P:(b + 1) * P].softmax(-1)
                pred.set_field(scores, f'{k}_scores')
                pred.set_field(scores.argmax(-1), k)
            s.pred_players = pred
        return data_samples

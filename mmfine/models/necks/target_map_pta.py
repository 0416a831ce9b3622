"""PTA with a target map: where is the prompted player (an mmfine addition, not in the paper)."""
from typing import Dict, Sequence, Tuple

import torch
import torch.nn as nn
from torch import Tensor

from mmfine.registry import MODELS
from ..layers import box_centre_cell
from .pta import PTA


@MODELS.register_module()
class TargetMapPTA(PTA):
    """:class:`PTA` plus a target map, the small synthetic configs' aid for a CPU budget.

    Not in the paper. A 1x1 projection of X_P (averaged over time) scores every spatial
    position; an auxiliary CE over the H' x W' positions asks for the cell holding the centre
    of the target's keyframe box (clips that contain the target only). It gives the prompt
    fusion a dense signal early in training. The map (softmax, detached) is handed to the head
    (``head_inputs``: :class:`ReferencePointATDHead` starts its queries there), and with
    ``contain_input='target'`` the contains-target decision reads X_P averaged under the map,
    i.e. the features where the prompted player is.

    Data flow (in addition to :class:`PTA`'s)::

        X_P (B, T'H'W', C_T) --1x1--> per position (B, T', H'W') --mean over T'-->
            target_map_logits (B, H'W') --softmax, detached--> target_map (B, H'W')
        contains-target input ('target'): sum over positions of target_map * X_P  (B, C_T)

    Args:
        loss_target_map (dict): the map's loss. Defaults to CE, weight 1.
        contain_input (str): ``'target'``, ``'fused'`` or ``'video'``. Defaults to
            ``'target'``.
        **kwargs: :class:`PTA` arguments.
    """

    CONTAIN_INPUTS = ('fused', 'video', 'target')
    head_inputs = ('target_map', )

    def __init__(self,
                 loss_target_map: dict = dict(type='mmdet.CrossEntropyLoss', loss_weight=1.0),
                 contain_input: str = 'target',
                 **kwargs) -> None:
        super().__init__(contain_input=contain_input, **kwargs)
        self.loss_target_map = MODELS.build(loss_target_map)
        self.target_map = nn.Linear(self.out_channels, 1)

    def contain_features(self, fused: Tensor, pooled: Tensor, grid: Tuple[int, int, int],
                         out: Dict[str, Tensor]) -> Tensor:
        """Adds ``target_map_logits`` (B, H'W') and ``target_map`` (B, H'W') to ``out``; the
        ``'target'`` input is X_P averaged under the map over all T' steps."""
        B = fused.shape[0]
        T, H, W = grid
        per_pos = self.target_map(fused).view(B, T, H * W)  # [B, T', H'W']
        out['target_map_logits'] = per_pos.mean(1)  # [B, H'W']
        # no gradient into the map from its users: it is trained by its own loss
        out['target_map'] = out['target_map_logits'].detach().softmax(-1)
        if self.contain_input != 'target':
            return super().contain_features(fused, pooled, grid, out)
        w = out['target_map'].repeat(1, T).view(B, 1, T * H * W) / T
        return torch.bmm(w, fused)[:, 0]  # [B, C_T]

    def loss(self, outs: Dict[str, Tensor], data_samples: Sequence) -> Dict[str, Tensor]:
        """:class:`PTA`'s losses plus ``loss_target_map``."""
        losses = super().loss(outs, data_samples)
        losses['loss_target_map'] = self.target_map_loss(outs, data_samples)
        return losses

    def target_map_loss(self, outs: Dict[str, Tensor], data_samples: Sequence) -> Tensor:
        """CE of the map against the cell of the target's keyframe box centre (clips whose
        keyframe a ground-truth tube covers; zero, with the graph kept, when none does)."""
        logits = outs['target_map_logits']  # [B, H'W']
        H, W = outs['feats'].shape[-2:]
        rows, cells = [], []
        for b, s in enumerate(data_samples):
            k = s.metainfo['key_index']
            valid = s.gt_tubes.valid[:, k]
            if not valid.any():
                continue
            rows.append(b)
            cells.append(box_centre_cell(s.gt_tubes.boxes[valid][0, k].tolist(),
                                         s.metainfo['img_shape'], (H, W)))
        if not rows:
            return logits.sum() * 0
        return self.loss_target_map(logits[rows], torch.tensor(cells, device=logits.device))


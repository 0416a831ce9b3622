"""BMN head: Temporal Evaluation Module + Proposal Evaluation Module on one or several levels."""
from typing import Dict, List, Optional, Sequence, Union

import mmdet.models  # noqa: F401  (registers mmdet's losses, used for loss_cls)
import torch
import torch.nn as nn
from mmengine.model import BaseModule
from torch import Tensor

from mmfine.registry import MODELS
from ..task_modules.boundary_matching import bm_sample_mask, bm_valid_mask, bmn_targets


@MODELS.register_module()
class BMNHead(BaseModule):
    """Boundary-Matching Network head (Lin et al., ICCV 2019,
    https://arxiv.org/abs/1907.09702), run on every level of a feature pyramid.

    Layers and their names are those of mmaction2's ``BMN`` (``x_1d_b`` base, ``x_1d_s`` /
    ``x_1d_e`` TEM, ``x_1d_p`` + BM layer + ``x_3d_p`` + ``x_2d_p`` PEM), so mmaction2 weights
    load with a ``head.`` prefix. The weights are shared by all levels; each level ``l`` has its
    own sampling matrix for ``T_l`` steps and ``D_l = min(ceil(max_duration * T_l / T_0), T_l)``
    durations. With ``num_classes > 0`` a 1x1 convolution on the last PEM features gives class
    logits for every proposal.

    Args:
        in_channels (int): C of the input features.
        temporal_dims (int | Sequence[int]): T of each level (the first is the finest).
        max_duration (int, optional): D at the finest level, in steps. Defaults to T_0 (the
            BMN setting).
        num_samples (int): N sampled bins per proposal. Defaults to 32.
        num_samples_per_bin (int): Defaults to 3.
        boundary_ratio (float): extension of a proposal on each side, as a ratio of its length,
            for the BM sampling. Defaults to 0.5.
        hidden_dim_1d (int): Defaults to 256.
        hidden_dim_2d (int): Defaults to 128.
        hidden_dim_3d (int): Defaults to 512.
        num_classes (int): classes of the proposal classification branch; 0 disables it.
            Defaults to 0.
        loss (dict): the BMN loss. Defaults to ``dict(type='BMNLoss')``.
        loss_cls (dict): loss of the proposal classification branch, built from config like
            every other mmfine head's. Defaults to
            ``dict(type='mmdet.CrossEntropyLoss', loss_weight=1.0)``.
        cls_pos_iou (float): proposals with IoU above this with a ground truth learn its class.
            Defaults to 0.5.
        level_weights (Sequence[float], optional): weight of each level's losses. Defaults to
            ``1 / num_levels`` each (the mean).
        init_cfg (dict, optional): Defaults to None (PyTorch's default init, as mmaction2).
    """

    def __init__(self,
                 in_channels: int,
                 temporal_dims: Union[int, Sequence[int]],
                 max_duration: Optional[int] = None,
                 num_samples: int = 32,
                 num_samples_per_bin: int = 3,
                 boundary_ratio: float = 0.5,
                 hidden_dim_1d: int = 256,
                 hidden_dim_2d: int = 128,
                 hidden_dim_3d: int = 512,
                 num_classes: int = 0,
                 loss: Dict = dict(type='BMNLoss'),
                 loss_cls: Dict = dict(type='mmdet.CrossEntropyLoss', loss_weight=1.0),
                 cls_pos_iou: float = 0.5,
                 level_weights: Optional[Sequence[float]] = None,
                 init_cfg: Optional[Dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        dims = [temporal_dims] if isinstance(temporal_dims, int) else list(temporal_dims)
        max_duration = dims[0] if max_duration is None else max_duration
        self.temporal_dims = dims
        self.max_durations = [min(-(-max_duration * t // dims[0]), t) for t in dims]
        self.num_samples = num_samples
        self.num_classes = num_classes
        self.loss_cls = MODELS.build(loss_cls) if num_classes > 0 else None
        self.cls_pos_iou = cls_pos_iou
        if level_weights is None:
            level_weights = [1.0 / len(dims)] * len(dims)
        if len(level_weights) != len(dims):
            raise ValueError(f'{len(level_weights)} level_weights for {len(dims)} levels')
        self.level_weights = list(level_weights)
        self.loss_bmn = MODELS.build(loss)
        for lvl, (t, d) in enumerate(zip(dims, self.max_durations)):
            # derived from the configuration: not saved in checkpoints
            self.register_buffer(f'sample_mask_{lvl}', bm_sample_mask(
                t, d, num_samples, num_samples_per_bin, boundary_ratio), persistent=False)
            self.register_buffer(f'bm_mask_{lvl}', bm_valid_mask(t, d), persistent=False)
        h1, h2, h3 = hidden_dim_1d, hidden_dim_2d, hidden_dim_3d
        self.x_1d_b = nn.Sequential(
            nn.Conv1d(in_channels, h1, kernel_size=3, padding=1, groups=4), nn.ReLU(inplace=True),
            nn.Conv1d(h1, h1, kernel_size=3, padding=1, groups=4), nn.ReLU(inplace=True))
        self.x_1d_s = nn.Sequential(
            nn.Conv1d(h1, h1, kernel_size=3, padding=1, groups=4), nn.ReLU(inplace=True),
            nn.Conv1d(h1, 1, kernel_size=1), nn.Sigmoid())
        self.x_1d_e = nn.Sequential(
            nn.Conv1d(h1, h1, kernel_size=3, padding=1, groups=4), nn.ReLU(inplace=True),
            nn.Conv1d(h1, 1, kernel_size=1), nn.Sigmoid())
        self.x_1d_p = nn.Sequential(
            nn.Conv1d(h1, h1, kernel_size=3, padding=1), nn.ReLU(inplace=True))
        self.x_3d_p = nn.Sequential(
            nn.Conv3d(h1, h3, kernel_size=(num_samples, 1, 1)), nn.ReLU(inplace=True))
        self.x_2d_p = nn.Sequential(
            nn.Conv2d(h3, h2, kernel_size=1), nn.ReLU(inplace=True),
            nn.Conv2d(h2, h2, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(h2, h2, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(h2, 2, kernel_size=1), nn.Sigmoid())
        self.x_2d_cls = nn.Conv2d(h2, num_classes, kernel_size=1) if num_classes > 0 else None

    # ------------------------------------------------------------------ forward
    def forward_level(self, x: Tensor, lvl: int) -> Dict[str, Tensor]:
        """Outputs of one level.

        Args:
            x (Tensor): (B, C, T_l) features.
            lvl (int): level index.

        Returns:
            dict: ``start`` / ``end`` (B, T_l) probabilities, ``bm`` (B, 2, D_l, T_l)
            [IoU regression, IoU classification] confidences, and ``cls_logits``
            (B, K, D_l, T_l) when the classification branch is on.
        """
        t, d = self.temporal_dims[lvl], self.max_durations[lvl]
        if x.shape[-1] != t:
            raise ValueError(f'level {lvl} has {x.shape[-1]} steps, the head was built for {t} '
                             '(temporal_dims)')
        base = self.x_1d_b(x)  # [B, H1, T]
        start = self.x_1d_s(base).squeeze(1)  # [B, T]
        end = self.x_1d_e(base).squeeze(1)  # [B, T]
        p = self.x_1d_p(base)  # [B, H1, T]
        B, C = p.shape[:2]
        p = torch.matmul(p, getattr(self, f'sample_mask_{lvl}'))  # [B, H1, N * D * T]
        p = p.reshape(B, C, self.num_samples, d, t)  # [B, H1, N, D, T]
        p = self.x_3d_p(p).squeeze(2)  # [B, H3, D, T]
        feat = self.x_2d_p[:-2](p)  # [B, H2, D, T]
        out = dict(start=start, end=end, bm=self.x_2d_p[-2:](feat))  # bm [B, 2, D, T]
        if self.x_2d_cls is not None:
            out['cls_logits'] = self.x_2d_cls(feat)  # [B, K, D, T]
        return out

    def forward(self, feats: Sequence[Tensor]) -> List[Dict[str, Tensor]]:
        """Run every level: ``feats[l]`` (B, C, T_l) -> list of :meth:`forward_level` dicts."""
        if len(feats) != len(self.temporal_dims):
            raise ValueError(f'{len(feats)} feature levels for a head built with '
                             f'{len(self.temporal_dims)} (temporal_dims)')
        return [self.forward_level(x, lvl) for lvl, x in enumerate(feats)]

    # ------------------------------------------------------------------ loss
    def loss(self, feats: Sequence[Tensor], masks: Sequence[Tensor], gt_segments: Tensor,
             gt_valid: Tensor, gt_labels: Optional[Tensor] = None) -> Dict[str, Tensor]:
        """Losses of all levels, weighted by ``level_weights`` (default: averaged).

        Args:
            feats (Sequence[Tensor]): (B, C, T_l) per level.
            masks (Sequence[Tensor]): (B, T_l) bool valid steps per level.
            gt_segments (Tensor): (B, M, 2) ground truth in units of the valid sequence
                (``[0, 1]`` = the whole video), padded.
            gt_valid (Tensor): (B, M) bool.
            gt_labels (Tensor, optional): (B, M) class ids (classification branch).

        Returns:
            dict: ``loss_tem``, ``loss_pem_reg``, ``loss_pem_cls`` (and ``loss_cls``).
        """
        return self.loss_by_feat(self(feats), masks, gt_segments, gt_valid, gt_labels)

    def loss_by_feat(self, outs: List[Dict[str, Tensor]], masks: Sequence[Tensor],
                     gt_segments: Tensor, gt_valid: Tensor,
                     gt_labels: Optional[Tensor] = None) -> Dict[str, Tensor]:
        """Losses from :meth:`forward` outputs (see :meth:`loss`)."""
        losses = dict(loss_tem=0., loss_pem_reg=0., loss_pem_cls=0.)
        if self.x_2d_cls is not None:
            losses['loss_cls'] = 0.
        for lvl, (out, mask) in enumerate(zip(outs, masks)):
            t, d = self.temporal_dims[lvl], self.max_durations[lvl]
            mask = mask.bool()
            # ground truth in units of the level's padded length: valid steps / T_l
            scale = (mask.sum(1).float() / t)[:, None, None]  # [B, 1, 1]
            tg = bmn_targets(gt_segments * scale, gt_valid, t, d, gt_labels)
            valid_len = mask.sum(1)  # [B]
            bm_mask = getattr(self, f'bm_mask_{lvl}')  # [D, T]
            if not bool(mask.all()):  # proposals must end inside the valid part
                steps = torch.arange(d, device=mask.device)[:, None] + torch.arange(
                    t, device=mask.device)[None, :]
                bm_mask = (steps[None] < valid_len[:, None, None]).float()  # [B, D, T]
            tem, reg, cls = self.loss_bmn(out['bm'], out['start'], out['end'], tg['iou_map'],
                                          tg['start'], tg['end'], bm_mask, mask)
            w = self.level_weights[lvl]
            losses['loss_tem'] = losses['loss_tem'] + w * tem
            losses['loss_pem_reg'] = losses['loss_pem_reg'] + w * reg
            losses['loss_pem_cls'] = losses['loss_pem_cls'] + w * cls
            if self.x_2d_cls is not None:
                pos = (tg['iou_map'] > self.cls_pos_iou) & (bm_mask > 0)  # [B, D, T]
                logits = out['cls_logits'].permute(0, 2, 3, 1)[pos]  # [P, K]
                ce = self.loss_cls(logits, tg['labels'][pos]) if len(logits) else \
                    out['cls_logits'].sum() * 0
                losses['loss_cls'] = losses['loss_cls'] + w * ce
        return losses

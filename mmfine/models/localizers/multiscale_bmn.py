"""Temporal action localizer: optional multi-scale neck + BMN head on every level."""
from typing import Dict, List, Optional, Sequence, Union

import torch
import torch.nn.functional as F
from mmengine.model import BaseModel
from torch import Tensor

from mmfine.registry import MODELS, TASK_UTILS


def _resample_1d(x: Tensor, size: int) -> Tensor:
    """(B, T_l) -> (B, size), linear, base step ``t`` read at level coordinate
    ``t * T_l / size`` (the strided convolutions keep step 0 aligned)."""
    T_l = x.shape[-1]
    pos = torch.arange(size, device=x.device, dtype=x.dtype) * (T_l / size)
    lo = pos.floor().long().clamp(max=T_l - 1)
    hi = (lo + 1).clamp(max=T_l - 1)
    w = pos - lo.to(x.dtype)
    return x[..., lo] * (1 - w) + x[..., hi] * w


def _resample_map(m: Tensor, D: int, T: int):
    """(B, K, D_l, T_l) level map -> (B, K, D, T) on the base grid, and the (D, T) mask of
    entries the level can represent (duration >= one level step and <= D_l steps)."""
    _, _, D_l, T_l = m.shape
    r = T_l / T
    u = torch.arange(T, device=m.device, dtype=m.dtype) * r  # [T] level start
    v = torch.arange(1, D + 1, device=m.device, dtype=m.dtype) * r - 1  # [D] level duration idx
    inside = (v >= 0) & (v <= D_l - 1)  # [D]
    gx = 2 * u / max(T_l - 1, 1) - 1
    gy = 2 * v.clamp(0, D_l - 1) / max(D_l - 1, 1) - 1
    grid = torch.stack(torch.meshgrid(gy, gx, indexing='ij')[::-1], dim=-1)  # [D, T, 2] (x, y)
    out = F.grid_sample(m, grid[None].expand(m.shape[0], -1, -1, -1), mode='bilinear',
                        padding_mode='border', align_corners=True)
    return out, inside[:, None].expand(D, T)


@MODELS.register_module()
class MultiScaleBMN(BaseModel):
    """BMN-style temporal action localizer with an optional multi-scale neck (the FineAction
    baseline: Liu et al., TIP 2022, https://arxiv.org/abs/2105.11107; BMN: Lin et al., ICCV
    2019).

    ::

        inputs (B, C, T), masks (B, T)
          -> neck (MultiScaleTransformerNeck, or none = BMN) -> [(B, C', T_l)], [(B, T_l)]
          -> head (BMNHead, shared over levels)   -> per level start/end (B, T_l),
                                                     bm (B, 2, D_l, T_l), cls (B, K, D_l, T_l)
          loss:    head.loss_by_feat (targets per level, averaged)
          predict: fuse levels on the finest grid -> post_processor -> proposals in seconds

    Fusion (more than one level), ``fusion='assign'`` (default): start / end probabilities come
    from the finest level, and a map entry ``[d, t]`` of the finest grid (``n = d + 1`` steps)
    is read, bilinearly, from level ``floor(log2(n / assign_base))`` (clipped to the levels that
    can represent it), where the proposal spans at least ``assign_base`` steps, as FPN assigns
    objects to levels by size. ``fusion='mean'``: every level's start / end resampled to T_0
    and averaged, map entries averaged over the levels that can represent them (on the
    synthetic benchmark this blurs short instances: see configs/fineaction/README.md).
    With no neck and one level this is mmaction2's ``BMN`` (see the parity tests).

    Args:
        head (dict): a :class:`BMNHead` config. Without ``temporal_dims`` they are derived:
            the data preprocessor's ``pad_to`` (the temporal length L) at the first level and
            the neck's :meth:`~MultiScaleTransformerNeck.level_lengths` below it, so L is
            written once.
        neck (dict, optional): Defaults to None (the features go to the head as they are).
        post_processor (dict): Defaults to ``dict(type='BMNPostProcessor')``.
        fusion (str): ``'assign'`` or ``'mean'``. Defaults to ``'assign'``.
        assign_base (float): steps a proposal spans at the level it is read from (``'assign'``).
            Defaults to 8.
        feature_extraction_interval (int, optional): mmaction2's ActivityNet convention: the
            features cover ``duration_frame // interval * interval`` frames, so proposals are
            scaled to that part of the video. Defaults to None (the whole duration).
        data_preprocessor (dict, optional): Defaults to ``TemporalFeaturePreprocessor``.
        init_cfg (dict, optional): Defaults to None.
    """

    def __init__(self, head: Dict, neck: Optional[Dict] = None,
                 post_processor: Dict = dict(type='BMNPostProcessor'),
                 fusion: str = 'assign', assign_base: float = 8.,
                 feature_extraction_interval: Optional[int] = None,
                 data_preprocessor: Optional[Dict] = None,
                 init_cfg: Optional[Union[Dict, List[Dict]]] = None) -> None:
        if data_preprocessor is None:
            data_preprocessor = dict(type='TemporalFeaturePreprocessor')
        if isinstance(data_preprocessor, dict):  # our registry: no default scope needed
            data_preprocessor = MODELS.build(data_preprocessor)
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.neck = MODELS.build(neck) if neck is not None else None
        if head.get('temporal_dims') is None:
            length = getattr(self.data_preprocessor, 'pad_to', None)
            if length is None:
                raise ValueError('MultiScaleBMN: give head.temporal_dims or a data preprocessor '
                                 'with pad_to (the temporal length L)')
            head = dict(head, temporal_dims=self.neck.level_lengths(length)
                        if self.neck is not None else [length])
        self.head = MODELS.build(head)
        self.post_processor = TASK_UTILS.build(post_processor)
        if fusion not in ('assign', 'mean'):
            raise ValueError(f"fusion must be 'assign' or 'mean', got {fusion!r}")
        self.fusion = fusion
        self.assign_base = assign_base
        self.feature_extraction_interval = feature_extraction_interval

    # ------------------------------------------------------------------ steps
    def extract_feat(self, inputs: Tensor, masks: Tensor):
        """(B, C, T), (B, T) -> per-level features and masks."""
        if self.neck is None:
            return [inputs], [masks]
        return self.neck(inputs, masks)

    @staticmethod
    def _masks(inputs: Tensor, masks: Optional[Tensor]) -> Tensor:
        if masks is None:
            return torch.ones(inputs.shape[0], inputs.shape[-1], dtype=torch.bool,
                              device=inputs.device)
        return masks.bool()

    def forward(self, inputs: Union[Tensor, Sequence[Tensor]], data_samples=None,
                masks: Optional[Tensor] = None, mode: str = 'tensor'):
        """``mode``: ``'tensor'`` (per-level head outputs), ``'loss'`` or ``'predict'``."""
        if not isinstance(inputs, Tensor):
            inputs = torch.stack(list(inputs))
        masks = self._masks(inputs, masks)
        if mode == 'tensor':
            return self.head(self.extract_feat(inputs, masks)[0])
        if mode == 'loss':
            return self.loss(inputs, data_samples, masks)
        if mode == 'predict':
            return self.predict(inputs, data_samples, masks)
        raise RuntimeError(f'Invalid mode {mode!r}: use loss, predict or tensor')

    @staticmethod
    def _gt(data_samples, device):
        """Ground truth normalised by each video's duration and padded: (B, M, 2), (B, M),
        (B, M)."""
        segs = [s.gt_segments.to(device).float() / float(s.metainfo['duration'])
                for s in data_samples]
        labels = [s.gt_labels.to(device).long() for s in data_samples]
        M = max([len(x) for x in segs] + [1])
        seg = torch.zeros(len(segs), M, 2, device=device)
        lab = torch.zeros(len(segs), M, dtype=torch.long, device=device)
        valid = torch.zeros(len(segs), M, dtype=torch.bool, device=device)
        for i, (s, lb) in enumerate(zip(segs, labels)):
            seg[i, :len(s)], lab[i, :len(s)], valid[i, :len(s)] = s.clamp(0, 1), lb, True
        return seg, valid, lab

    def loss(self, inputs: Tensor, data_samples, masks: Tensor) -> Dict[str, Tensor]:
        feats, level_masks = self.extract_feat(inputs, masks)
        seg, valid, lab = self._gt(data_samples, inputs.device)
        return self.head.loss(feats, level_masks, seg, valid, lab)

    def fuse(self, outs: List[Dict[str, Tensor]]) -> Dict[str, Tensor]:
        """Level outputs -> one set on the finest grid (see the class docstring)."""
        if len(outs) == 1:
            return outs[0]
        T0 = outs[0]['start'].shape[-1]
        D0 = outs[0]['bm'].shape[-2]
        keys = [k for k in ('bm', 'cls_logits') if k in outs[0]]
        if self.fusion == 'mean':
            fused = dict(start=sum(_resample_1d(o['start'], T0) for o in outs) / len(outs),
                         end=sum(_resample_1d(o['end'], T0) for o in outs) / len(outs))
            for key in keys:
                total, count = 0., 0.
                for o in outs:
                    m, inside = _resample_map(o[key], D0, T0)  # [B, K, D0, T0], [D0, T0]
                    total = total + m * inside
                    count = count + inside.to(m.dtype)
                fused[key] = total / count.clamp(min=1)
            return fused
        # 'assign': boundaries from the finest level; a duration of n steps is read from
        # level floor(log2(n / assign_base)) (clipped), where it spans >= assign_base steps
        fused = dict(start=outs[0]['start'], end=outs[0]['end'])
        n = torch.arange(1, D0 + 1, device=outs[0]['bm'].device, dtype=torch.float32)
        level = torch.floor(torch.log2(n / self.assign_base)).clamp(0, len(outs) - 1).long()
        for key in keys:
            res = outs[0][key]
            for lvl in range(1, len(outs)):
                m, inside = _resample_map(outs[lvl][key], D0, T0)
                res = torch.where((level == lvl)[:, None] & inside, m, res)  # [B, K, D0, T0]
            fused[key] = res
        return fused

    def predict(self, inputs: Tensor, data_samples, masks: Tensor):
        feats, level_masks = self.extract_feat(inputs, masks)
        out = self.fuse(self.head(feats))
        video_cls = None
        if all('video_cls_scores' in s for s in data_samples):
            video_cls = torch.stack([s.video_cls_scores for s in data_samples]).to(inputs.device)
        props = self.post_processor(out['start'], out['end'], out['bm'], masks.sum(1),
                                    out.get('cls_logits'), video_cls)
        for sample, p in zip(data_samples, props):
            meta = sample.metainfo
            duration = float(meta['duration'])
            fi = self.feature_extraction_interval
            if fi and meta.get('duration_frame'):
                duration = meta['duration_frame'] // fi * fi / meta['duration_frame'] * duration
            seg = torch.stack([p['segments'][:, 0].clamp(min=0) * duration,
                               p['segments'][:, 1].clamp(max=1) * duration], dim=1)
            sample.pred_segments = seg.float().cpu()
            sample.pred_scores = p['scores'].float().cpu()
            if 'labels' in p:
                sample.pred_labels = p['labels'].cpu()
        return data_samples

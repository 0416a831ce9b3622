"""PoSTAL's action tube-specific detector (ATD): tube queries, DETR-style."""
import copy
from typing import Dict, List, Optional, Sequence, Tuple

import mmdet.models  # noqa: F401  (registers mmdet losses / costs used by the configs)
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmdet.models.layers.transformer import DetrTransformerDecoder, DetrTransformerEncoder
from mmdet.models.layers.transformer.utils import MLP
from mmdet.models.utils import multi_apply
from mmdet.structures.bbox import bbox_cxcywh_to_xyxy, bbox_xyxy_to_cxcywh
from mmdet.utils import reduce_mean
from mmengine.model import BaseModule
from mmengine.structures import InstanceData
from torch import Tensor

from mmfine.registry import MODELS, TASK_UTILS
from ..layers import sine_positional_encoding_3d


def tube_boxes_to_pixels(boxes: Tensor, meta: dict) -> Tensor:
    """Normalised xyxy boxes of the network input -> pixels of the annotation ``resolution``.

    Applies the inverse of the sample's ``homography_matrix`` (decoded frame -> network input,
    composed by every spatial ``Tube*`` transform in the order they ran: resize, crop, flip in
    any order), then the difference between decoded and annotated size (``original_shape`` vs
    ``resolution``). Both corners are mapped and re-sorted, so a flip keeps x1 <= x2.

    Args:
        boxes (Tensor): (..., 4) normalised xyxy.
        meta (dict): the sample's metainfo (``img_shape`` required).

    Returns:
        Tensor: (..., 4) pixels.

    Raises:
        ValueError: the metainfo has ``scale_factor`` / ``crop_bbox`` / ``flip`` but no
            ``homography_matrix`` (a transform that does not record its mapping: the boxes
            could not be mapped back correctly).
    """
    h, w = meta['img_shape']
    out = boxes * boxes.new_tensor([w, h, w, h])
    if 'homography_matrix' in meta:
        inv = torch.as_tensor(np.linalg.inv(np.asarray(meta['homography_matrix'], np.float64)),
                              dtype=out.dtype, device=out.device)  # [3, 3] input -> decoded
        corners = out.reshape(*out.shape[:-1], 2, 2)  # [..., 2 corners, (x, y)]
        mapped = corners @ inv[:2, :2].T + inv[:2, 2]
        lo, hi = mapped.min(dim=-2).values, mapped.max(dim=-2).values  # [..., 2]
        out = torch.cat([lo, hi], dim=-1)
    elif any(k in meta and (k != 'flip' or meta[k]) for k in ('scale_factor', 'crop_bbox',
                                                               'flip')):
        raise ValueError('tube_boxes_to_pixels: the sample was resized / cropped / flipped but '
                         "its metainfo has no 'homography_matrix'; every spatial transform must "
                         "record one (mmfine's Tube* transforms do) and PackFineSportsInputs "
                         'must keep it in meta_keys')
    if 'resolution' in meta and 'original_shape' in meta:
        (rh, rw), (oh, ow) = meta['resolution'], meta['original_shape']
        out = out * out.new_tensor([rw / ow, rh / oh, rw / ow, rh / oh])
    return out


@MODELS.register_module()
class ATDHead(BaseModule):
    """Action tube-specific detector: N tubes of boxes on T frames and a class per tube.

    Paper: Xu et al., "FineSports: ...", CVPR 2024, Sec. 4 (single- and multi-level branches);
    losses and matching as DETR (``mmdet/models/dense_heads/detr_head.py``).

    Data flow (``forward`` runs the named steps in order, like mmdet's ``DetectionTransformer``)::

        X (B, C_in, T', H', W')
          | pre_transformer: 1x1x1 conv -> D, flatten, 3D sine position  (B, S, D), S = T'H'W'
          | forward_encoder: L_enc self-attention layers                  memory (B, S, D)
          | pre_decoder: N x T learnable tube queries (query_pos), zero queries
          | forward_decoder: L_dec layers (self-attn over the N*T queries, cross-attn to memory)
          v                                                  hs (L_dec, B, N*T, D)
        single-level branch: 3-layer MLP per (tube, frame) query -> boxes (L, B, N, T, 4) cxcywh
        multi-level branch: one self-attention layer over the projected X (class memory);
            per decoder level, each tube's query mean over T cross-attends to it;
            FC -> class logits (L, B, N, K + 1) (last = no action)

    The paper's head. The synthetic configs' reference points (queries started at the PTA's
    target map) live in the subclass :class:`ReferencePointATDHead`; the heads declare the
    extra inputs they need in ``required_inputs`` and :class:`PoSTAL` hands them over.

    Every decoder level gets the full loss (``d{i}.loss_*`` for the auxiliary ones, the last
    without prefix): CE over K + 1 classes (no-action weight ``bg_cls_weight``), per-frame L1
    and GIoU on the frames a matched ground truth covers. Matching: ``train_cfg['assigner']``
    (mmdet's HungarianAssigner with class / tube L1 / tube GIoU costs).

    Args:
        num_classes (int): K.
        in_channels (int): C_in.
        num_queries (int): N tubes. Defaults to 6.
        num_frames (int): T boxes per tube (the clip length). Defaults to 8.
        embed_dims (int): D. Defaults to 256.
        encoder (dict): :class:`DetrTransformerEncoder` config (``num_layers``, ``layer_cfg``).
        decoder (dict): :class:`DetrTransformerDecoder` config.
        class_branch (dict): ``num_heads``, ``feedforward_channels`` of the class memory layer
            and ``dropout`` before the class FC. Defaults to 8 heads, 4 x D, 0.5.
        loss_cls (dict): with ``bg_cls_weight`` (no-action class weight). Defaults to CE, 1,
            0.1.
        loss_bbox (dict): Defaults to L1, weight 5.
        loss_iou (dict): Defaults to GIoU, weight 2.
        train_cfg (dict): ``assigner``.
        test_cfg (dict): ``score_thr`` (per-class frame detections kept, default 1e-3),
            ``per_class`` (a detection per class above ``score_thr``; False: argmax only),
            ``max_per_clip`` (keep the k best-scoring tubes of a clip, as mmdet's DETR
            ``max_per_img``; default None: all N. A prompt names one player, so 1 keeps only
            the tube the model thinks is the target and drops the duplicates that a briefly
            trained DETR head has not learnt to suppress yet).
        init_cfg (dict, optional): Defaults to None.
    """

    def __init__(self,
                 num_classes: int,
                 in_channels: int,
                 num_queries: int = 6,
                 num_frames: int = 8,
                 embed_dims: int = 256,
                 encoder: dict = dict(
                     num_layers=6,
                     layer_cfg=dict(
                         self_attn_cfg=dict(embed_dims=256, num_heads=8, attn_drop=0.1,
                                            batch_first=True),
                         ffn_cfg=dict(embed_dims=256, feedforward_channels=2048,
                                      ffn_drop=0.1))),
                 decoder: dict = dict(
                     num_layers=6,
                     layer_cfg=dict(
                         self_attn_cfg=dict(embed_dims=256, num_heads=8, attn_drop=0.1,
                                            batch_first=True),
                         cross_attn_cfg=dict(embed_dims=256, num_heads=8, attn_drop=0.1,
                                             batch_first=True),
                         ffn_cfg=dict(embed_dims=256, feedforward_channels=2048,
                                      ffn_drop=0.1)),
                     return_intermediate=True),
                 class_branch: dict = dict(num_heads=8, feedforward_channels=None,
                                           dropout=0.5),
                 loss_cls: dict = dict(type='mmdet.CrossEntropyLoss', use_sigmoid=False,
                                       bg_cls_weight=0.1, loss_weight=1.0),
                 loss_bbox: dict = dict(type='mmdet.L1Loss', loss_weight=5.0),
                 loss_iou: dict = dict(type='mmdet.GIoULoss', loss_weight=2.0),
                 train_cfg: dict = dict(
                     assigner=dict(
                         type='mmdet.HungarianAssigner',
                         match_costs=[
                             dict(type='mmdet.ClassificationCost', weight=1.),
                             dict(type='TubeL1Cost', weight=5., _scope_='mmfine'),
                             dict(type='TubeGIoUCost', weight=2., _scope_='mmfine')
                         ])),
                 test_cfg: dict = dict(score_thr=1e-3, per_class=True),
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.num_classes = num_classes
        self.num_queries = num_queries
        self.num_frames = num_frames
        self.embed_dims = embed_dims
        self.train_cfg = dict(train_cfg or {})
        self.test_cfg = {**dict(score_thr=1e-3, per_class=True, max_per_clip=None),
                         **(test_cfg or {})}
        self.assigner = TASK_UTILS.build(self.train_cfg['assigner'])

        self.input_proj = nn.Conv3d(in_channels, embed_dims, 1)
        self.encoder = DetrTransformerEncoder(**copy.deepcopy(encoder))
        self.decoder = DetrTransformerDecoder(**copy.deepcopy(decoder))
        self.query_embedding = nn.Embedding(num_queries * num_frames, embed_dims)
        cb = {**dict(num_heads=8, feedforward_channels=None, dropout=0.5), **class_branch}
        ffn = cb['feedforward_channels'] or 4 * embed_dims
        self.cls_memory_layer = DetrTransformerEncoder(
            num_layers=1,
            layer_cfg=dict(
                self_attn_cfg=dict(embed_dims=embed_dims, num_heads=cb['num_heads'],
                                   attn_drop=0.1, batch_first=True),
                ffn_cfg=dict(embed_dims=embed_dims, feedforward_channels=ffn, ffn_drop=0.1)))
        self.cls_cross_attn = nn.MultiheadAttention(embed_dims, cb['num_heads'], dropout=0.1,
                                                    batch_first=True)
        self.cls_dropout = nn.Dropout(cb['dropout'])
        self.fc_cls = nn.Linear(embed_dims, num_classes + 1)
        self.fc_reg = MLP(embed_dims, embed_dims, 4, 3)

        loss_cls = dict(loss_cls)
        self.bg_cls_weight = float(loss_cls.pop('bg_cls_weight', 0.1))
        loss_cls['class_weight'] = [1.0] * num_classes + [self.bg_cls_weight]
        self.loss_cls = MODELS.build(loss_cls)
        self.loss_bbox = MODELS.build(loss_bbox)
        self.loss_iou = MODELS.build(loss_iou)

    #: extra inputs (from the neck's outputs) that forward / loss / predict need
    required_inputs = ()

    # ------------------------------------------------------------------ steps
    def pre_transformer(self, x: Tensor) -> Dict[str, Tensor]:
        """Project and flatten X; add the 3D sine position embedding."""
        B, _, T, H, W = x.shape
        feat = self.input_proj(x).flatten(2).transpose(1, 2)  # [B, S, D]
        pos = sine_positional_encoding_3d(T, H, W, self.embed_dims, device=x.device)
        pos = pos[None].expand(B, -1, -1)  # [B, S, D]
        mask = torch.zeros(B, T * H * W, dtype=torch.bool, device=x.device)  # no padding
        return dict(feat=feat, feat_pos=pos, feat_mask=mask)

    def forward_encoder(self, feat: Tensor, feat_pos: Tensor, feat_mask: Tensor) -> Tensor:
        """Spatio-temporal self-attention over the tokens -> memory (B, S, D)."""
        if not len(self.encoder.layers):
            return feat
        return self.encoder(query=feat, query_pos=feat_pos, key_padding_mask=feat_mask)

    def pre_decoder(self, memory: Tensor, grid: Tuple[int, int, int]) -> Dict[str, Tensor]:
        """Zero queries (DETR) with the N x T learnable tube query embeddings as positions.

        Args:
            memory (Tensor): (B, S, D).
            grid (tuple[int, int, int]): (T', H', W') of the memory.

        Returns:
            dict: ``query`` and ``query_pos``, (B, N*T, D) each.
        """
        B = memory.shape[0]
        query_pos = self.query_embedding.weight[None].expand(B, -1, -1)  # [B, N*T, D]
        return dict(query=torch.zeros_like(query_pos), query_pos=query_pos)

    def forward_decoder(self, query: Tensor, query_pos: Tensor, memory: Tensor,
                        feat_pos: Tensor, feat_mask: Tensor) -> Tensor:
        """Cross-attention decoder -> hidden states (L, B, N*T, D)."""
        return self.decoder(query=query, key=memory, value=memory, query_pos=query_pos,
                            key_pos=feat_pos, key_padding_mask=feat_mask)

    def forward_box_branch(self, hs: Tensor, dec_in: Dict[str, Tensor]) -> Tensor:
        """Single-level branch: a 3-layer MLP per (tube, frame) query.

        Args:
            hs (Tensor): (L, B, N*T, D).
            dec_in (dict): the output of :meth:`pre_decoder`.

        Returns:
            Tensor: boxes (L, B, N, T, 4), normalised cxcywh.
        """
        L, B = hs.shape[:2]
        return self.fc_reg(hs).view(L, B, self.num_queries, self.num_frames, 4).sigmoid()

    def forward_cls_branch(self, hs: Tensor, feat: Tensor, feat_pos: Tensor,
                           feat_mask: Tensor) -> Tensor:
        """Multi-level branch: each tube's query mean over T cross-attends to the class
        memory (one self-attention layer over the projected X).

        Returns:
            Tensor: class logits (L, B, N, K + 1).
        """
        L, B = hs.shape[:2]
        N, T, D = self.num_queries, self.num_frames, self.embed_dims
        cls_mem = self.cls_memory_layer(query=feat, query_pos=feat_pos,
                                        key_padding_mask=feat_mask)  # [B, S, D]
        tube = hs.view(L, B, N, T, D).mean(3).reshape(L * B, N, D)  # [L*B, N, D]
        mem = cls_mem.repeat(L, 1, 1)  # [L*B, S, D]
        q, _ = self.cls_cross_attn(tube, mem, mem, key_padding_mask=feat_mask.repeat(L, 1))
        return self.fc_cls(self.cls_dropout(q)).view(L, B, N, self.num_classes + 1)

    def forward(self, x: Tensor, **head_inputs) -> Tuple[Tensor, Tensor]:
        """Run the steps.

        Args:
            x (Tensor): (B, C_in, T', H', W').
            **head_inputs: the ``required_inputs`` of a subclass (none here).

        Returns:
            tuple[Tensor, Tensor]: class logits (L, B, N, K + 1) and boxes (L, B, N, T, 4)
            normalised cxcywh, one per decoder level.
        """
        enc_in = self.pre_transformer(x)
        memory = self.forward_encoder(**enc_in)
        dec_in = self.pre_decoder(memory, tuple(x.shape[2:]), **head_inputs)
        hs = self.forward_decoder(query=dec_in['query'], query_pos=dec_in['query_pos'],
                                  memory=memory, feat_pos=enc_in['feat_pos'],
                                  feat_mask=enc_in['feat_mask'])
        return self.forward_cls_branch(hs, **enc_in), self.forward_box_branch(hs, dec_in)

    # ------------------------------------------------------------------ losses
    def _gt_instances(self, data_samples: Sequence) -> List[InstanceData]:
        out = []
        for s in data_samples:
            gt = s.gt_tubes
            if gt.boxes.shape[1:] != (self.num_frames, 4):
                raise ValueError(f"ATDHead: ground-truth tubes of {s.metainfo.get('video_id')!r} "
                                 f'have shape {tuple(gt.boxes.shape)}, expected (M, '
                                 f'{self.num_frames}, 4) (num_frames = clip length)')
            h, w = s.metainfo['img_shape']
            norm = gt.boxes / gt.boxes.new_tensor([w, h, w, h])
            out.append(InstanceData(labels=gt.labels.long(), bboxes=bbox_xyxy_to_cxcywh(norm),
                                    valid=gt.valid))
        return out

    def loss(self, x: Tensor, data_samples: Sequence, **head_inputs) -> Dict[str, Tensor]:
        """Forward and losses.

        The losses and the Hungarian matching run in float32 even when the forward runs under
        bfloat16 autocast (``BF16AutocastOptimWrapper``): a bfloat16 sigmoid saturates to
        exactly 1, and the focal match cost's ``log(1 - p)`` becomes infinite.
        """
        cls, boxes = self(x, **head_inputs)
        cls, boxes = cls.float(), boxes.float()
        return self.loss_by_feat(cls, boxes, self._gt_instances(data_samples),
                                 [s.metainfo for s in data_samples])

    def loss_by_feat(self, all_cls: Tensor, all_boxes: Tensor,
                     batch_gt_instances: List[InstanceData],
                     batch_img_metas: List[dict]) -> Dict[str, Tensor]:
        """Losses of every decoder level (``d{i}.`` prefix for all but the last)."""
        n_lvl = all_cls.shape[0]
        l_cls, l_box, l_iou = multi_apply(self.loss_by_feat_single, list(all_cls),
                                          list(all_boxes),
                                          [batch_gt_instances] * n_lvl,
                                          [batch_img_metas] * n_lvl)
        losses = dict(loss_cls=l_cls[-1], loss_bbox=l_box[-1], loss_iou=l_iou[-1])
        for i in range(n_lvl - 1):
            losses[f'd{i}.loss_cls'] = l_cls[i]
            losses[f'd{i}.loss_bbox'] = l_box[i]
            losses[f'd{i}.loss_iou'] = l_iou[i]
        return losses

    def loss_by_feat_single(self, cls: Tensor, boxes: Tensor,
                            batch_gt_instances: List[InstanceData],
                            batch_img_metas: List[dict]) -> Tuple[Tensor, Tensor, Tensor]:
        """Losses of one decoder level.

        Args:
            cls (Tensor): (B, N, K + 1).
            boxes (Tensor): (B, N, T, 4) cxcywh.
        """
        labels, box_targets, box_weights, n_pos = multi_apply(
            self._get_targets_single, list(cls), list(boxes), batch_gt_instances,
            batch_img_metas)
        labels = torch.cat(labels)  # [B*N]
        n_pos = sum(n_pos)
        n_neg = len(labels) - n_pos
        cls_avg = reduce_mean(cls.new_tensor([n_pos + n_neg * self.bg_cls_weight])).clamp(min=1)
        loss_cls = self.loss_cls(cls.reshape(-1, self.num_classes + 1), labels,
                                 avg_factor=cls_avg)
        box_targets = torch.cat(box_targets).view(-1, 4)  # [B*N*T, 4]
        keep = torch.cat(box_weights).view(-1)  # [B*N*T] bool
        pred = boxes.reshape(-1, 4)[keep]
        target = box_targets[keep]
        n_box = reduce_mean(cls.new_tensor([float(keep.sum())])).clamp(min=1).item()
        if not len(pred):  # no ground truth anywhere: zero box losses, graph kept
            zero = boxes.sum() * 0
            return loss_cls, zero, zero
        loss_bbox = self.loss_bbox(pred, target, avg_factor=n_box)
        loss_iou = self.loss_iou(bbox_cxcywh_to_xyxy(pred), bbox_cxcywh_to_xyxy(target),
                                 avg_factor=n_box)
        return loss_cls, loss_bbox, loss_iou

    @torch.no_grad()
    def _get_targets_single(self, cls: Tensor, boxes: Tensor, gt: InstanceData,
                            img_meta: dict) -> Tuple[Tensor, Tensor, Tensor, int]:
        """Match the N predicted tubes of one clip to its ground truth.

        Returns:
            tuple: labels (N,) (K = no action), box targets (N, T, 4), box weights (N, T) bool
            (the frames a matched ground truth covers), number of matched tubes.
        """
        N = cls.shape[0]
        # a non-finite prediction (a bfloat16 forward that overflowed) must not stop the
        # matching; its loss stays non-finite and the optimizer wrapper skips the step
        pred = InstanceData(scores=torch.nan_to_num(cls, 0.0, 50.0, -50.0),
                            bboxes=torch.nan_to_num(boxes, 0.5, 1.0, 0.0))
        res = self.assigner.assign(pred, gt, img_meta=img_meta)
        pos = torch.nonzero(res.gt_inds > 0, as_tuple=False).squeeze(1)
        gt_idx = res.gt_inds[pos] - 1
        labels = cls.new_full((N, ), self.num_classes, dtype=torch.long)
        labels[pos] = gt.labels[gt_idx]
        targets = torch.zeros_like(boxes)
        weights = torch.zeros(boxes.shape[:2], dtype=torch.bool, device=boxes.device)
        targets[pos] = gt.bboxes[gt_idx]
        weights[pos] = gt.valid[gt_idx]
        return labels, targets, weights, len(pos)

    # ------------------------------------------------------------------ predict
    def predict(self, x: Tensor, data_samples: Sequence,
                contain_prob: Optional[Tensor] = None, **head_inputs) -> List[InstanceData]:
        """Forward and per-clip results (see :meth:`predict_by_feat`)."""
        cls, boxes = self(x, **head_inputs)
        return self.predict_by_feat(cls[-1], boxes[-1], [s.metainfo for s in data_samples],
                                    contain_prob)

    def predict_by_feat(self, cls: Tensor, boxes: Tensor, batch_img_metas: List[dict],
                        contain_prob: Optional[Tensor] = None) -> List[InstanceData]:
        """Tubes of each clip in annotation pixels.

        The score of tube n for class k is ``p(k) * p(contains target)`` (``p(contains)`` = 1
        without a PTA).

        Args:
            cls (Tensor): (B, N, K + 1) logits of the last level.
            boxes (Tensor): (B, N, T, 4) normalised cxcywh.
            batch_img_metas (list[dict]): need ``img_shape`` (see :func:`tube_boxes_to_pixels`).
            contain_prob (Tensor, optional): (B,).

        Returns:
            list[InstanceData]: per clip ``boxes`` (N', T, 4) pixels, ``scores`` (N',) (best
            class), ``labels`` (N',), ``cls_scores`` (N', K); N' = N, or ``max_per_clip``
            tubes, best first.
        """
        probs = F.softmax(cls, -1)[..., :-1]  # [B, N, K]
        if contain_prob is not None:
            probs = probs * contain_prob.view(-1, 1, 1)
        xyxy = bbox_cxcywh_to_xyxy(boxes).clamp(0, 1)
        k = self.test_cfg.get('max_per_clip')
        out = []
        for b, meta in enumerate(batch_img_metas):
            scores, labels = probs[b].max(-1)  # [N]
            keep = torch.arange(len(scores), device=scores.device)
            if k is not None:
                keep = scores.topk(min(int(k), len(scores))).indices
            out.append(InstanceData(boxes=tube_boxes_to_pixels(xyxy[b, keep], meta),
                                    scores=scores[keep], labels=labels[keep],
                                    cls_scores=probs[b, keep]))
        return out

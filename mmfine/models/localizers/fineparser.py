"""FineParser: fine-grained spatio-temporal action parser for action quality assessment."""
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmengine.model import BaseModel
from torch import Tensor

from mmfine.registry import MODELS
from ..data_preprocessors import build_video_preprocessor
from ..layers.aqa_blocks import (FrameStepProjection, SnippetStepProjection, cut_frame_steps,
                                 cut_snippet_steps, resample)


@MODELS.register_module()
class FineParser(BaseModel):
    """FineParser (SAP + TAP + SVE + FineReg) on query / exemplar pairs.

    Paper: Xu et al., "FineParser: A Fine-grained Spatio-temporal Action Parser for
    Human-centric Action Quality Assessment", CVPR 2024, https://arxiv.org/abs/2405.06887;
    release https://github.com/PKU-ICST-MIPL/FineParser_CVPR2024 (facts sheet: what it does).

    Data flow (one video: query X or exemplar Z; B pairs, V = 2 videos per pair in training,
    1 + E voters at test; T = 96 frames, N = 9 snippets of 16 frames every 10)::

        inputs (B, V, 3, T, H, W)  -- data_preprocessor (ImageNet mean / std)
          | snippets()                        (B*V*N, 3, 16, H, W)
          | tap_backbone B (I3D, avg pool)    B(X)  (B*V, N, C)
          | sap (I3D + side outputs)          masks 5 x (B*V*N, 1, 16, H, W), B5 (B*V, N, C)
          | gate: X_V = B(X) * sigmoid(B5)    (B*V, N, C)
          | tap_head (PSNet)                  S (B*V, T, 2) -> transitions (training: GT)
          | sve (ResNet per frame)            T(X) (B*V, T, D)
        per pair (X, Z):
          | V cut at snippet (t_X + t_Z) / 20, resample f = 4, project per step
          |                                   3 x (B, 3f, 64)        (SnippetStepProjection)
          | S cut at frame t_X (+-5), resample (36, 60, 48), project per step
          |                                   3 x (B, 4, 64)         (FrameStepProjection)
          | finereg (cross-attention both ways, R_V / R_S, lambda) -> delta_12, delta_21
          v
        loss: L_SAP (focal, 5 maps) + L_TAP (BCE) + L_Reg (MSE both ways)
        predict: score = mean_j (delta(X, Z_j) + y_Zj), transitions, fused mask

    Without ``sap``: no gating, no L_SAP (ablations B-D of Table 3). Without ``tap_head``:
    one step over the whole clip (Table 3 A, B). Without ``sve``: the V stream only (A, C).
    At test the per-video features of every voter are computed once and cached by the
    voter's key (``cache_exemplars``), so E voters cost one pass each, not one per query.

    Args:
        tap_backbone (dict): :class:`InceptionI3d` (``out_endpoints=('avg_pool',)``).
        finereg (dict): :class:`FineRegHead`.
        sap (dict, optional): :class:`SAPInceptionI3d`.
        tap_head (dict, optional): :class:`PSNetHead`.
        sve (dict, optional): a 2-D backbone with one output (e.g. ``mmdet.ResNet`` depth 34,
            ``out_indices=(3,)``), average pooled; when its ``feat_dim`` is not
            ``8 * embed_dims`` (ResNet-50: 2048) a linear layer reduces it first.
        loss_sap (dict): Defaults to the release's ``BinaryFocalLoss`` (gamma 2, no alpha).
        snippet_len (int): Defaults to 16.
        snippet_stride (int): Defaults to 10.
        step_duration (int): f, snippets per step after resampling (Table 4). Defaults to 4.
        sve_step_frames (Sequence[int]): S stream resample lengths. Defaults to (36, 60, 48).
        sve_overlap (int): Defaults to 5.
        release_step_offset (bool): the release's third V step starts one snippet early.
            Defaults to True.
        train_transitions (str): ``'gt'`` (the release) or ``'pred'`` (cut with TAP's
            predictions in training too). Defaults to ``'gt'``.
        cache_exemplars (bool): cache voters' per-video features at test. Defaults to True.
        data_preprocessor (dict, optional): Defaults to the ImageNet ``NCTHW`` one.
        init_cfg (dict, optional): Defaults to None.
    """

    def __init__(self,
                 tap_backbone: dict,
                 finereg: dict,
                 sap: Optional[dict] = None,
                 tap_head: Optional[dict] = None,
                 sve: Optional[dict] = None,
                 loss_sap: dict = dict(type='BinaryFocalLoss', gamma=2.0, alpha=None),
                 snippet_len: int = 16,
                 snippet_stride: int = 10,
                 step_duration: int = 4,
                 sve_step_frames: Sequence[int] = (36, 60, 48),
                 sve_overlap: int = 5,
                 release_step_offset: bool = True,
                 train_transitions: str = 'gt',
                 cache_exemplars: bool = True,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        super().__init__(data_preprocessor=build_video_preprocessor(data_preprocessor),
                         init_cfg=init_cfg)
        if train_transitions not in ('gt', 'pred'):
            raise ValueError(f"train_transitions must be 'gt' or 'pred', got "
                             f'{train_transitions!r}')
        self.tap_backbone = MODELS.build(tap_backbone)
        self.sap = MODELS.build(sap) if sap is not None else None
        self.tap_head = MODELS.build(tap_head) if tap_head is not None else None
        self.sve = MODELS.build(sve) if sve is not None else None
        self.finereg = MODELS.build(finereg)
        self.loss_sap = MODELS.build(loss_sap) if sap is not None else None
        self.snippet_len, self.snippet_stride = snippet_len, snippet_stride
        self.step_duration = step_duration
        self.sve_step_frames = tuple(sve_step_frames)
        self.sve_overlap = sve_overlap
        self.release_step_offset = release_step_offset
        self.train_transitions = train_transitions
        self.cache_exemplars = cache_exemplars
        self._cache: 'OrderedDict[tuple, Dict[str, Tensor]]' = OrderedDict()
        n_steps = 3 if self.tap_head is not None else 1
        if self.finereg.num_steps != n_steps:
            raise ValueError(f'FineParser: finereg has {self.finereg.num_steps} steps but the '
                             f'model parses {n_steps} (3 with a tap_head, 1 without)')
        dim = self.finereg.embed_dims
        c = self.tap_backbone.out_channels
        self.v_proj = nn.ModuleList(
            [SnippetStepProjection(step_duration, c, dim) for _ in range(n_steps)])
        if self.sve is not None:
            if not self.finereg.with_static:
                raise ValueError('FineParser: an sve needs FineRegHead(with_static=True)')
            frames = self.sve_step_frames if n_steps == 3 else (self.sve_step_frames[1], )
            self.s_proj = nn.ModuleList([FrameStepProjection(n) for n in frames])
            # the step projections divide the frame feature by 8: a wider SVE (ResNet-50,
            # 2048-d) is first reduced to 8 x embed_dims by a linear layer (the paper's Table 5
            # does not say how; ResNet-18 / 34 give 512 = 8 x 64 and need none)
            width = getattr(self.sve, 'feat_dim', None)
            self.sve_reduce = nn.Linear(width, 8 * dim) \
                if width is not None and width != 8 * dim else None
        elif self.finereg.with_static:
            raise ValueError('FineParser: FineRegHead(with_static=True) needs an sve')

    # ------------------------------------------------------------------ per-video steps
    def snippets(self, videos: Tensor) -> Tuple[Tensor, int]:
        """(M, 3, T, H, W) -> (M * N, 3, L, H, W) snippets, video-major, and N."""
        M, C, T, H, W = videos.shape
        starts = list(range(0, T - self.snippet_len + 1, self.snippet_stride))
        if not starts:
            raise ValueError(f'FineParser: {T} frames are fewer than one {self.snippet_len}'
                             '-frame snippet')
        snips = torch.stack([videos[:, :, s:s + self.snippet_len] for s in starts], 1)
        return snips.flatten(0, 1), len(starts)  # [M*N, 3, L, H, W]

    def video_features(self, videos: Tensor) -> Dict[str, Tensor]:
        """Everything that does not depend on the pairing, for M videos.

        Returns:
            dict: ``x_v`` (M, N, C) gated snippet features; ``probs`` (M, T, 2) when TAP
            exists; ``frames`` (M, T, D) SVE features when SVE exists; ``masks`` (5 x
            (M*N, 1, L, H, W) logits) when SAP exists.
        """
        M, T = videos.shape[0], videos.shape[2]
        snips, N = self.snippets(videos)
        x_v = self.tap_backbone(snips).flatten(1).view(M, N, -1)  # [M, N, C]
        out = {}
        if self.sap is not None:
            sap = self.sap(snips)
            out['masks'] = sap['masks']
            x_v = x_v * sap['feat'].view(M, N, -1).sigmoid()  # X_V = B(X) * sigmoid(B5(X))
        out['x_v'] = x_v
        if self.tap_head is not None:
            out['probs'] = self.tap_head(x_v)  # [M, T, 2]
        if self.sve is not None:
            frames = videos.transpose(1, 2).flatten(0, 1)  # [M*T, 3, H, W]
            f = self.sve(frames)
            f = f[-1] if isinstance(f, (tuple, list)) else f
            f = f.mean((2, 3))  # [M*T, D_sve]
            if self.sve_reduce is not None:
                f = self.sve_reduce(f)  # [M*T, 8 * embed_dims]
            out['frames'] = f.view(M, T, -1)  # [M, T, D]
        return out

    # ------------------------------------------------------------------ pairwise steps
    def step_tokens(self, q: Dict[str, Tensor], z: Dict[str, Tensor], t_q: Optional[Tensor],
                    t_z: Optional[Tensor]) -> Tuple[List[Tensor], ...]:
        """Step tokens of B query / exemplar pairs.

        Args:
            q, z: :meth:`video_features` of the B queries and the B exemplars.
            t_q, t_z: (B, 2) transitions (frame indices) or None without TAP.

        Returns:
            tuple: V tokens of q and z (lists of (B, 3f, D)), S tokens of q and z (lists of
            (B, 4, D), or None without SVE).
        """
        if t_q is None:  # one step: the whole clip, resampled along time
            whole = (lambda proj, x, n: [proj(resample(x.transpose(1, 2), n).transpose(1, 2))])
            v_q, v_z = (whole(self.v_proj[0], f['x_v'], self.step_duration) for f in (q, z))
            s_q = s_z = None
            if self.sve is not None:
                self._check_sve_width(q['frames'])
                n = self.sve_step_frames[1]
                s_q, s_z = (whole(self.s_proj[0], f['frames'], n) for f in (q, z))
            return v_q, v_z, s_q, s_z
        div = 2 * self.snippet_stride
        st = (t_q[:, 0] + t_z[:, 0]).div(div, rounding_mode='floor')  # mean / stride
        ed = (t_q[:, 1] + t_z[:, 1]).div(div, rounding_mode='floor')
        steps_q = cut_snippet_steps(q['x_v'], st, ed, self.step_duration,
                                    self.release_step_offset)  # [B, 3, f, C]
        steps_z = cut_snippet_steps(z['x_v'], st, ed, self.step_duration,
                                    self.release_step_offset)
        v_q = [p(steps_q[:, i]) for i, p in enumerate(self.v_proj)]
        v_z = [p(steps_z[:, i]) for i, p in enumerate(self.v_proj)]
        s_q = s_z = None
        if self.sve is not None:
            self._check_sve_width(q['frames'])
            cut = (lambda f, t: cut_frame_steps(f, t[:, 0], t[:, 1], self.sve_step_frames,
                                                self.sve_overlap))
            s_q = [p(x) for p, x in zip(self.s_proj, cut(q['frames'], t_q))]
            s_z = [p(x) for p, x in zip(self.s_proj, cut(z['frames'], t_z))]
        return v_q, v_z, s_q, s_z

    # ------------------------------------------------------------------ helpers
    def _check_sve_width(self, frames: Tensor) -> None:
        if frames.shape[-1] != 8 * self.finereg.embed_dims:
            raise ValueError(f'FineParser: the SVE gives {frames.shape[-1]}-d frame features; '
                             'its step projections divide them by 8, which must give '
                             f'FineRegHead embed_dims {self.finereg.embed_dims}')

    def mask_targets(self, masks: Tensor, N: int) -> Tensor:
        """(M, T, H, W) uint8 ground-truth masks -> (M*N, 1, L, H, W) float snippet targets."""
        m = masks.float() / 255.
        snips = torch.stack([m[:, s:s + self.snippet_len]
                             for s in range(0, self.snippet_stride * N, self.snippet_stride)], 1)
        return snips.flatten(0, 1)[:, None]

    def stitch_mask(self, logits: Tensor, M: int, T: int) -> Tensor:
        """Fused snippet logits (M*N, 1, L, H, W) -> per-frame foreground probability
        (M, T, H, W), frames covered by several snippets averaged."""
        prob = logits.sigmoid().view(M, -1, self.snippet_len, *logits.shape[-2:])
        out = prob.new_zeros(M, T, *logits.shape[-2:])
        count = prob.new_zeros(1, T, 1, 1)
        for i in range(prob.shape[1]):
            s = i * self.snippet_stride
            out[:, s:s + self.snippet_len] += prob[:, i]
            count[:, s:s + self.snippet_len] += 1
        return out / count.clamp(min=1)

    @staticmethod
    def _mask_valid(sample, name: str, T: int) -> Tensor:
        """(T,) bool, or (E, T) for the exemplars: the frames with a ground-truth mask (all
        when the sample does not say)."""
        if name in sample:
            return torch.as_tensor(getattr(sample, name)).bool()
        if name == 'exemplar_mask_valid':
            return torch.ones(len(sample.exemplar_masks), T, dtype=torch.bool)
        return torch.ones(T, dtype=torch.bool)

    @staticmethod
    def _field(samples: Sequence, name: str) -> Tensor:
        return torch.stack([torch.as_tensor(getattr(s, name)) for s in samples])

    # ------------------------------------------------------------------ loss / predict
    def loss(self, inputs: Tensor, data_samples: Sequence) -> Dict[str, Tensor]:
        """inputs (B, 2, 3, T, H, W): query and its exemplar."""
        B, V = inputs.shape[:2]
        if V != 2:
            raise ValueError(f'FineParser.loss: expected a query and one exemplar per sample, '
                             f'got {V} videos')
        dev = inputs.device
        feats = self.video_features(inputs.flatten(0, 1))  # videos: q0, z0, q1, z1, ...
        q = {k: v.view(B, 2, *v.shape[1:])[:, 0] for k, v in feats.items() if k != 'masks'}
        z = {k: v.view(B, 2, *v.shape[1:])[:, 1] for k, v in feats.items() if k != 'masks'}
        y_x = self._field(data_samples, 'gt_score').to(dev).view(B)
        y_z = torch.stack([s.exemplar_scores[0] for s in data_samples]).to(dev).view(B)
        losses = {}
        t_q = t_z = None
        if self.tap_head is not None:
            gt_q = self._field(data_samples, 'gt_transitions').to(dev)
            gt_z = torch.stack([s.exemplar_transitions[0] for s in data_samples]).to(dev)
            valid = torch.tensor([[bool(s.has_steps), bool(s.exemplar_has_steps[0])]
                                  for s in data_samples], device=dev)
            losses.update(self.tap_head.loss(feats['probs'], torch.stack([gt_q, gt_z], 1)
                                             .flatten(0, 1), valid.flatten()))
            if self.train_transitions == 'gt':
                t_q, t_z = gt_q, gt_z
            else:
                pred = self.tap_head.predict(feats['probs'].detach()).view(B, 2, 2)
                t_q, t_z = pred[:, 0], pred[:, 1]
        if self.sap is not None:
            with_mask = [('gt_masks' in s and 'exemplar_masks' in s) for s in data_samples]
            if any(with_mask):
                T = inputs.shape[3]
                H, W = inputs.shape[-2:]
                gt = torch.stack([
                    torch.stack([s.gt_masks, s.exemplar_masks[0]]) if ok else
                    torch.zeros(2, T, H, W, dtype=torch.uint8)
                    for s, ok in zip(data_samples, with_mask)]).to(dev).flatten(0, 1)
                valid = torch.stack([  # frames with a ground-truth mask [B*2, T]
                    torch.stack([self._mask_valid(s, 'gt_mask_valid', T),
                                 self._mask_valid(s, 'exemplar_mask_valid', T)[0]])
                    if ok else torch.zeros(2, T, dtype=torch.bool)
                    for s, ok in zip(data_samples, with_mask)]).to(dev).flatten(0, 1)
                N = feats['x_v'].shape[1]
                target = self.mask_targets(gt, N)  # [B*2*N, 1, L, H, W]
                weight = self.mask_targets(valid[..., None, None].to(torch.uint8) * 255, N)
                # [B*2*N, 1, L, 1, 1]
                losses['loss_sap'] = sum(self.loss_sap(m, target, weight)
                                         for m in feats['masks'])
            else:
                losses['loss_sap'] = sum(m.sum() * 0 for m in feats['masks'])
        d12, d21 = self.finereg(*self.step_tokens(q, z, t_q, t_z))
        losses.update(self.finereg.loss(d12, d21, y_x, y_z))
        return losses

    def _voter_features(self, videos: Tensor, keys: Sequence) -> Dict[str, Tensor]:
        """Per-video features of the voters, from the cache where possible."""
        if not self.cache_exemplars:
            feats = self.video_features(videos)
            feats.pop('masks', None)
            return feats
        todo = [i for i, k in enumerate(keys) if tuple(k) not in self._cache]
        if todo:
            new = self.video_features(videos[todo])
            new.pop('masks', None)
            for j, i in enumerate(todo):
                self._cache[tuple(keys[i])] = {k: v[j] for k, v in new.items()}
        for k in keys:
            self._cache.move_to_end(tuple(k))
        while len(self._cache) > 4096:
            self._cache.popitem(last=False)
        return {name: torch.stack([self._cache[tuple(k)][name] for k in keys])
                for name in self._cache[tuple(keys[0])]}

    def train(self, mode: bool = True) -> 'FineParser':
        self._cache.clear()  # cached voter features belong to the weights at the time
        return super().train(mode)

    def predict(self, inputs: Tensor, data_samples: Sequence) -> Sequence:
        """inputs (B, 1 + E, 3, T, H, W): each query and its voters.

        Fills every data sample with ``pred_score`` (mean over voters of delta + y_Z),
        ``pred_deltas`` (E,) and ``voter_scores`` (E,), ``pred_transitions`` (E, 2) (the
        query's own decoded transitions, once per voter, as the AIoU convention),
        ``gt_transitions``, and ``pred_mask`` (T, H, W) in [0, 1] with SAP.
        """
        B, V, _, T = inputs.shape[:4]
        for b, s in enumerate(data_samples):
            q = self.video_features(inputs[b, :1])
            masks = q.pop('masks', None)
            z = self._voter_features(inputs[b, 1:], s.exemplar_keys)
            E = V - 1
            qe = {k: v.expand(E, *v.shape[1:]) for k, v in q.items()}
            t_q = t_z = None
            if self.tap_head is not None:
                t_q = self.tap_head.predict(qe['probs'])
                t_z = self.tap_head.predict(z['probs'])
            d12, _ = self.finereg(*self.step_tokens(qe, z, t_q, t_z))  # [E]
            y_z = s.exemplar_scores.to(d12.device).float()
            s.pred_deltas = d12.detach().cpu()
            s.voter_scores = y_z.cpu()
            s.pred_score = self.finereg.predict(d12, y_z).detach().cpu()
            if t_q is not None:
                s.pred_transitions = t_q.cpu()
            if masks is not None:
                s.pred_mask = self.stitch_mask(masks[-1], 1, T)[0].cpu()
        return data_samples

    def _forward(self, inputs: Tensor, data_samples: Optional[Sequence] = None):
        """Raw per-video features (the ``tensor`` mode), inputs (B, V, 3, T, H, W)."""
        return self.video_features(inputs.flatten(0, 1))

    def forward(self, inputs: Tensor, data_samples: Optional[Sequence] = None,
                mode: str = 'tensor'):
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self._forward(inputs, data_samples)
        raise RuntimeError(f'FineParser: invalid mode {mode!r}')

"""BMN proposal generation and Soft-NMS for a whole batch."""
from typing import Dict, List, Optional

import torch
from torch import Tensor

from mmfine.registry import TASK_UTILS
from .soft_nms import batched_temporal_soft_nms


def _descending(scores: Tensor) -> Tensor:
    """Order of ``np.argsort(x)[::-1]`` with a stable sort: descending, ties last-first."""
    order = torch.sort(scores, dim=-1, stable=True).indices  # ascending, ties in input order
    return order.flip(-1)


@TASK_UTILS.register_module()
class BMNPostProcessor:
    """BMN's inference rule, vectorised over the batch (mmaction2 ``BMN.predict`` +
    ``post_processing`` handle one video, ``batch[0]``).

    1. Boundary candidates: step 0 (starts) / the last valid step (ends), and every inner step
       that is a strict local maximum of its probability or above half of the video's maximum.
    2. Proposals: every map entry ``[d, t]`` with a candidate start ``t``, a candidate end
       ``e = t + d + 1 < L`` (``L`` valid steps); score = ``start[t] * end[e] * bm_cls[d, t] *
       bm_reg[d, t]`` (float32, that order), bounds ``[t / L, e / L]``.
    3. Soft-NMS (:func:`batched_temporal_soft_nms`) over proposals sorted by descending score,
       ``top_k + 1`` picks as mmaction2, then the ``top_k`` best.
    4. Labels (optional): from the per-proposal class logits (``softmax``, top-1) or from
       video-level class scores (top-1 class for every proposal, FineAction's protocol); the
       proposal score is multiplied by that class probability.

    Args:
        soft_nms_alpha (float): Defaults to 0.4.
        soft_nms_low_threshold (float): Defaults to 0.5.
        soft_nms_high_threshold (float): Defaults to 0.9.
        top_k (int): proposals kept per video. Defaults to 100.
    """

    def __init__(self, soft_nms_alpha: float = 0.4, soft_nms_low_threshold: float = 0.5,
                 soft_nms_high_threshold: float = 0.9, top_k: int = 100) -> None:
        self.alpha = soft_nms_alpha
        self.low = soft_nms_low_threshold
        self.high = soft_nms_high_threshold
        self.top_k = top_k

    @staticmethod
    def boundary_candidates(prob: Tensor, valid_len: Tensor, edge: str) -> Tensor:
        """(B, T) probabilities -> (B, T) bool candidates (rule 1); ``edge`` is ``'first'``
        (starts) or ``'last'`` (ends)."""
        B, T = prob.shape
        idx = torch.arange(T, device=prob.device)[None, :]  # [1, T]
        L = valid_len[:, None]  # [B, 1]
        valid = idx < L
        peak = torch.zeros_like(valid)
        peak[:, 1:-1] = (prob[:, 1:-1] > prob[:, 2:]) & (prob[:, 1:-1] > prob[:, :-2])
        top = torch.where(valid, prob, torch.full_like(prob, float('-inf'))).max(dim=1,
                                                                                 keepdim=True)
        high = prob > 0.5 * top.values
        inner = (idx >= 1) & (idx <= L - 2)
        cand = inner & (peak | high)
        return cand | (idx == (0 if edge == 'first' else L - 1))

    def proposals(self, start: Tensor, end: Tensor, bm: Tensor, valid_len: Tensor):
        """Rule 2: (B, D, T) bool candidates and float32 scores."""
        B, _, D, T = bm.shape
        s_ok = self.boundary_candidates(start, valid_len, 'first')  # [B, T]
        e_ok = self.boundary_candidates(end, valid_len, 'last')
        d = torch.arange(D, device=bm.device)[:, None]
        t = torch.arange(T, device=bm.device)[None, :]
        e_idx = (t + d + 1).clamp(max=T - 1)  # [D, T]
        ok = s_ok[:, None, :] & e_ok[:, e_idx] & ((t + d + 1)[None] < valid_len[:, None, None])
        score = start[:, None, :] * end[:, e_idx] * bm[:, 1] * bm[:, 0]  # [B, D, T]
        return ok, score

    @torch.no_grad()
    def __call__(self, start: Tensor, end: Tensor, bm: Tensor, valid_len: Optional[Tensor] = None,
                 cls_logits: Optional[Tensor] = None,
                 video_cls_scores: Optional[Tensor] = None) -> List[Dict[str, Tensor]]:
        """Proposals of every video.

        Args:
            start (Tensor): (B, T) start probabilities.
            end (Tensor): (B, T) end probabilities.
            bm (Tensor): (B, 2, D, T) [IoU regression, IoU classification] confidence maps.
            valid_len (Tensor, optional): (B,) valid steps. Defaults to T for all.
            cls_logits (Tensor, optional): (B, K, D, T) per-proposal class logits.
            video_cls_scores (Tensor, optional): (B, K) video-level class scores; used when
                ``cls_logits`` is None.

        Returns:
            list[dict]: per video ``segments`` (k, 2) float64 in [0, 1] units of the video
            (not clipped), ``scores`` (k,) float64, and ``labels`` (k,) long when classes were
            given; k <= ``top_k``, by descending score.
        """
        B, _, D, T = bm.shape
        if valid_len is None:
            valid_len = torch.full((B,), T, dtype=torch.long, device=bm.device)
        ok, score = self.proposals(start, end, bm, valid_len)
        flat_ok, flat_score = ok.flatten(1), score.flatten(1).double()  # [B, D*T]
        n = int(flat_ok.sum(1).max()) if flat_ok.numel() else 0
        key = torch.where(flat_ok, flat_score, torch.full_like(flat_score, float('-inf')))
        order = _descending(key)[:, :n]  # [B, n] candidates first, best first
        valid = flat_ok.gather(1, order)
        d = torch.div(order, T, rounding_mode='floor')
        t = order % T
        L = valid_len[:, None].double()
        tmin, tmax = t / L, (t + d + 1) / L  # [B, n]
        sc = flat_score.gather(1, order)
        index, picked, taken = batched_temporal_soft_nms(
            tmin, tmax, sc, valid, self.alpha, self.low, self.high, self.top_k + 1)
        results = []
        for b in range(B):
            keep = taken[b]
            idx, s = index[b][keep], picked[b][keep]
            final = _descending(s)[:self.top_k]
            idx, s = idx[final], s[final]
            res = dict(segments=torch.stack([tmin[b, idx], tmax[b, idx]], dim=1), scores=s)
            if cls_logits is not None:
                prob = cls_logits[b].flatten(1)[:, order[b, idx]].softmax(dim=0)  # [K, k]
                cls_p, res['labels'] = prob.max(dim=0)
                res['scores'] = s * cls_p.double()
            elif video_cls_scores is not None:
                cls_p, label = video_cls_scores[b].max(dim=0)
                res['labels'] = label.expand(len(idx)).clone()
                res['scores'] = s * float(cls_p)
            if 'labels' in res:  # class probabilities change the ranking
                final = _descending(res['scores'])
                res = {k: v[final] for k, v in res.items()}
            results.append(res)
        return results

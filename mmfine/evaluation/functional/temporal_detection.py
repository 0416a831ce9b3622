"""ActivityNet-style temporal detection mAP (pure numpy)."""
import itertools
from typing import Dict, List, Sequence

import numpy as np

from ._inputs import columns
from .ap import check_scores, voc_ap
from .matching import grouped_argsort_desc, greedy_match, ranked_precision_recall, score_order

# The official code compares tIoU with np.linspace(0.5, 0.95, 10) as computed: its values are
# not the decimals they print as (the 9th is 0.8999999999999999), which decides hits on
# quantised boundaries. Keep them unrounded.
DEFAULT_TIOU_THRESHOLDS = tuple(np.linspace(0.5, 0.95, 10).tolist())
TIE_ORDERS = ('official', 'stable')


def _check_tie_order(tie_order: str) -> None:
    if tie_order not in TIE_ORDERS:
        raise ValueError(f'tie_order must be one of {TIE_ORDERS}, got {tie_order!r}')


def broadcast_tiou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """tIoU of broadcastable segment arrays (ActivityNet ``segment_iou``, no +1).

    Args:
        a (np.ndarray): (..., 2) [start, end].
        b (np.ndarray): (..., 2), broadcastable with ``a``.

    Returns:
        np.ndarray: the broadcast shape without the last axis; 0 where the union is empty,
        NaN where a segment is NaN (padding stays padding).
    """
    inter = (np.minimum(a[..., 1], b[..., 1]) - np.maximum(a[..., 0], b[..., 0])).clip(min=0)
    union = (a[..., 1] - a[..., 0]) + (b[..., 1] - b[..., 0]) - inter
    with np.errstate(invalid='ignore', divide='ignore'):
        out = np.where(union > 0, inter / np.where(union > 0, union, 1), 0.0)
    return np.where(np.isnan(union), np.nan, out)


def segment_iou_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Temporal IoU of every pair of segments (ActivityNet ``segment_iou``, no +1).

    Args:
        a (np.ndarray): (N, 2) [start, end].
        b (np.ndarray): (M, 2) [start, end].

    Returns:
        np.ndarray: (N, M) tIoU; 0 where the union is empty.
    """
    a = np.asarray(a, np.float64).reshape(-1, 2)
    b = np.asarray(b, np.float64).reshape(-1, 2)
    return broadcast_tiou(a[:, None, :], b[None, :, :])


def _segments(col: dict, what: str) -> np.ndarray:
    seg = np.stack([col['t_start'], col['t_end']], axis=1).reshape(-1, 2)
    bad = np.nonzero(~(seg[:, 1] >= seg[:, 0]))[0]
    if len(bad):
        raise ValueError(f'{what}[{int(bad[0])}] has t_end < t_start or NaN: {seg[bad[0]]}')
    return seg


def anet_detection_map(gt: List[dict], preds: List[dict],
                       tiou_thresholds: Sequence[float] = DEFAULT_TIOU_THRESHOLDS,
                       tie_order: str = 'official', return_curves: bool = False) -> Dict:
    """Temporal detection mAP, ActivityNet official convention (``eval_detection.py``).

    Convention: classes are the labels present in ``gt``; a class without predictions has AP 0
    and is still averaged; per class, predictions are ranked by descending score; ties
    (``tie_order='official'``) as the official ``argsort()[::-1]`` of the class's scores in
    input order orders them (see :func:`grouped_argsort_desc`: of two tied predictions the
    later-listed goes first), or (``'stable'``) in input order; each takes the highest-tIoU
    ground truth of its video and class that is not matched yet, if that tIoU >= the threshold, else it is a false positive (among ground truths
    with equal tIoU the one listed last wins, as ``tiou_arr.argsort()[::-1]`` does); predictions
    on videos without ground truth of their class are false positives; tIoU has no +1; AP is VOC
    all-point interpolated.

    Args:
        gt (list[dict]): ``{'video', 't_start', 't_end', 'label'}`` per ground-truth segment.
        preds (list[dict]): the same keys plus ``'score'``.
        tiou_thresholds (Sequence[float]): Defaults to ``np.linspace(0.5, 0.95, 10)`` unrounded
            (as the official code and mmaction2 compare them).
        tie_order (str): ``'official'`` (default) or ``'stable'`` (see above).
        return_curves (bool): also return ``'curves'``: ``{label: {'precision', 'recall'}}``,
            each (T, P_c) over the class's ranked predictions. Defaults to False.

    Returns:
        dict: ``{'mAP': float (average over thresholds), 'mAP@0.50': float, ...,
        'per_class': {label: (T,) list of AP}}``, floats in [0, 1].

    Raises:
        ValueError: a prediction with an unknown label, a negative / NaN score, a segment with
            t_end < t_start, or a record without one of the keys.
    """
    _check_tie_order(tie_order)
    thr = np.asarray(tiou_thresholds, np.float64)
    g = columns(gt, ('video', 't_start', 't_end', 'label'), 'gt',
                dict(video=object, label=object))
    p = columns(preds, ('video', 't_start', 't_end', 'label', 'score'), 'preds',
                dict(video=object, label=object))
    gt_seg, pred_seg = _segments(g, 'gt'), _segments(p, 'preds')
    check_scores(p['score'], 'preds')
    labels = list(dict.fromkeys(g['label'].tolist()))  # order of appearance
    label_index = {c: i for i, c in enumerate(labels)}
    gt_cls = np.array([label_index[c] for c in g['label'].tolist()], np.int64)
    pred_labels = p['label'].tolist()
    try:  # an unknown label maps to None, which fromiter refuses
        pred_cls = np.fromiter(map(label_index.get, pred_labels), np.int64, len(pred_labels))
    except TypeError:
        i = next(i for i, c in enumerate(pred_labels) if c not in label_index)
        raise ValueError(f'preds[{i}] has label {pred_labels[i]!r}, which no ground truth '
                         'has') from None
    videos = {v: i for i, v in enumerate(dict.fromkeys(g['video'].tolist()))}
    gt_vid = np.array([videos[v] for v in g['video'].tolist()], np.int64)
    pred_vid = np.fromiter(map(videos.get, p['video'].tolist(), itertools.repeat(-1)),
                           np.int64, len(p['video']))
    n_cls = max(len(labels), 1)
    order = (grouped_argsort_desc(p['score'], pred_cls) if tie_order == 'official'
             else score_order(p['score']))  # [P] rank order within each class
    tp = greedy_match(
        np.where(pred_vid >= 0, pred_vid * n_cls + pred_cls, -1), p['score'],
        gt_vid * n_cls + gt_cls,
        lambda d, k: broadcast_tiou(pred_seg[d], gt_seg[k]), thr, rule='best_free', tie='last',
        order=order)
    num_gt = np.bincount(gt_cls, minlength=len(labels))
    ap = np.zeros((len(labels), len(thr)))  # [C, T]; a class without predictions keeps AP 0
    curves = {}
    for c, tp_c, cum, precision in ranked_precision_recall(pred_cls, p['score'], tp,
                                                           len(labels), order=order):
        if tp_c.shape[1]:
            ap[c] = [voc_ap(precision[t], cum[t] / num_gt[c]) for t in range(len(thr))]
        if return_curves:
            curves[labels[c]] = dict(precision=precision, recall=cum / num_gt[c])  # [T, P_c]
    m_ap = ap.mean(axis=0) if len(labels) else np.zeros(len(thr))  # [T]
    out = {'mAP': float(m_ap.mean()) if len(thr) else 0.0}
    out.update({f'mAP@{t:.2f}': float(v) for t, v in zip(thr, m_ap)})
    out['per_class'] = {c: ap[i].tolist() for i, c in enumerate(labels)}
    if return_curves:
        out['curves'] = curves
    return out


def anet_proposal_ar_an(gt: List[dict], proposals: List[dict], max_avg_proposals: float = 100,
                        tiou_thresholds: Sequence[float] = DEFAULT_TIOU_THRESHOLDS,
                        iou: str = 'standard', ar_at: Sequence[int] = (1, 5, 10, 100),
                        tie_order: str = 'official') -> Dict:
    """Average recall vs average number of proposals (AR@AN) and its AUC, ActivityNet convention.

    Follows ``average_recall_vs_avg_nr_proposals`` of the official ``eval_proposal.py``: the
    videos are those with ground truth; ``ratio = max_avg_proposals * n_videos / n_proposals``
    (all proposals passed in, videos without ground truth included); each video keeps its
    ``min(int(n_v * ratio), n_v)`` best-scored proposals (ties: ``tie_order='official'``
    orders each video's proposals exactly as the official ``argsort()[::-1]`` does, see
    :func:`grouped_argsort_desc`; ``'stable'`` keeps them in input order); AN is sampled at
    100 points ``AN_j = j / 100 * max_avg_proposals``
    (scaled if fewer proposals were retrieved), a video contributing its first
    ``min(int(n_v * j / 100 * scale), n_v)`` proposals; a ground truth is recalled at
    threshold t if one of them reaches tIoU >= t; AR averages recall over thresholds;
    ``AUC = trapz(AR, AN) / AN_max`` with the AN axis starting at its first point (AN = 1 for
    100 proposals per video). The official code prints ``100 x AUC``; we return it in [0, 1].

    ``iou='fineaction'`` replaces tIoU by FineAction's IoU_new (FineAction paper, Eq. 2):
    ``tIoU x (1 - |g_s - p_s|) x (1 - |g_e - p_e|)`` with boundaries divided by the video
    duration (taken from the ``'duration'`` key of the ground truth) and clipped to [0, 1], so a
    proposal running past the end of the video is judged by its part inside the video.

    Args:
        gt (list[dict]): ``{'video', 't_start', 't_end'}`` per ground-truth segment (plus
            ``'duration'`` for ``iou='fineaction'``); labels are ignored.
        proposals (list[dict]): ``{'video', 't_start', 't_end', 'score'}``.
        max_avg_proposals (float): AN at the end of the curve. Defaults to 100. ``None`` uses
            the average number of proposals per video.
        tiou_thresholds (Sequence[float]): Defaults to ``np.linspace(0.5, 0.95, 10)`` unrounded.
        iou (str): ``'standard'`` or ``'fineaction'``.
        ar_at (Sequence[int]): AN values at which AR is reported. Defaults to (1, 5, 10, 100).
        tie_order (str): ``'official'`` (default) or ``'stable'``.

    Returns:
        dict: ``{'AR@1': ..., 'AR@100': ..., 'AUC': float, 'recall': (T, 100) list,
        'avg_recall': (100,) list, 'proposals_per_video': (100,) list}``.

    Raises:
        ValueError: unknown ``iou``, a segment with t_end < t_start, a negative / NaN score, no
            ground truth, or (fineaction) a missing / non-positive duration.
    """
    if iou not in ('standard', 'fineaction'):
        raise ValueError(f"iou must be 'standard' or 'fineaction', got {iou!r}")
    _check_tie_order(tie_order)
    thr = np.asarray(tiou_thresholds, np.float64)
    g_keys = ('video', 't_start', 't_end') + (('duration',) if iou == 'fineaction' else ())
    g = columns(gt, g_keys, 'gt', dict(video=object))
    p = columns(proposals, ('video', 't_start', 't_end', 'score'), 'proposals',
                dict(video=object))
    gt_seg, prop_seg = _segments(g, 'gt'), _segments(p, 'proposals')
    check_scores(p['score'], 'proposals')
    if len(gt_seg) == 0:
        raise ValueError('anet_proposal_ar_an needs at least one ground-truth segment')
    videos = {v: i for i, v in enumerate(dict.fromkeys(g['video'].tolist()))}
    n_videos = len(videos)
    gt_vid = np.array([videos[v] for v in g['video'].tolist()], np.int64)
    prop_vid = np.array([videos.get(v, -1) for v in p['video'].tolist()], np.int64)
    n_props = len(prop_seg)
    if not max_avg_proposals:
        max_avg_proposals = float(n_props) / n_videos
    ratio = max_avg_proposals * float(n_videos) / n_props if n_props else 0.0
    # per video: proposals by descending score (ties as tie_order), the first int(n * ratio) kept
    known = np.nonzero(prop_vid >= 0)[0]
    if tie_order == 'official':
        order = known[grouped_argsort_desc(p['score'][known], prop_vid[known])]
    else:
        desc = known[score_order(p['score'][known])]
        order = desc[np.argsort(prop_vid[desc], kind='stable')]
    per_video = np.bincount(prop_vid[order], minlength=n_videos)  # [V]
    kept = np.minimum((per_video * ratio).astype(np.int64), per_video)  # int() truncation
    starts = np.r_[0, np.cumsum(per_video)[:-1]]
    rank = np.arange(len(order)) - np.repeat(starts, per_video)
    keep = rank < np.repeat(kept, per_video)
    order, rank = order[keep], rank[keep]
    total_retrieved = int(kept.sum())
    width = max(int(kept.max()) if n_videos else 0, 1)
    table = np.full((n_videos, width, 2), np.nan)  # [V, W, 2] retrieved proposals, best first
    table[prop_vid[order], rank] = prop_seg[order]
    cand = table[gt_vid]  # [G, W, 2]
    tiou = broadcast_tiou(gt_seg[:, None, :], cand)  # [G, W]
    if iou == 'fineaction':
        dur = g['duration'][:, None]  # [G, 1]
        bad = np.nonzero(~(g['duration'] > 0))[0]
        if len(bad):
            raise ValueError(f"gt[{int(bad[0])}] has duration {g['duration'][bad[0]]!r} "
                             '(must be > 0 for iou=\'fineaction\')')
        gs, ge = (gt_seg[:, 0:1] / dur).clip(0, 1), (gt_seg[:, 1:2] / dur).clip(0, 1)
        ps, pe = (cand[..., 0] / dur).clip(0, 1), (cand[..., 1] / dur).clip(0, 1)
        tiou = tiou * (1 - np.abs(gs - ps)) * (1 - np.abs(ge - pe))
    tiou = np.nan_to_num(tiou, nan=-np.inf)
    # first retrieved rank reaching each threshold (width if none)
    hit = tiou[:, None, :] >= thr[None, :, None]  # [G, T, W]
    first = np.where(hit.any(axis=2), hit.argmax(axis=2), width)  # [G, T]
    scale = max_avg_proposals * float(n_videos) / total_retrieved if total_retrieved else 0.0
    pcn = np.arange(1, 101) / 100.0 * scale  # [100]
    cols = np.where(kept > 0, kept, 1).astype(np.float64)  # a video without proposals: 1 col
    n_used = np.minimum((cols[:, None] * pcn[None, :]).astype(np.int64),
                        cols[:, None].astype(np.int64))  # [V, 100]
    recall = (first[:, :, None] < n_used[gt_vid][:, None, :]).sum(axis=0) / len(gt_seg)
    avg_recall = recall.mean(axis=0)  # [100]
    ppv = pcn * (float(total_retrieved) / n_videos)
    auc = (float(np.sum((ppv[1:] - ppv[:-1]) * (avg_recall[1:] + avg_recall[:-1]) / 2))
           / ppv[-1]) if total_retrieved else 0.0
    out = {}
    for k in ar_at:
        j = int(round(k * 100 / max_avg_proposals)) - 1
        if 0 <= j < 100:
            out[f'AR@{k}'] = float(avg_recall[j])
    out.update(AUC=auc, recall=recall.tolist(), avg_recall=avg_recall.tolist(),
               proposals_per_video=ppv.tolist())
    return out

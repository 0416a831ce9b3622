"""ActivityNet-style temporal detection mAP (pure numpy)."""
from typing import Dict, List, Sequence

import numpy as np

from .ap import check_scores, voc_ap

DEFAULT_TIOU_THRESHOLDS = tuple(np.round(np.linspace(0.5, 0.95, 10), 2).tolist())


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
    inter = (np.minimum(a[:, None, 1], b[None, :, 1]) -
             np.maximum(a[:, None, 0], b[None, :, 0])).clip(min=0)  # [N, M]
    union = (a[:, 1] - a[:, 0])[:, None] + (b[:, 1] - b[:, 0])[None, :] - inter
    with np.errstate(invalid='ignore', divide='ignore'):
        return np.where(union > 0, inter / np.where(union > 0, union, 1), 0.0)


def _segments(items: Sequence[dict], what: str) -> np.ndarray:
    seg = np.array([[d['t_start'], d['t_end']] for d in items], np.float64).reshape(-1, 2)
    bad = np.nonzero(~(seg[:, 1] >= seg[:, 0]))[0]
    if len(bad):
        raise ValueError(f'{what}[{int(bad[0])}] has t_end < t_start or NaN: {seg[bad[0]]}')
    return seg


def anet_detection_map(gt: List[dict], preds: List[dict],
                       tiou_thresholds: Sequence[float] = DEFAULT_TIOU_THRESHOLDS) -> Dict:
    """Temporal detection mAP, ActivityNet official convention (``eval_detection.py``).

    Convention: classes are the labels present in ``gt``; a class without predictions has AP 0
    and is still averaged; per class, predictions are ranked by descending score (ties keep
    the input order); each takes the highest-tIoU ground truth of its video and class that is not
    matched yet, if that tIoU >= the threshold, else it is a false positive; predictions on videos
    without ground truth of their class are false positives; AP is VOC all-point interpolated.

    Args:
        gt (list[dict]): ``{'video', 't_start', 't_end', 'label'}`` per ground-truth segment.
        preds (list[dict]): the same keys plus ``'score'``.
        tiou_thresholds (Sequence[float]): Defaults to 0.5:0.05:0.95.

    Returns:
        dict: ``{'mAP': float (average over thresholds), 'mAP@0.50': float, ...,
        'per_class': {label: (T,) list of AP}}``, floats in [0, 1].

    Raises:
        ValueError: a prediction with an unknown label, a negative / NaN score, or a segment with
            t_end < t_start.
    """
    thr = np.asarray(tiou_thresholds, np.float64)
    gt_seg = _segments(gt, 'gt')
    pred_seg = _segments(preds, 'preds')
    scores = np.array([d['score'] for d in preds], np.float64)
    check_scores(scores, 'preds')
    labels = list(dict.fromkeys(d['label'] for d in gt))  # order of appearance
    label_index = {c: i for i, c in enumerate(labels)}
    gt_cls = np.array([label_index[d['label']] for d in gt], np.int64)
    pred_cls = np.empty(len(preds), np.int64)
    for i, d in enumerate(preds):
        if d['label'] not in label_index:
            raise ValueError(f"preds[{i}] has label {d['label']!r}, which no ground truth has")
        pred_cls[i] = label_index[d['label']]
    gt_vid = np.array([d['video'] for d in gt])
    pred_vid = np.array([d['video'] for d in preds])
    ap = np.zeros((len(labels), len(thr)))  # [C, T]; a class without predictions keeps AP 0
    for c in range(len(labels)):
        g_idx = np.nonzero(gt_cls == c)[0]
        p_idx = np.nonzero(pred_cls == c)[0]
        if len(p_idx) == 0:
            continue
        order = p_idx[np.argsort(-scores[p_idx], kind='stable')]  # ranked predictions
        tp = np.zeros((len(thr), len(order)), bool)
        g_videos = gt_vid[g_idx]
        p_videos = pred_vid[order]
        for vid in np.unique(p_videos):
            ranks = np.nonzero(p_videos == vid)[0]  # positions in the ranking, ascending
            g_here = g_idx[g_videos == vid]
            if len(g_here) == 0:
                continue  # all false positives
            tiou = segment_iou_matrix(pred_seg[order[ranks]], gt_seg[g_here])  # [P, G]
            by_tiou = np.argsort(-tiou, axis=1, kind='stable')  # GT candidates, best first
            sorted_tiou = np.take_along_axis(tiou, by_tiou, axis=1)
            locked = np.zeros((len(thr), len(g_here)), bool)
            for k, rank in enumerate(ranks):
                # for every threshold: first candidate above it that is still free
                free = (sorted_tiou[k][None, :] >= thr[:, None]) & ~locked[:, by_tiou[k]]
                hit = free.any(axis=1)
                first = by_tiou[k][free.argmax(axis=1)]
                tp[hit, rank] = True
                locked[np.nonzero(hit)[0], first[hit]] = True
        tp_cum = np.cumsum(tp, axis=1)
        fp_cum = np.cumsum(~tp, axis=1)
        recall = tp_cum / len(g_idx)
        precision = tp_cum / (tp_cum + fp_cum)
        ap[c] = [voc_ap(precision[t], recall[t]) for t in range(len(thr))]
    m_ap = ap.mean(axis=0) if len(labels) else np.zeros(len(thr))  # [T]
    out = {'mAP': float(m_ap.mean()) if len(thr) else 0.0}
    out.update({f'mAP@{t:.2f}': float(v) for t, v in zip(thr, m_ap)})
    out['per_class'] = {c: ap[i].tolist() for i, c in enumerate(labels)}
    return out

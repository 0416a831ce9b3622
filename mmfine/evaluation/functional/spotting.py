"""Precise action spotting metrics: E2E-Spot mAP at frame tolerances (pure numpy)."""
from typing import Dict, List, Optional, Sequence

import numpy as np

from .ap import check_scores, interpolated_precision_at_hits
from .matching import greedy_match, ranked_precision_recall


def _flatten(videos: List[dict], what: str, with_score: bool):
    """Events of every video as columns (video index, label, frame, score), in input order."""
    vid, lab, frame, score, names = [], [], [], [], []
    for i, item in enumerate(videos):
        if 'video' not in item or 'events' not in item:
            raise ValueError(f"{what}[{i}] needs the keys 'video' and 'events'")
        names.append(item['video'])
        for j, e in enumerate(item['events']):
            keys = ('label', 'frame') + (('score',) if with_score else ())
            missing = [k for k in keys if k not in e]
            if missing:
                raise ValueError(f"{what}[{i}]['events'][{j}] has no key {missing[0]!r}")
            vid.append(i)
            lab.append(e['label'])
            frame.append(e['frame'])
            score.append(e['score'] if with_score else 0.0)
    frame = np.asarray(frame, np.float64)
    bad = np.nonzero(frame != np.round(frame))[0]
    if len(bad):
        raise ValueError(f'{what}: event {int(bad[0])} (in input order) has a non-integer '
                         f'frame {frame[bad[0]]!r}')
    return (np.asarray(vid, np.int64), lab, frame.astype(np.int64),
            np.asarray(score, np.float64), names)


def spot_nms(group: np.ndarray, frame: np.ndarray, score: np.ndarray, window: int) -> np.ndarray:
    """E2E-Spot's non-maximum suppression (``non_maximum_supression`` in ``util/eval.py``).

    An event is dropped if another event of its group (video and class) at a *different* frame
    within ``window`` frames has a strictly higher score. Not iterative: a dropped event still
    suppresses others.

    Args:
        group (np.ndarray): (N,) int group id.
        frame (np.ndarray): (N,) int frame.
        score (np.ndarray): (N,) score.
        window (int): half-width in frames.

    Returns:
        np.ndarray: (N,) bool, the events kept.
    """
    if len(group) == 0:
        return np.zeros(0, bool)
    span = int(frame.max() - frame.min()) + 2 * int(window) + 1
    key = group * span + (frame - frame.min())
    uniq, inv = np.unique(key, return_inverse=True)
    best = np.full(len(uniq), -np.inf)
    np.maximum.at(best, inv, score)  # highest score per (group, frame)
    keep = np.ones(len(group), bool)
    for k in range(1, int(window) + 1):
        for other in (key + k, key - k):
            pos = np.searchsorted(uniq, other).clip(max=len(uniq) - 1)
            found = uniq[pos] == other
            keep &= ~(found & (best[pos] > score))
    return keep


def spotting_map(truth: List[dict], preds: List[dict], tolerances: Sequence[int] = (0, 1, 2, 4),
                 nms_window: Optional[int] = None, classes: Optional[Sequence] = None) -> Dict:
    """Spotting mAP at frame tolerances, E2E-Spot convention (``util/score.py`` of jhong93/spot).

    Per class (the labels present in ``truth``, sorted), predictions are ranked by descending
    score (ties: input order, videos then events); each takes the closest ground-truth event of
    its video and class that is not recalled yet (the first listed on equal distance), and is a
    true positive if ``|frame difference| <= tolerance``. Two ground-truth events of one class
    on the same frame are recalled together (the official code keys ``recalled`` by frame)
    but both count in the number of events. AP = sum of the interpolated precision at each true
    positive / number of ground-truth events; mAP averages the classes. With ``nms_window``,
    E2E-Spot's per-class NMS (:func:`spot_nms`) is applied first and each video's events are
    re-ordered by frame, as the official script does.

    Args:
        truth (list[dict]): ``{'video': str, 'events': [{'label', 'frame'}]}``.
        preds (list[dict]): ``{'video', 'events': [{'label', 'frame', 'score'}]}``; a video
            without predictions may be left out.
        tolerances (Sequence[int]): frame tolerances. Defaults to (0, 1, 2, 4).
        nms_window (int, optional): NMS half-width in frames. Defaults to None (no NMS).
        classes (Sequence, optional): the class vocabulary; labels outside it raise. Default:
            labels of predictions without ground truth are ignored (as the official code).

    Returns:
        dict: ``{'mAP': average over tolerances, 'mAP@0': ..., 'per_class': {label: [AP per
        tolerance]}}`` in [0, 1].

    Raises:
        ValueError: a predicted video absent from ``truth``, a negative / NaN score, a
            non-integer frame, a label outside ``classes``, or no ground-truth event.
    """
    tol = np.asarray(tolerances, np.float64)
    g_vid, g_lab, g_frame, _, g_names = _flatten(truth, 'truth', False)
    p_vid_local, p_lab, p_frame, p_score, p_names = _flatten(preds, 'preds', True)
    check_scores(p_score, 'preds (events in input order)')
    video_index = {v: i for i, v in enumerate(g_names)}
    for i, v in enumerate(p_names):
        if v not in video_index:
            raise ValueError(f'preds[{i}] is for video {v!r}, which is not in truth')
    p_vid = np.array([video_index[p_names[i]] for i in p_vid_local.tolist()], np.int64)
    if classes is not None:
        known = set(classes)
        for what, labs in (('truth', g_lab), ('preds', p_lab)):
            bad = next((x for x in labs if x not in known), None)
            if bad is not None:
                raise ValueError(f'{what} has an event with label {bad!r}, not in classes')
    labels = sorted(set(g_lab))
    if not labels:
        raise ValueError('truth has no event: the spotting mAP is undefined')
    label_index = {c: i for i, c in enumerate(labels)}
    g_cls = np.array([label_index[c] for c in g_lab], np.int64)
    p_cls = np.array([label_index.get(c, -1) for c in p_lab], np.int64)
    known = p_cls >= 0  # predictions of classes without ground truth are not scored
    p_vid, p_cls, p_frame, p_score = p_vid[known], p_cls[known], p_frame[known], p_score[known]
    n_cls = len(labels)
    p_group = p_vid * n_cls + p_cls
    if nms_window is not None:
        # within a video the official code lists the kept events by frame, then label group
        # (first appearance in that video), then input order
        keep = spot_nms(p_group, p_frame, p_score, nms_window)
        first_seen = {}
        lab_rank = np.array([first_seen.setdefault((v, c), len(first_seen))
                             for v, c in zip(p_vid.tolist(), p_cls.tolist())], np.int64)
        order = np.lexsort((np.arange(len(p_vid)), lab_rank, p_frame, p_vid_local[known]))
        order = order[keep[order]]
        p_group, p_cls, p_frame, p_score = (p_group[order], p_cls[order], p_frame[order],
                                            p_score[order])
    # one matchable ground truth per (video, class, frame); the count keeps duplicates
    g_group = g_vid * n_cls + g_cls
    _, first = np.unique(np.stack([g_group, g_frame], 1), axis=0, return_index=True)
    first = np.sort(first)
    tp = greedy_match(p_group, p_score, g_group[first],
                      lambda i, j: -np.abs(p_frame[i] - g_frame[first][j]).astype(np.float64),
                      -tol, rule='best_free', tie='first')
    num_gt = np.bincount(g_cls, minlength=n_cls)
    per_class = {}
    for c, tp_c, _, _ in ranked_precision_recall(p_cls, p_score, tp, n_cls):
        per_class[labels[c]] = [interpolated_precision_at_hits(tp_c[t], num_gt[c])
                                for t in range(len(tol))]
    m_ap = np.mean(np.array(list(per_class.values())), axis=0)  # [T]
    out = {'mAP': float(m_ap.mean())}
    out.update({f'mAP@{int(t) if t == int(t) else t}': float(m) for t, m in zip(tol, m_ap)})
    out['per_class'] = per_class
    return out

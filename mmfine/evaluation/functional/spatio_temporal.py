"""Frame-mAP and video-mAP for spatio-temporal action localization (pure numpy).

Two conventions are implemented, because published numbers use both:

- ``'voc'``: the current official MultiSports ``evaluate_multisports.py`` (FineSports and
  mmaction2's ``multisports_utils.py`` use it): box areas without +1, temporal IoU from frame
  numbers without +1, a detection looks only at its most overlapping ground truth (a false
  positive if that one is taken), VOC all-point interpolated AP.
- ``'act'``: the ACT detector's ``ACT.py`` (UCF101-24 / JHMDB papers, MOC-Detector): +1 pixel in
  box sizes, inclusive frame counts, a detection takes the best ground truth that is still free,
  AP by the trapezoid rule from (recall 0, precision 1).
"""
from typing import Dict, List, Sequence

import numpy as np

from ._inputs import check_labels, columns
from .ap import check_boxes, check_scores, trapezoid_ap, voc_ap
from .matching import greedy_match, grouped_argsort_desc, ranked_precision_recall

CONVENTIONS = ('voc', 'act')


def _check_convention(convention: str) -> None:
    if convention not in CONVENTIONS:
        raise ValueError(f'convention must be one of {CONVENTIONS}, got {convention!r}')


def pair_box_iou(a: np.ndarray, b: np.ndarray, plus_one: bool = False) -> np.ndarray:
    """IoU of row-aligned box pairs.

    Args:
        a (np.ndarray): (N, 4) [x1, y1, x2, y2].
        b (np.ndarray): (N, 4).
        plus_one (bool): ACT convention (sizes ``x2 - x1 + 1``). Defaults to False.

    Returns:
        np.ndarray: (N,) IoU; 0 where the union is empty (the official code divides 0 by 0)
        or a box is NaN.
    """
    e = 1.0 if plus_one else 0.0
    a, b = np.asarray(a, np.float64).T, np.asarray(b, np.float64).T  # [4, N] views
    w = np.minimum(a[2], b[2])
    w -= np.maximum(a[0], b[0])
    w += e
    np.maximum(w, 0, out=w)
    h = np.minimum(a[3], b[3])
    h -= np.maximum(a[1], b[1])
    h += e
    np.maximum(h, 0, out=h)
    inter = w
    inter *= h
    union = (a[2] - a[0] + e) * (a[3] - a[1] + e)
    union += (b[2] - b[0] + e) * (b[3] - b[1] + e)
    union -= inter
    with np.errstate(invalid='ignore', divide='ignore'):
        iou = inter / union
    iou[~(union > 0)] = 0.0  # empty union or a NaN box
    return iou


class _Tubes:
    """Tubes checked and packed for vectorised lookup.

    The constructor gathers the columns; :meth:`pack` checks the boxes (a non-empty (n, 5)
    array; integer, unique frames; x2 >= x1, y2 >= y1) of the tubes it packs, after which tube ``t``
    covers frames ``first[t]..last[t]`` and its row ``[frame, x1, y1, x2, y2]`` at frame ``f`` is
    ``table[offset[t] + f - first[t]]`` (NaN where the tube skips a frame).
    """

    def __init__(self, tubes: Sequence[dict], what: str, with_score: bool):
        keys = ('video', 'label', 'boxes') + (('score',) if with_score else ())
        col = columns(tubes, keys, what, dict(video=object, label=object, boxes=list))
        self.what = what
        self.video, self.label = col['video'], col['label']
        self.score = col.get('score')
        self.raw = col['boxes']  # converted and checked by pack(), for the tubes it packs
        n = len(self.raw)
        self.first = np.zeros(n, np.int64)
        self.last = np.zeros(n, np.int64)
        self.offset = np.zeros(n, np.int64)

    def pack(self, subset: np.ndarray = None) -> None:
        """Check the rows of the tubes in ``subset`` (all by default) and pack their boxes."""
        what = self.what
        if subset is None:
            subset, raw = np.arange(len(self.raw)), self.raw
        else:
            subset = np.unique(subset)
            raw = [self.raw[i] for i in subset.tolist()]
        try:  # all numpy arrays (the usual case): no conversion pass
            arrays, shapes = raw, {a.shape for a in raw}
        except AttributeError:
            arrays = [np.asarray(b, np.float64) for b in raw]
            shapes = {a.shape for a in arrays}
        for i, a in zip(subset.tolist(), arrays if any(
                len(sh) != 2 or sh[1] != 5 or sh[0] == 0 for sh in shapes) else ()):
            if a.ndim != 2 or a.shape[1] != 5 or len(a) == 0:
                raise ValueError(f'{what}[{i}] boxes must be a non-empty (n, 5) array of '
                                 f'[frame, x1, y1, x2, y2], got shape {a.shape}')
        lengths = np.fromiter(map(len, arrays), np.int64, len(arrays))
        rows = np.concatenate(arrays).astype(np.float64, copy=False) if len(arrays) else \
            np.zeros((0, 5))
        starts = np.cumsum(lengths) - lengths
        tube = np.repeat(subset, lengths)  # [R] tube index of each row

        frames = rows[:, 0].astype(np.int64)
        bad = np.nonzero(frames != rows[:, 0])[0]
        if len(bad):
            raise ValueError(f'{what}[{tube[bad[0]]}] has a non-integer frame '
                             f'{rows[bad[0], 0]!r}')
        step = np.diff(frames)  # [R - 1]
        inside = np.ones(len(step), bool)
        inside[starts[1:] - 1] = False  # steps across two tubes do not count
        if np.any((step <= 0) & inside):  # a tube is not sorted by frame: sort the rows
            order = np.lexsort((frames, tube))
            rows, frames = rows[order], frames[order]
            dup = np.nonzero((np.diff(frames) == 0) & inside)[0]
            if len(dup):
                raise ValueError(f'{what}[{tube[dup[0]]}] has frame {int(frames[dup[0]])} '
                                 'twice')
        boxes = rows[:, 1:]
        ok = (rows[:, 3] >= rows[:, 1]) & (rows[:, 4] >= rows[:, 2])  # NaN fails too
        if not ok.all():
            bad = np.nonzero(~ok)[0]
            raise ValueError(f'{what}[{tube[bad[0]]}] has a box with x2 < x1, y2 < y1 or NaN '
                             f'at frame {int(frames[bad[0]])}: {boxes[bad[0]].tolist()}')
        self.first[subset] = frames[starts]
        self.last[subset] = frames[starts + lengths - 1]
        span = self.last[subset] - self.first[subset] + 1
        self.offset[subset] = np.cumsum(span) - span
        self.gaps = bool(np.any(span != lengths))
        if self.gaps:
            self.table = np.full((int(span.sum()), 5), np.nan)
            self.table[self.offset[tube] + frames - self.first[tube]] = rows
        else:  # rows already sit at offset + frame - first
            self.table = rows
        self.rows = (tube, frames, boxes)


def _video_ids(*arrays: np.ndarray):
    """Integer ids for the video names of several arrays (shared vocabulary)."""
    lists = [a.tolist() for a in arrays]
    vocab = {}
    for lst in lists:
        vocab.update(dict.fromkeys(lst))
    vocab = {v: i for i, v in enumerate(vocab)}
    return [np.fromiter(map(vocab.__getitem__, lst), np.int64, len(lst)) for lst in lists]


def _match_and_score(d_key, d_cls, scores, g_key, g_cls, similarity, labels, convention,
                     thresholds, return_curves=False):
    """Match in the convention's way, then per-class AP (classes without ground truth skipped)
    and their mean.

    One threshold (a float): ``{'mAP', 'per_class': {name: AP}}``; several:
    ``{'mAP@0.20': ..., 'per_class': {name: [AP per threshold]}}``.
    """
    # per class as ACT / MultiSports rank: np.argsort(-scores_c) (ties: input order in small
    # groups; the identical numpy call otherwise)
    order = grouped_argsort_desc(scores, d_cls, call='negate')
    tp = greedy_match(d_key, scores, g_key, similarity, np.atleast_1d(thresholds),
                      rule='best_any' if convention == 'voc' else 'best_free', tie='first',
                      order=order)
    num_gt = np.bincount(g_cls, minlength=len(labels))
    ap_fn = voc_ap if convention == 'voc' else trapezoid_ap
    per_class, curves = {}, {}
    for c, tp_c, cum, precision in ranked_precision_recall(d_cls, scores, tp, len(labels),
                                                           order):
        if num_gt[c] == 0:
            continue
        per_class[labels[c]] = [ap_fn(precision[t], cum[t] / num_gt[c]) if tp_c.shape[1]
                                else 0.0 for t in range(len(tp))]
        if return_curves:
            curves[labels[c]] = dict(precision=precision, recall=cum / num_gt[c])  # [T, P_c]
    if not per_class:
        raise ValueError('no class has ground truth: the mAP is undefined')
    m_ap = np.mean(np.array(list(per_class.values())), axis=0)  # [T]
    if np.ndim(thresholds) == 0:
        out = {'mAP': float(m_ap[0]), 'per_class': {k: v[0] for k, v in per_class.items()}}
    else:
        out = {f'mAP@{t:.2f}': float(m) for t, m in zip(thresholds, m_ap)}
        out['per_class'] = per_class
    if return_curves:
        out['curves'] = curves
    return out


def frame_map(gt_tubes: List[dict], detections: List[dict], labels: Sequence[str],
              iou_thr: float = 0.5, convention: str = 'voc', return_curves: bool = False) -> Dict:
    """Frame-mAP: per-frame box detections against the boxes of the ground-truth tubes.

    Per class, detections of all frames are pooled and ranked by descending score
    (``np.argsort(-scores)`` as ACT / MultiSports call it: ties in input order for small
    groups); a detection can only match a ground-truth box of the same video, frame and
    class. ``'voc'``: the detection looks at the ground-truth box with the highest IoU (the
    first one on ties); if that IoU >= ``iou_thr`` and the box is free it is a true positive,
    otherwise a false positive; box sizes without +1; VOC all-point AP. ``'act'``: the best box
    still free with IoU >= ``iou_thr``; sizes with +1; trapezoid AP from (0, 1). Classes without
    ground truth are skipped (the official code's ``'do not evaluate'`` list is a dataset choice:
    leave those classes out of ``gt_tubes`` / ``labels`` yourself).

    Args:
        gt_tubes (list[dict]): ``{'video': str, 'label': int, 'boxes': (n, 5)}``, boxes rows
            ``[frame, x1, y1, x2, y2]`` in pixels.
        detections (list[dict]): ``{'video', 'frame', 'label', 'score', 'box': [x1, y1, x2, y2]}``;
            a dict of equal-length columns is accepted too (fast path).
        labels (Sequence[str]): class names; labels are indices into it.
        iou_thr (float | Sequence[float]): Defaults to 0.5. Several thresholds share one
            matching pass.
        convention (str): ``'voc'`` (default) or ``'act'``.
        return_curves (bool): also return ``'curves'``: ``{label_name: {'precision',
            'recall'}}``, each (T, P_c) over the class's ranked predictions. Defaults to False.

    Returns:
        dict: ``{'mAP': float, 'per_class': {label_name: AP}}`` in [0, 1]; for a sequence of
        thresholds ``{'mAP@0.20': float, ..., 'per_class': {label_name: [AP, ...]}}``.

    Raises:
        ValueError: unknown convention or label, negative / NaN score, a box with x2 < x1,
            a duplicate or non-integer frame in a tube, or no ground truth at all.
    """
    _check_convention(convention)
    tubes = _Tubes(gt_tubes, 'gt_tubes', with_score=False)
    tube_cls = check_labels(tubes.label, len(labels), 'gt_tubes')
    tubes.pack()
    g_tube, g_frame, g_box = tubes.rows
    d = columns(detections, ('video', 'frame', 'label', 'score', 'box'), 'detections',
                dict(video=object, label=object, box='box'))
    d_box = d['box']
    check_scores(d['score'], 'detections')
    check_boxes(d_box, 'detections')
    d_cls = check_labels(d['label'], len(labels), 'detections')
    if np.any(d['frame'] != np.round(d['frame'])):
        bad = int(np.nonzero(d['frame'] != np.round(d['frame']))[0][0])
        raise ValueError(f"detections[{bad}] has a non-integer frame {d['frame'][bad]!r}")
    g_vid, d_vid = _video_ids(tubes.video, d['video'])
    g_vid = g_vid[g_tube]
    d_frame = d['frame'].astype(np.int64)
    n_frames = int(max(g_frame.max(initial=0), d_frame.max(initial=0))) + 2
    n_cls = len(labels)
    g_cls = tube_cls[g_tube]
    g_key = (g_vid * n_frames + g_frame) * n_cls + g_cls
    d_key = (d_vid * n_frames + d_frame) * n_cls + d_cls
    plus_one = convention == 'act'
    return _match_and_score(d_key, d_cls, d['score'], g_key, g_cls,
                            lambda i, j: pair_box_iou(np.take(d_box, i, axis=0),
                                                     np.take(g_box, j, axis=0), plus_one),
                            list(labels), convention, iou_thr, return_curves)


def tube_iou(a: '_Tubes', ia: np.ndarray, b: '_Tubes', ib: np.ndarray,
             convention: str = 'voc') -> np.ndarray:
    """Spatio-temporal IoU of tube pairs ``(a[ia[k]], b[ib[k]])``.

    ST-IoU = temporal IoU x mean per-frame box IoU over the temporally overlapping frames
    (``iou3dt``). ``'voc'``: temporal IoU ``(t_max - t_min) / (end_max - start_min)`` from frame
    numbers (0 for two one-frame tubes on the same frame, where the official code divides 0 by
    0); ``'act'``: inclusive counts ``(inter + 1) / (union + 1)`` and +1 box sizes. A frame
    inside the overlap where either tube has no box counts as box IoU 0 (the official code
    assumes tubes without gaps).

    Returns:
        np.ndarray: (K,) ST-IoU in [0, 1].
    """
    tmin = np.maximum(a.first[ia], b.first[ib])
    tmax = np.minimum(a.last[ia], b.last[ib])
    n = (tmax - tmin + 1).clip(min=0)  # overlapping frames per pair
    pair = np.repeat(np.arange(len(ia)), n)
    f = tmin[pair] + np.arange(len(pair)) - np.repeat(np.cumsum(n) - n, n)
    # np.take on the contiguous (S, 5) rows, then the box columns: much faster than fancy
    # indexing the (S, 4) box view
    box_a = np.take(a.table, a.offset[ia][pair] + f - a.first[ia][pair], axis=0)[:, 1:]
    box_b = np.take(b.table, b.offset[ib][pair] + f - b.first[ib][pair], axis=0)[:, 1:]
    frame_iou = pair_box_iou(box_a, box_b, convention == 'act')  # a NaN box (gap) gives 0
    spatial = np.bincount(pair, frame_iou, minlength=len(ia)) / np.maximum(n, 1)
    start = np.minimum(a.first[ia], b.first[ib])
    end = np.maximum(a.last[ia], b.last[ib])
    inter, union = (tmax - tmin).astype(np.float64), (end - start).astype(np.float64)
    if convention == 'act':
        temporal = (inter + 1) / (union + 1)
    else:
        temporal = np.where(union > 0, inter / np.where(union > 0, union, 1), 0.0)
    return np.where(n > 0, spatial * temporal, 0.0)


def video_map(gt_tubes: List[dict], det_tubes: List[dict], labels: Sequence[str],
              iou_thr: float = 0.5, convention: str = 'voc', return_curves: bool = False) -> Dict:
    """Video-mAP: scored detection tubes against ground-truth tubes (spatio-temporal IoU).

    Per class, tubes are ranked by descending score (``np.argsort(-scores)`` as the official
    code calls it: ties in input order for small groups) and matched to the
    ground-truth tubes of the same video and class by :func:`tube_iou`; ``'voc'``: only the
    most overlapping ground truth is considered (false positive if taken), VOC all-point AP;
    ``'act'``: the best free one, trapezoid AP. Classes without ground truth are skipped.
    Every tube's label and score are checked, and every ground-truth tube's boxes; the boxes of
    a detection tube (shape and rows) are checked when it shares a video and class with a ground
    truth (the others cannot change the result).

    Args:
        gt_tubes (list[dict]): ``{'video', 'label', 'boxes': (n, 5)}``.
        det_tubes (list[dict]): ``{'video', 'label', 'score', 'boxes': (n, 5)}``.
        labels (Sequence[str]): class names; labels are indices into it.
        iou_thr (float | Sequence[float]): Defaults to 0.5. Several thresholds share one
            matching pass.
        convention (str): ``'voc'`` (default) or ``'act'``.
        return_curves (bool): also return ``'curves'``: ``{label_name: {'precision',
            'recall'}}``, each (T, P_c) over the class's ranked predictions. Defaults to False.

    Returns:
        dict: ``{'mAP': float, 'per_class': {label_name: AP}}`` in [0, 1]; for a sequence of
        thresholds ``{'mAP@0.20': float, ..., 'per_class': {label_name: [AP, ...]}}``.

    Raises:
        ValueError: as :func:`frame_map`.
    """
    _check_convention(convention)
    gt = _Tubes(gt_tubes, 'gt_tubes', with_score=False)
    det = _Tubes(det_tubes, 'det_tubes', with_score=True)
    g_cls = check_labels(gt.label, len(labels), 'gt_tubes')
    d_cls = check_labels(det.label, len(labels), 'det_tubes')
    scores = np.asarray(det.score, np.float64)
    check_scores(scores, 'det_tubes')
    g_vid, d_vid = _video_ids(gt.video, det.video)
    n_cls = len(labels)
    g_key, d_key = g_vid * n_cls + g_cls, d_vid * n_cls + d_cls
    gt.pack()
    # the rows of a detection tube are only read (and checked) if it meets a ground truth
    det.pack(np.nonzero(np.isin(d_key, g_key))[0])
    return _match_and_score(d_key, d_cls, scores, g_key, g_cls,
                            lambda i, j: tube_iou(det, i, gt, j, convention), list(labels),
                            convention, iou_thr, return_curves)

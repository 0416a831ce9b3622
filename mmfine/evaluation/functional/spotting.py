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


class WindowScoreStitcher:
    """Per-frame scores of a video from overlapping windows: the mean over the windows that
    cover each frame (E2E-Spot's ``scores`` buffer divided by ``support``,
    ``train_e2e.py`` ``evaluate``). Memory: one (N, C) buffer, whatever the window count.

    Args:
        num_frames (int): N.
        num_classes (int): C score columns (K + 1 with the background).
    """

    def __init__(self, num_frames: int, num_classes: int) -> None:
        if num_frames < 1 or num_classes < 1:
            raise ValueError(f'num_frames and num_classes must be >= 1, got {num_frames}, '
                             f'{num_classes}')
        self.sum = np.zeros((num_frames, num_classes), np.float64)
        self.support = np.zeros(num_frames, np.int64)

    def add(self, start: int, scores: np.ndarray) -> None:
        """Scores (n, C) of frames ``start .. start + n - 1`` (parts outside the video are
        dropped)."""
        scores = np.asarray(scores, np.float64)
        n, N = len(scores), len(self.support)
        if scores.ndim != 2 or scores.shape[1] != self.sum.shape[1]:
            raise ValueError(f'window scores must be (n, {self.sum.shape[1]}), got '
                             f'{scores.shape}')
        lo, hi = max(int(start), 0), min(int(start) + n, N)
        if lo < hi:
            self.sum[lo:hi] += scores[lo - int(start):hi - int(start)]
            self.support[lo:hi] += 1

    def result(self) -> np.ndarray:
        """(N, C) float32 mean scores.

        Raises:
            ValueError: a frame no window covered.
        """
        missing = np.nonzero(self.support == 0)[0]
        if len(missing):
            raise ValueError(f'{len(missing)} frames are covered by no window (first: frame '
                             f'{int(missing[0])})')
        return (self.sum / self.support[:, None]).astype(np.float32)


def stitch_window_scores(num_frames: int, starts: Sequence[int],
                         scores: Sequence[np.ndarray]) -> np.ndarray:
    """(N, C) mean per-frame scores of windows ``scores[i]`` (n_i, C) starting at
    ``starts[i]`` (see :class:`WindowScoreStitcher`)."""
    if len(starts) != len(scores) or not len(scores):
        raise ValueError('give one start per window, and at least one window')
    st = WindowScoreStitcher(num_frames, np.asarray(scores[0]).shape[-1])
    for s, sc in zip(starts, scores):
        st.add(s, sc)
    return st.result()


def scores_to_events(scores: np.ndarray, threshold: float = 0.01,
                     background: bool = True) -> Dict[str, np.ndarray]:
    """Every (frame, class) whose score is >= ``threshold``: E2E-Spot's high-recall events
    (``util/eval.py``, ``.recall.json.gz``), which its mAP uses.

    Args:
        scores (np.ndarray): (N, C) per-frame scores.
        threshold (float): Defaults to 0.01.
        background (bool): column 0 is the background and is left out; classes are then
            numbered from 0 for column 1. Defaults to True.

    Returns:
        dict: ``frames`` (n,) int64, ``labels`` (n,) int64 class indices, ``scores`` (n,)
        float64, ordered by frame then class.
    """
    scores = np.asarray(scores)
    cols = scores[:, 1:] if background else scores
    frame, label = np.nonzero(cols >= threshold)
    return dict(frames=frame.astype(np.int64), labels=label.astype(np.int64),
                scores=cols[frame, label].astype(np.float64))


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


SOCCERNET_DELTAS = {'tight': np.arange(5) * 1 + 1, 'loose': np.arange(12) * 5 + 5}
# The devkit rescales the unshown a-mAP by 17 / 13: 4 of SoccerNet-v2's 17 classes never have
# an unshown event.
SOCCERNET_UNSHOWN_SCALE = 17 / 13


def _closest_raster(target: np.ndarray) -> np.ndarray:
    """For every raster cell, the value (+1 shown / -1 unshown) of the nearest event (-1 far)."""
    out = np.full(target.shape, -1.0)
    n = len(target)
    for c in range(target.shape[1]):
        idx = np.nonzero(target[:, c] != 0)[0]
        if len(idx) == 0:
            continue
        ext = np.r_[-idx[0], idx, 2 * n]
        for i in range(1, len(ext) - 1):
            start, stop = max(0, (ext[i - 1] + ext[i]) // 2), min(n, (ext[i] + ext[i + 1]) // 2)
            out[start:stop, c] = target[ext[i], c]
    return out


def _match_half(target: np.ndarray, detection: np.ndarray, delta: float):
    """Devkit ``compute_class_scores`` for one half and class: events in frame order each take
    the highest-scored free prediction within +-delta/2 cells (first one on ties)."""
    gt_idx = np.nonzero(target != 0)[0]
    pred_idx = np.nonzero(detection >= 0)[0]
    scores = detection[pred_idx]
    tp = np.zeros(len(pred_idx))
    taken = np.zeros(len(pred_idx), bool)
    lo = np.searchsorted(pred_idx, gt_idx - delta / 2, side='left')
    hi = np.searchsorted(pred_idx, gt_idx + delta / 2, side='right')
    for a, b in zip(lo.tolist(), hi.tolist()):
        if a >= b:
            continue
        cand = np.where(taken[a:b], -np.inf, scores[a:b])
        k = int(np.argmax(cand))
        if cand[k] > -1:  # scores are >= 0
            tp[a + k] = 1
            taken[a + k] = True
    return scores, tp, pred_idx


def soccernet_average_map(gt: List[dict], preds: List[dict], classes: Sequence[str],
                          metric: str = 'tight', framerate: int = 2,
                          games: Optional[Sequence[str]] = None) -> Dict:
    """SoccerNet-v2 average-mAP, equal to the official devkit
    (``SoccerNet.Evaluation.ActionSpotting.evaluate``).

    Convention: each half is a raster of ``120 * 60 * framerate`` cells; an event sits at cell
    ``int(framerate * position_ms / 1000)`` (clipped to the last cell; several events of a class
    in one cell count once, the last written wins, as do predictions); for a tolerance delta
    (seconds), every event, in cell order, takes the highest-confidence prediction of its class
    not taken yet within +-delta/2; precision / recall at 200 confidence thresholds
    ``linspace(0, 1, 200)``; AP is the 11-point interpolated AP; classes without events count
    with AP 0; the a-mAP is the trapezoidal average over deltas (``'tight'``: 1..5 s,
    ``'loose'``: 5..60 s every 5 s). The shown / unshown variants keep only predictions whose
    nearest event of the class is shown / unshown (the devkit's ``closest`` raster) and count
    only those events; the unshown a-mAP is multiplied by 17 / 13 as the devkit does.

    Args:
        gt (list[dict]): ``{'game', 'half' (1 or 2), 'position_ms', 'label', 'visibility'
            ('visible' or 'not shown')}``.
        preds (list[dict]): ``{'game', 'half', 'position_ms', 'label', 'confidence'}``.
        classes (Sequence[str]): class names (SoccerNet-v2: the 17 of ``EVENT_DICTIONARY_V2``).
        metric (str): ``'tight'`` (default) or ``'loose'``.
        framerate (int): raster rate. Defaults to 2.
        games (Sequence[str], optional): games to evaluate. Default: the games in ``gt``.

    Returns:
        dict: ``{'a_mAP', 'a_mAP_visible', 'a_mAP_unshown': float, 'a_mAP_per_class',
        'a_mAP_per_class_visible', 'a_mAP_per_class_unshown': {class: float}}``; the values
        the devkit prints x100.

    Raises:
        ValueError: unknown metric, label or game, a half other than 1 / 2, a negative / NaN
            confidence or position.
    """
    if metric not in SOCCERNET_DELTAS:
        raise ValueError(f'metric must be one of {sorted(SOCCERNET_DELTAS)}, got {metric!r}')
    classes = list(classes)
    cls_index = {c: i for i, c in enumerate(classes)}
    games = list(dict.fromkeys(d['game'] for d in gt)) if games is None else list(games)
    game_index = {g: i for i, g in enumerate(games)}
    n_cells, n_cls = 120 * 60 * framerate, len(classes)
    target = np.zeros((len(games), 2, n_cells, n_cls))
    detection = np.full((len(games), 2, n_cells, n_cls), -1.0)
    for what, items in (('gt', gt), ('preds', preds)):
        for i, d in enumerate(items):
            value_key = 'visibility' if what == 'gt' else 'confidence'
            for k in ('game', 'half', 'position_ms', 'label', value_key):
                if k not in d:
                    raise ValueError(f'{what}[{i}] has no key {k!r}')
            if d['game'] not in game_index:
                raise ValueError(f"{what}[{i}] is for game {d['game']!r}, which is not "
                                 'evaluated (pass games=[...] to add games without events)')
            if d['label'] not in cls_index:
                raise ValueError(f"{what}[{i}] has label {d['label']!r}, not in classes")
            if d['half'] not in (1, 2):
                raise ValueError(f"{what}[{i}] has half {d['half']!r} (must be 1 or 2)")
            if not d['position_ms'] >= 0:
                raise ValueError(f"{what}[{i}] has position_ms {d['position_ms']!r}")
            cell = min(int(framerate * (int(d['position_ms']) / 1000)), n_cells - 1)
            slot = (game_index[d['game']], d['half'] - 1, cell, cls_index[d['label']])
            if what == 'gt':
                target[slot] = -1 if d['visibility'] == 'not shown' else 1
            else:
                if not d['confidence'] >= 0:
                    raise ValueError(f"preds[{i}] has an invalid confidence "
                                     f"{d['confidence']!r} (must be >= 0)")
                detection[slot] = d['confidence']
    target = target.reshape(-1, n_cells, n_cls)
    detection = detection.reshape(-1, n_cells, n_cls)
    closest = np.stack([_closest_raster(t) for t in target])
    thresholds = np.linspace(0, 1, 200)
    deltas = SOCCERNET_DELTAS[metric]
    maps = np.zeros((3, len(deltas), n_cls))  # [all / visible / unshown, delta, class]
    for di, delta in enumerate(deltas * framerate):
        for c in range(n_cls):
            parts = [_match_half(target[h, :, c], detection[h, :, c], delta)
                     for h in range(len(target))]
            score = np.concatenate([[-1.0]] + [p[0] for p in parts])
            tp = np.concatenate([[0.0]] + [p[1] for p in parts])
            near = np.concatenate([[0.0]] + [closest[h, p[2], c] for h, p in enumerate(parts)])
            n_vis = int(np.sum(target[:, :, c] > 0))
            n_uns = int(np.sum(target[:, :, c] < 0))
            variants = ((score, n_vis + n_uns), (np.where(near <= 0.5, -1.0, score), n_vis),
                        (np.where(near >= -0.5, -1.0, score), n_uns))
            for vi, (s, n_gt) in enumerate(variants):
                maps[vi, di, c] = _eleven_point_ap(s, tp, n_gt, thresholds)
    if len(deltas) == 1:
        a_map = maps[:, 0]
    else:
        a_map = ((maps[:, 1:] + maps[:, :-1]) / 2).sum(axis=1) / (len(deltas) - 1)  # [3, C]
    mean = a_map.mean(axis=1)
    return {
        'a_mAP': float(mean[0]), 'a_mAP_visible': float(mean[1]),
        'a_mAP_unshown': float(mean[2] * SOCCERNET_UNSHOWN_SCALE),
        'a_mAP_per_class': dict(zip(classes, a_map[0].tolist())),
        'a_mAP_per_class_visible': dict(zip(classes, a_map[1].tolist())),
        'a_mAP_per_class_unshown': dict(zip(classes, a_map[2].tolist())),
    }


def _eleven_point_ap(score: np.ndarray, tp: np.ndarray, n_gt: int,
                     thresholds: np.ndarray) -> float:
    """Devkit ``compute_mAP`` for one class: 11-point AP over a 200-threshold PR curve."""
    order = np.argsort(score)
    s_sorted, tp_sorted = score[order], tp[order]
    tp_above = np.r_[np.cumsum(tp_sorted[::-1])[::-1], 0.0]  # TP among scores >= s_sorted[i]
    first = np.searchsorted(s_sorted, thresholds, side='left')  # [200]
    n_pred = len(score) - first
    tps = tp_above[first]
    with np.errstate(invalid='ignore', divide='ignore'):
        precision = np.nan_to_num(tps / n_pred)
        recall = np.nan_to_num(tps / n_gt)
    ap = 0.0
    for j in np.arange(11) / 10:
        hit = recall >= j
        ap += precision[hit].max() if hit.any() else 0.0
    return ap / 11


"""Greedy score-ordered matching of predictions to ground truth, vectorised over groups.

Every detection metric here (frame-AP, video-AP, ActivityNet detection mAP, E2E-Spot mAP) ranks
the predictions of a class by score and lets each, in turn, claim a ground truth of its *group*
(same video and class; same video, frame and class for frame-AP). Groups never interact, so
instead of looping over predictions we loop over the *rank within the group* (a few dozen steps
at most) and process every group at once with numpy.
"""
from typing import Callable, Tuple

import numpy as np

RULES = ('best_free', 'best_any')


def score_order(scores: np.ndarray) -> np.ndarray:
    """Indices by descending score, ties in input order."""
    return np.argsort(-np.asarray(scores, np.float64), kind='stable')


def grouped_argsort_desc(scores: np.ndarray, group: np.ndarray,
                         call: str = 'reverse') -> np.ndarray:
    """Indices ordered group by group, each group by descending score as official code does it.

    ``call='reverse'``: ``np.argsort(scores_g)[::-1]``, how the official ActivityNet code ranks
    the predictions of one class (``eval_detection.py``:
    ``prediction['score'].values.argsort()[::-1]``) and the proposals of one video
    (``eval_proposal.py``); of two tied scores the later-listed comes first.
    ``call='negate'``: ``np.argsort(-scores_g)``, how ACT's and MultiSports' frame-AP and
    video-AP rank the detections of one class; of two tied scores the first-listed comes first.
    The same numpy call on the same float64 scores in input order: for larger groups numpy's
    default sort promises no order among ties (it is not stable here from 16 elements on), so
    we make the identical call instead of emulating one.

    Args:
        scores (np.ndarray): (P,) scores.
        group (np.ndarray): (P,) int group id (class or video); groups come out in id order.
        call (str): ``'reverse'`` or ``'negate'``. Defaults to ``'reverse'``.

    Returns:
        np.ndarray: (P,) int64 permutation.
    """
    if call not in ('reverse', 'negate'):
        raise ValueError(f"call must be 'reverse' or 'negate', got {call!r}")
    scores = np.asarray(scores, np.float64)
    group = np.asarray(group, np.int64)

    def rank(idx):
        return idx[np.argsort(scores[idx])[::-1]] if call == 'reverse' else \
            idx[np.argsort(-scores[idx])]

    members = np.argsort(group, kind='stable')  # [P] grouped, input order within a group
    g = group[members]
    cuts = np.r_[0, np.nonzero(g[1:] != g[:-1])[0] + 1, len(g)]
    parts = [rank(members[a:b]) for a, b in zip(cuts[:-1], cuts[1:]) if b > a]
    return np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, np.int64)


def _rank_within_group(group: np.ndarray, by_score: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Order predictions (given by descending score) by group and rank them per group."""
    order = by_score[np.argsort(group[by_score], kind='stable')]  # [n] grouped, best first
    g = group[order]
    starts = np.r_[0, np.nonzero(g[1:] != g[:-1])[0] + 1]
    first = np.repeat(starts, np.diff(np.r_[starts, len(g)]))
    return order, np.arange(len(g)) - first


def greedy_match(det_group: np.ndarray, scores: np.ndarray, gt_group: np.ndarray,
                 similarity: Callable[[np.ndarray, np.ndarray], np.ndarray],
                 thresholds: np.ndarray, rule: str = 'best_free',
                 tie: str = 'first', order: np.ndarray = None) -> np.ndarray:
    """Decide, for every threshold, which predictions are true positives.

    Within a group, predictions are taken by descending score (ties: input order) and:

    - ``rule='best_free'``: take the most similar ground truth that is not matched yet among
      those with similarity >= threshold (ActivityNet, ACT, E2E-Spot);
    - ``rule='best_any'``: look only at the most similar ground truth; if it reaches the
      threshold and is still free it is matched, otherwise the prediction is a false positive
      (VOC / MultiSports ``evaluate_multisports.py``).

    Args:
        det_group (np.ndarray): (P,) int group id of each prediction.
        scores (np.ndarray): (P,) prediction scores.
        gt_group (np.ndarray): (G,) int group id of each ground truth. Within a group, ground
            truths keep their input order (it decides ties).
        similarity (Callable): ``f(det_idx (M,), gt_idx (M,)) -> (M,)`` similarity of the given
            prediction / ground-truth pairs (IoU, or minus a distance). NaN counts as no match.
        thresholds (np.ndarray): (T,) similarity thresholds.
        rule (str): ``'best_free'`` or ``'best_any'``.
        tie (str): which ground truth wins among equally similar ones: ``'first'`` (lowest
            index, ``np.argmax``) or ``'last'`` (highest index, ``argsort()[::-1]`` as the
            ActivityNet code does).
        order (np.ndarray, optional): (P,) :func:`score_order` of ``scores`` if already known.

    Returns:
        np.ndarray: (T, P) bool, true positives.
    """
    if rule not in RULES:
        raise ValueError(f'rule must be one of {RULES}, got {rule!r}')
    if tie not in ('first', 'last'):
        raise ValueError(f"tie must be 'first' or 'last', got {tie!r}")
    det_group = np.asarray(det_group, np.int64)
    gt_group = np.asarray(gt_group, np.int64)
    scores = np.asarray(scores, np.float64)
    thr = np.asarray(thresholds, np.float64).reshape(-1)
    tp = np.zeros((len(thr), len(det_group)), bool)
    if len(det_group) == 0 or len(gt_group) == 0 or len(thr) == 0:
        return tp
    # ground truth table: one row per group, its GT indices in input order, -1 padded
    gt_order = np.argsort(gt_group, kind='stable')
    keys, starts, counts = np.unique(gt_group[gt_order], return_index=True, return_counts=True)
    width = int(counts.max())
    table = np.full((len(keys), width), -1, np.int64)  # [K, W]
    rows = np.repeat(np.arange(len(keys)), counts)
    table[rows, np.arange(len(gt_order)) - starts[rows]] = gt_order
    # predictions whose group has ground truth (the others are false positives)
    pos = np.searchsorted(keys, det_group).clip(max=len(keys) - 1)
    dets = np.nonzero(keys[pos] == det_group)[0]
    if len(dets) == 0:
        return tp
    det_row = pos[dets]
    cand = table[det_row]  # [n, W]
    valid = cand >= 0
    sim = np.full(cand.shape, -np.inf)
    d_idx, c_idx = np.nonzero(valid)
    sim[d_idx, c_idx] = similarity(dets[d_idx], cand[d_idx, c_idx])
    sim[np.isnan(sim)] = -np.inf
    # a prediction below the lowest threshold with every candidate is a false positive at
    # every threshold and locks nothing: leave it out of the greedy pass
    near = np.nonzero(sim.max(axis=1) >= thr.min())[0]
    dets, det_row, sim, cand = dets[near], det_row[near], sim[near], cand[near]
    if len(dets) == 0:
        return tp
    if tie == 'last':  # flip so that argmax (first maximum) finds the last one
        sim, cand = sim[:, ::-1], cand[:, ::-1]
    if order is None:
        order = score_order(scores)
    local = np.full(len(det_group), -1, np.int64)
    local[dets] = np.arange(len(dets))
    by_score = local[order]
    order, rank = _rank_within_group(det_row, by_score[by_score >= 0])
    by_rank = order[np.argsort(rank, kind='stable')]
    bounds = np.r_[0, np.cumsum(np.bincount(rank))]
    locked = np.zeros((len(keys), len(thr), width), bool)  # [K, T, W] GT already matched
    t_ar = np.arange(len(thr))
    col_map = np.arange(width)[::-1] if tie == 'last' else np.arange(width)  # column -> GT slot
    for r in range(len(bounds) - 1):
        sel = by_rank[bounds[r]:bounds[r + 1]]  # [m] one prediction per group
        s, row = sim[sel], det_row[sel]  # [m, W], [m]
        lk = locked[row][:, :, col_map]  # [m, T, W] in the (possibly flipped) column order
        if rule == 'best_free':
            ok = (s[:, None, :] >= thr[None, :, None]) & ~lk  # [m, T, W]
            j = np.where(ok, s[:, None, :], -np.inf).argmax(axis=2)  # [m, T]
            hit = np.take_along_axis(ok, j[:, :, None], axis=2)[:, :, 0]  # none ok: j = 0, not ok
        else:
            j0 = s.argmax(axis=1)  # [m]
            best = s[np.arange(len(sel)), j0]
            hit = (best[:, None] >= thr[None, :]) & ~lk[np.arange(len(sel)), :, j0]
            j = np.broadcast_to(j0[:, None], hit.shape)
        tp[:, dets[sel]] = hit.T
        mi, ti = np.nonzero(hit)
        locked[row[mi], t_ar[ti], col_map[j[mi, ti]]] = True
    return tp


def ranked_precision_recall(det_class: np.ndarray, scores: np.ndarray, tp: np.ndarray,
                            num_classes: int, order: np.ndarray = None):
    """Yield the precision / recall curve of each class from a (T, P) true-positive matrix.

    Predictions of a class are ranked by descending score, ties in input order (the same order
    :func:`greedy_match` used).

    Args:
        det_class (np.ndarray): (P,) int class index in [0, num_classes).
        scores (np.ndarray): (P,) scores.
        tp (np.ndarray): (T, P) bool true positives.
        num_classes (int): number of classes.
        order (np.ndarray, optional): (P,) :func:`score_order` of ``scores`` if already known.

    Yields:
        tuple: ``(c, tp_c (T, P_c) bool in rank order, cum_tp (T, P_c), precision (T, P_c))``
        for every class, including classes without predictions (``P_c = 0``).
    """
    det_class = np.asarray(det_class, np.int64)
    by_score = score_order(scores) if order is None else order
    small = det_class.astype(np.int16) if num_classes < 2 ** 15 else det_class  # radix sort
    order = by_score[np.argsort(small[by_score], kind='stable')]
    bounds = np.searchsorted(det_class[order], np.arange(num_classes + 1))
    for c in range(num_classes):
        seg = order[bounds[c]:bounds[c + 1]]
        tp_c = tp[:, seg]  # [T, P_c]
        cum = np.cumsum(tp_c, axis=1)
        yield c, tp_c, cum, cum / np.arange(1, len(seg) + 1)

"""Action quality assessment metrics (pure numpy + scipy)."""
import sys
from typing import Dict, Sequence

import numpy as np


def _pair(pred: Sequence[float], gt: Sequence[float]):
    pred = np.asarray(pred, np.float64).ravel()
    gt = np.asarray(gt, np.float64).ravel()
    if pred.shape != gt.shape:
        raise ValueError(f'pred has {pred.size} scores but gt has {gt.size}')
    if pred.size < 2:
        raise ValueError(f'need at least 2 samples, got {pred.size}')
    for name, arr in (('pred', pred), ('gt', gt)):
        bad = np.nonzero(~np.isfinite(arr))[0]
        if len(bad):
            raise ValueError(f'{name}[{int(bad[0])}] is not finite: {arr[bad[0]]!r}')
    return pred, gt


def spearman_rho(pred: Sequence[float], gt: Sequence[float]) -> float:
    """Spearman's rank correlation (AQA convention: ``scipy.stats.spearmanr`` on the whole
    evaluated set, as FineParser's ``tools/runner.py`` does).

    Ties get average ranks. Unlike the other metrics this lies in [-1, 1].

    Args:
        pred (Sequence[float]): (N,) predicted scores.
        gt (Sequence[float]): (N,) ground-truth scores.

    Returns:
        float: rho; NaN if either input is constant (correlation undefined).
    """
    from scipy.stats import spearmanr
    pred, gt = _pair(pred, gt)
    if np.all(pred == pred[0]) or np.all(gt == gt[0]):
        return float('nan')
    return float(spearmanr(pred, gt).statistic)


def relative_l2(pred: Sequence[float], gt: Sequence[float]) -> float:
    """Relative L2 distance, ``mean(((pred - gt) / (gt.max() - gt.min())) ** 2)``.

    The range is that of the evaluated (gathered) ground truth, as in FineParser's
    ``tools/runner.py`` (``RL2``).
    Papers print this value x100 (FineParser's 0.2602 on FineDiving-HM is 0.002602 here).

    Args:
        pred (Sequence[float]): (N,) predicted scores.
        gt (Sequence[float]): (N,) ground-truth scores, not all equal.

    Returns:
        float: R-l2 (not x100).
    """
    pred, gt = _pair(pred, gt)
    span = gt.max() - gt.min()
    if span == 0:
        raise ValueError('relative_l2 is undefined when all ground-truth scores are equal')
    return float(np.mean(((pred - gt) / span) ** 2))


def mean_segment_ious(items: Sequence[dict]) -> np.ndarray:
    """Per video, the IoU of its step-transition interval with each exemplar's prediction,
    averaged over the exemplars (FineParser / TSA convention, see :func:`aiou`).

    Args:
        items (Sequence[dict]): ``{'gt': [t1, t2], 'pred': [[t1', t2'], ...]}`` with one
            predicted pair per exemplar (a single pair is accepted as one exemplar).

    Returns:
        np.ndarray: (N,) mean IoU per video.

    Raises:
        ValueError: an item without 'gt' / 'pred', t2 < t1, no exemplar, or NaN.
    """
    if len(items) == 0:
        raise ValueError('aiou needs at least one item')
    means = np.empty(len(items))
    for i, item in enumerate(items):
        if 'gt' not in item or 'pred' not in item:
            raise ValueError(f"items[{i}] needs the keys 'gt' and 'pred'")
        gt = np.asarray(item['gt'], np.float64).reshape(-1)
        pred = np.asarray(item['pred'], np.float64)
        pred = pred.reshape(1, -1) if pred.ndim == 1 else pred
        if gt.shape != (2,) or pred.ndim != 2 or pred.shape[1] != 2 or len(pred) == 0:
            raise ValueError(f'items[{i}]: gt must be [t1, t2] and pred a list of [t1, t2] '
                             f'(one per exemplar), got shapes {gt.shape} and {pred.shape}')
        for name, seg in (('gt', gt[None]), ('pred', pred)):
            bad = ~(seg[:, 1] >= seg[:, 0])
            if bad.any():
                raise ValueError(f'items[{i}] {name} has t2 < t1 or NaN: {seg[bad][0].tolist()}')
        inter = (np.minimum(gt[1], pred[:, 1]) - np.maximum(gt[0], pred[:, 0])).clip(min=0)
        union = (pred[:, 1] - pred[:, 0]) + (gt[1] - gt[0]) - inter
        means[i] = np.mean(inter / (union + sys.float_info.epsilon))
    return means


def aiou(items: Sequence[dict], thresholds: Sequence[float] = (0.5, 0.75)) -> Dict[str, float]:
    """Average IoU of the step-transition interval, FineParser / TSA convention.

    For each video, the interval between its two step transitions ``[t1, t2]`` is compared with
    the interval predicted with each exemplar: ``IoU = max(0, min(e) - max(s)) / (union + eps)``
    (no +1, ``segment_iou`` of FineParser's ``utils/misc.py``); the IoUs are averaged over the
    exemplars first (``network_forward_test`` averages over the voters,
    :func:`mean_segment_ious`), then thresholded; the result is the fraction of videos whose
    mean IoU >= threshold.

    Args:
        items (Sequence[dict]): ``{'gt': [t1, t2], 'pred': [[t1', t2'], ...]}`` with one
            predicted pair per exemplar (a single pair is accepted as one exemplar).
        thresholds (Sequence[float]): Defaults to (0.5, 0.75).

    Returns:
        dict: ``{'AIoU@0.5': float, 'AIoU@0.75': float}`` in [0, 1].

    Raises:
        ValueError: an item without 'gt' / 'pred', t2 < t1, no exemplar, or NaN.
    """
    means = mean_segment_ious(items)
    return {f'AIoU@{t:g}': float(np.mean(means >= t)) for t in thresholds}


def rho_within_groups(pred: Sequence[float], gt: Sequence[float], groups: Sequence,
                      min_size: int = 5) -> Dict[str, float]:
    """Mean Spearman rho inside groups (dive numbers) with at least ``min_size`` clips.

    A model that only recognises the dive number (and predicts its mean score) gets a high
    overall rho on FineDiving but zero here: this shows whether scores are read from the
    frames. A group whose predictions or ground truths are all equal has no rho and counts
    as 0 (a constant prediction ranks nothing).

    Args:
        pred, gt (Sequence[float]): (N,) scores.
        groups (Sequence): (N,) group of each clip (e.g. the dive number).
        min_size (int): Defaults to 5.

    Returns:
        dict: ``rho_within`` (NaN when no group is large enough) and ``rho_within_groups``
        (how many groups were averaged).
    """
    pred, gt = _pair(pred, gt)
    groups = list(groups)
    if len(groups) != len(pred):
        raise ValueError(f'groups has {len(groups)} entries for {len(pred)} scores')
    rhos = []
    for g in sorted(set(groups), key=str):
        idx = [i for i, x in enumerate(groups) if x == g]
        if len(idx) < min_size:
            continue
        r = spearman_rho(pred[idx], gt[idx])
        rhos.append(0.0 if np.isnan(r) else r)
    return dict(rho_within=float(np.mean(rhos)) if rhos else float('nan'),
                rho_within_groups=float(len(rhos)))

"""Action quality assessment metrics (pure numpy + scipy)."""
from typing import Sequence

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

"""Saliency-style mask metrics: MAE, F-measure, S-measure (pure numpy).

They follow the salient-object-detection convention as implemented by PySODMetrics
(``py_sod_metrics.sod_metrics``, the reference MATLAB code's port): ground truth binarised at
> 128, predictions min-max normalised per image, metrics per image then averaged. We implement
them here rather than wrap the package because its current release pins numpy < 2.3.5 and pulls
scikit-image, scikit-learn and opencv-headless; our tests compare with it.
"""
from typing import Dict, Sequence

import numpy as np

EPS = np.spacing(1)


def prepare_mask_pair(pred: np.ndarray, gt: np.ndarray):
    """Normalise one prediction / ground-truth pair.

    Args:
        pred (np.ndarray): (H, W) uint8 map in [0, 255]; a float map in [0, 1] is first turned
            into uint8 with ``round(255 * p)`` (what saving it as a PNG does).
        gt (np.ndarray): (H, W) uint8 mask (foreground > 128) or bool.

    Returns:
        tuple: (H, W) float64 prediction in [0, 1] (min-max normalised unless constant) and
        (H, W) bool ground truth.
    """
    pred, gt = np.asarray(pred), np.asarray(gt)
    if pred.shape != gt.shape or pred.ndim != 2:
        raise ValueError(f'prediction {pred.shape} and ground truth {gt.shape} must be two '
                         'images of the same (H, W) shape')
    if pred.dtype.kind == 'f':
        if not (np.all(np.isfinite(pred)) and pred.min() >= 0 and pred.max() <= 1):
            raise ValueError('a float prediction must lie in [0, 1]')
        pred = np.round(pred * 255)
    gt = gt if gt.dtype == bool else gt > 128
    pred = pred.astype(np.float64) / 255
    if pred.max() != pred.min():
        pred = (pred - pred.min()) / (pred.max() - pred.min())
    return pred, gt


def _fmeasure_curve(pred, gt, beta2):
    """F-measure at the 256 thresholds 255..0 on the uint8-quantised prediction."""
    q = (pred * 255).astype(np.uint8)
    fg = np.bincount(q[gt], minlength=256)[::-1].cumsum()  # TP at threshold >= t, t = 255..0
    bg = np.bincount(q[~gt], minlength=256)[::-1].cumsum()
    pos = fg + bg
    precision = fg / np.where(pos == 0, 1, pos)
    recall = fg / max(np.count_nonzero(gt), 1)
    num = (1 + beta2) * precision * recall
    return num / np.where(num == 0, 1, beta2 * precision + recall)


def _adaptive_fmeasure(pred, gt, beta2):
    binary = pred >= min(2 * pred.mean(), 1)
    inter = np.count_nonzero(binary & gt)
    if inter == 0:
        return 0.0
    p, r = inter / np.count_nonzero(binary), inter / np.count_nonzero(gt)
    return (1 + beta2) * p * r / (beta2 * p + r)


def _s_object(x):
    mean = np.mean(x)
    std = np.std(x, ddof=1) if x.size > 1 else 0.0
    return 2 * mean / (mean ** 2 + 1 + std + EPS)


def _ssim(pred, gt):
    n = pred.size
    if n == 0:
        return 0.0  # empty quadrant (its weight is 0; PySODMetrics returns NaN here)
    x, y = pred.mean(), gt.mean()
    sx = np.sum((pred - x) ** 2) / (n - 1 + EPS)
    sy = np.sum((gt - y) ** 2) / (n - 1 + EPS)
    sxy = np.sum((pred - x) * (gt - y)) / (n - 1 + EPS)
    alpha = 4 * x * y * sxy
    beta = (x ** 2 + y ** 2) * (sx + sy)
    if alpha != 0:
        return alpha / (beta + EPS)
    return 1.0 if beta == 0 else 0.0


def s_measure(pred: np.ndarray, gt: np.ndarray, alpha: float = 0.5) -> float:
    """Structure measure (Fan et al., ICCV 2017) of a normalised pair (:func:`prepare_mask_pair`).

    ``alpha * object score + (1 - alpha) * region score``; all-background ground truth gives
    ``1 - mean(pred)``, all-foreground ``mean(pred)``. Regions split at the foreground centroid
    (rounded, +1 as the MATLAB code), each quadrant's SSIM weighted by its area.
    """
    y = gt.mean()
    if y == 0:
        return float(1 - pred.mean())
    if y == 1:
        return float(pred.mean())
    obj = y * _s_object(pred[gt]) + (1 - y) * _s_object((1 - pred)[~gt])
    h, w = gt.shape
    cy, cx = np.argwhere(gt).mean(axis=0).round()
    cy, cx = int(cy) + 1, int(cx) + 1
    area = h * w
    w_lt, w_rt, w_lb = cx * cy / area, cy * (w - cx) / area, (h - cy) * cx / area
    w_rb = 1 - w_lt - w_rt - w_lb
    region = (_ssim(pred[:cy, :cx], gt[:cy, :cx]) * w_lt + _ssim(pred[:cy, cx:], gt[:cy, cx:]) *
              w_rt + _ssim(pred[cy:, :cx], gt[cy:, :cx]) * w_lb +
              _ssim(pred[cy:, cx:], gt[cy:, cx:]) * w_rb)
    return float(max(0.0, alpha * obj + (1 - alpha) * region))


def mask_image_stats(pred: np.ndarray, gt: np.ndarray, beta2: float = 0.3,
                     alpha: float = 0.5) -> Dict:
    """Everything one image contributes to :func:`mask_metrics` (see there for the rules).

    Args:
        pred (np.ndarray): (H, W) uint8 map (or float in [0, 1]).
        gt (np.ndarray): (H, W) uint8 mask (> 128 is foreground) or bool.
        beta2 (float): Defaults to 0.3.
        alpha (float): Defaults to 0.5.

    Returns:
        dict: ``{'mae': float, 'curve': (256,) F-measure per threshold, 'adp': float,
        's': float}``.
    """
    p, g = prepare_mask_pair(pred, gt)
    return dict(mae=float(np.mean(np.abs(p - g))), curve=_fmeasure_curve(p, g, beta2),
                adp=float(_adaptive_fmeasure(p, g, beta2)), s=s_measure(p, g, alpha))


def average_mask_stats(stats: Sequence[Dict]) -> Dict[str, float]:
    """Average :func:`mask_image_stats` of a set of images into the final metrics."""
    curve = np.mean([r['curve'] for r in stats], axis=0)
    return {'MAE': float(np.mean([r['mae'] for r in stats])), 'maxF': float(curve.max()),
            'meanF': float(curve.mean()), 'adpF': float(np.mean([r['adp'] for r in stats])),
            'S': float(np.mean([r['s'] for r in stats]))}


def mask_metrics(preds: Sequence[np.ndarray], gts: Sequence[np.ndarray], beta2: float = 0.3,
                 alpha: float = 0.5) -> Dict[str, float]:
    """MAE, max / mean / adaptive F-measure and S-measure over a set of images.

    Per image: ``MAE = mean |pred - gt|``; the F-measure ``(1 + b2) P R / (b2 P + R)`` at the
    256 thresholds of the uint8-quantised map (``maxF`` / ``meanF`` are the max / mean of the
    curve averaged over images) and at the adaptive threshold ``min(2 mean(pred), 1)``
    (``adpF``); the S-measure with ``alpha``. Everything is averaged over images.

    Args:
        preds (Sequence[np.ndarray]): (H, W) uint8 maps (or float in [0, 1]).
        gts (Sequence[np.ndarray]): (H, W) uint8 masks (> 128 is foreground) or bool.
        beta2 (float): beta^2 of the F-measure. Defaults to 0.3.
        alpha (float): S-measure balance. Defaults to 0.5.

    Returns:
        dict: ``{'MAE', 'maxF', 'meanF', 'adpF', 'S'}`` in [0, 1].

    Raises:
        ValueError: different numbers of maps, shape mismatch, a float map outside [0, 1].
    """
    if len(preds) != len(gts) or len(preds) == 0:
        raise ValueError(f'need as many predictions as ground truths (and at least one), got '
                         f'{len(preds)} and {len(gts)}')
    stats = []
    for i, (p, g) in enumerate(zip(preds, gts)):
        try:
            stats.append(mask_image_stats(p, g, beta2, alpha))
        except ValueError as e:
            raise ValueError(f'image {i}: {e}') from None
    return average_mask_stats(stats)

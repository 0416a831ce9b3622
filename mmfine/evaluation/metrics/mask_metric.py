"""Mask metric: MAE, F-measure, S-measure (salient-object-detection convention)."""
from typing import List, Optional, Sequence

from mmengine.evaluator import BaseMetric

from mmfine.registry import METRICS
from ..functional.mask import average_mask_stats, mask_image_stats
from ._utils import get, to_numpy


@METRICS.register_module()
class MaskMetric(BaseMetric):
    """MAE, max / mean / adaptive F-measure (beta^2 = 0.3) and S-measure over all frames.

    Each data sample has ``pred_mask`` and ``gt_mask``, (H, W) or (T, H, W): uint8 maps in
    [0, 255] (ground truth > 128 is foreground) or float maps in [0, 1]. Each image's statistics
    (MAE, the 256-point F-measure curve, adaptive F, S) go into ``self.results`` as one list
    per sample (mmengine keeps ``len(dataset)`` results): the final averages equal those of
    :func:`mmfine.evaluation.functional.mask_metrics` on all images.

    Args:
        beta2 (float): Defaults to 0.3.
        alpha (float): S-measure balance. Defaults to 0.5.
        pred_key (str): the data sample's prediction field. Defaults to ``'pred_mask'``.
        gt_key (str): its ground-truth field (``'gt_masks'`` for FineParser's clips).
            Defaults to ``'gt_mask'``.
        skip_missing_gt (bool): leave out samples without ground truth (MTL-AQA clips outside
            FineDiving-HM) instead of raising. Defaults to False. A sample with a per-frame
            validity field (``gt_mask_valid`` for ``gt_masks`` / ``gt_mask``) contributes only
            its valid frames.
        collect_device (str): Defaults to 'cpu'.
        prefix (str, optional): Defaults to ``default_prefix`` ('mask').
    """
    default_prefix: Optional[str] = 'mask'

    def __init__(self, beta2: float = 0.3, alpha: float = 0.5, pred_key: str = 'pred_mask',
                 gt_key: str = 'gt_mask', skip_missing_gt: bool = False,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.beta2, self.alpha = beta2, alpha
        self.pred_key, self.gt_key = pred_key, gt_key
        self.skip_missing_gt = skip_missing_gt

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        """Per-image statistics."""
        name = type(self).__name__
        for s in data_samples:
            if self.skip_missing_gt and self.gt_key not in s:
                continue
            pred = to_numpy(get(s, self.pred_key, name))
            gt = to_numpy(get(s, self.gt_key, name))
            if pred.ndim == 2:
                pred, gt = pred[None], gt[None]
            base = self.gt_key[:-1] if self.gt_key.endswith('s') else self.gt_key
            if f'{base}_valid' in s:  # frames without a ground-truth mask are left out
                keep = to_numpy(s[f'{base}_valid']).astype(bool).reshape(-1)
                pred, gt = pred[keep], gt[keep]
            # one result per sample (its frames' statistics): mmengine's collect_results
            # keeps the first len(dataset) results, so per-frame entries would be cut
            self.results.append([mask_image_stats(p, g, self.beta2, self.alpha)
                                 for p, g in zip(pred, gt)])

    def compute_metrics(self, results: List[list]) -> dict:
        """Averages over all images of all samples."""
        return average_mask_stats([r for sample in results for r in sample])

"""Action quality assessment metric: Spearman's rho, relative L2, AIoU."""
from typing import List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric

from mmfine.registry import METRICS
from ..functional import aiou, relative_l2, spearman_rho
from ._utils import get, to_numpy


@METRICS.register_module()
class AQAMetric(BaseMetric):
    """Spearman's rho and relative L2 over the whole evaluated set, plus AIoU of the step
    transitions when samples carry them (FineParser / FineDiving protocol).

    Each data sample has ``pred_score`` and ``gt_score`` (floats), and optionally
    ``gt_transitions`` (2,) and ``pred_transitions`` (E, 2) (one pair per exemplar).

    Args:
        aiou_thresholds (Sequence[float]): Defaults to (0.5, 0.75).
        collect_device (str): Defaults to 'cpu'.
        prefix (str, optional): Defaults to ``default_prefix`` ('aqa').
    """
    default_prefix: Optional[str] = 'aqa'

    def __init__(self, aiou_thresholds: Sequence[float] = (0.5, 0.75),
                 collect_device: str = 'cpu', prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.aiou_thresholds = tuple(aiou_thresholds)

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        """Store scores (and transitions) as numpy."""
        name = type(self).__name__
        for s in data_samples:
            rec = dict(pred=float(to_numpy(get(s, 'pred_score', name)).reshape(-1)[0]),
                       gt=float(to_numpy(get(s, 'gt_score', name)).reshape(-1)[0]))
            if 'gt_transitions' in s and 'pred_transitions' in s:
                rec['gt_tr'] = to_numpy(s['gt_transitions'], np.float64).reshape(2)
                rec['pred_tr'] = to_numpy(s['pred_transitions'], np.float64).reshape(-1, 2)
            self.results.append(rec)

    def compute_metrics(self, results: List[dict]) -> dict:
        """rho, R-l2 (not x100) and AIoU."""
        pred = np.array([r['pred'] for r in results])
        gt = np.array([r['gt'] for r in results])
        out = dict(rho=spearman_rho(pred, gt), rl2=relative_l2(pred, gt))
        tr = [dict(gt=r['gt_tr'], pred=r['pred_tr']) for r in results if 'gt_tr' in r]
        if tr:
            out.update(aiou(tr, self.aiou_thresholds))
        return out

"""Action quality assessment metric: Spearman's rho, relative L2, AIoU."""
from typing import List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric

from mmfine.registry import METRICS
from ..functional import aiou, relative_l2, rho_within_groups, spearman_rho
from ._utils import get, to_numpy


@METRICS.register_module()
class AQAMetric(BaseMetric):
    """Spearman's rho and relative L2 over the whole evaluated set, plus AIoU of the step
    transitions when samples carry them (FineParser / FineDiving protocol), plus the mean rho
    within dive numbers (``rho_within``, :func:`rho_within_groups`).

    Each data sample has ``pred_score`` and ``gt_score`` (floats), and optionally
    ``gt_transitions`` (2,) and ``pred_transitions`` (E, 2) (one pair per exemplar; left out
    when the metainfo ``has_steps`` is False: MTL-AQA clips without step labels) and the
    metainfo ``dive_number`` (for ``rho_within``).

    Args:
        aiou_thresholds (Sequence[float]): Defaults to (0.5, 0.75).
        min_group_size (int): dive numbers with fewer evaluated clips are left out of
            ``rho_within``. Defaults to 5.
        collect_device (str): Defaults to 'cpu'.
        prefix (str, optional): Defaults to ``default_prefix`` ('aqa').
    """
    default_prefix: Optional[str] = 'aqa'

    def __init__(self, aiou_thresholds: Sequence[float] = (0.5, 0.75),
                 min_group_size: int = 5, collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.aiou_thresholds = tuple(aiou_thresholds)
        self.min_group_size = min_group_size

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        """Store scores (and transitions) as numpy."""
        name = type(self).__name__
        for s in data_samples:
            rec = dict(pred=float(to_numpy(get(s, 'pred_score', name)).reshape(-1)[0]),
                       gt=float(to_numpy(get(s, 'gt_score', name)).reshape(-1)[0]))
            if s.get('dive_number') is not None:
                rec['group'] = str(s['dive_number'])
            if 'gt_transitions' in s and 'pred_transitions' in s and s.get('has_steps', True):
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
        if results and all('group' in r for r in results):
            out.update(rho_within_groups(pred, gt, [r['group'] for r in results],
                                         self.min_group_size))
        return out

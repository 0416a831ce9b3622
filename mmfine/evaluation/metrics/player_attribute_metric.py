"""Accuracy of the player attribute readers (pretraining of the synthetic PoSTAL backbone)."""
from typing import List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric

from mmfine.registry import METRICS
from ..functional import masked_accuracy
from ._utils import get, to_numpy


@METRICS.register_module()
class PlayerAttributeMetric(BaseMetric):
    """Per-attribute accuracy over every real (non-padding) player of the evaluated samples.

    Each data sample has ``gt_players`` (``colour``, ``number``, ``action``: -100 for padding)
    and ``pred_players`` (the same keys, predicted labels), as
    :class:`~mmfine.models.PlayerAttributeHead` writes them.

    Metrics: ``{attr}_acc`` for every attribute, ``identity_acc`` (colour and number both
    right), and, when ``no_action_index`` is given, ``acting_acc`` (acting vs idle right) and
    ``action_acc_acting`` (the class right, on acting players only); with predicted
    ``centre_error`` (pixels), ``centre_error_px`` (mean) and ``centre_within_2px`` (share).

    Args:
        attributes (Sequence[str]): Defaults to ``('colour', 'number', 'action')``.
        no_action_index (int, optional): the "no action" class of ``action``.
        collect_device (str): Defaults to 'cpu'.
        prefix (str, optional): Defaults to ``default_prefix`` ('player').
    """
    default_prefix: Optional[str] = 'player'

    def __init__(self, attributes: Sequence[str] = ('colour', 'number', 'action'),
                 no_action_index: Optional[int] = None, collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.attributes = tuple(attributes)
        self.no_action_index = no_action_index

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        name = type(self).__name__
        for s in data_samples:
            gt, pred = get(s, 'gt_players', name), get(s, 'pred_players', name)
            keep = to_numpy(gt['index']) >= 0  # padding slots contribute nothing
            rec = {f'{k}_{w}': to_numpy(src[k], np.int64)[keep]
                   for k in self.attributes for w, src in (('gt', gt), ('pred', pred))}
            if 'centre_error' in pred:
                rec['centre_error'] = to_numpy(pred['centre_error'], np.float64)[keep]
            self.results.append(rec)

    def compute_metrics(self, results: List[dict]) -> dict:
        cat = {k: np.concatenate([r[k] for r in results]) for k in results[0]}
        out = {f'{k}_acc': masked_accuracy(cat[f'{k}_pred'], cat[f'{k}_gt'])
               for k in self.attributes}
        if {'colour', 'number'} <= set(self.attributes):
            both = ((cat['colour_pred'] == cat['colour_gt']) &
                    (cat['number_pred'] == cat['number_gt']))
            out['identity_acc'] = float(both.mean()) if len(both) else float('nan')
        if self.no_action_index is not None and 'action' in self.attributes:
            idle = self.no_action_index
            gt, pred = cat['action_gt'], cat['action_pred']
            out['acting_acc'] = masked_accuracy(pred != idle, gt != idle)
            acting = gt != idle
            out['action_acc_acting'] = masked_accuracy(pred[acting], gt[acting])
        if 'centre_error' in cat:
            out['centre_error_px'] = float(cat['centre_error'].mean())
            out['centre_within_2px'] = float((cat['centre_error'] <= 2).mean())
        return out

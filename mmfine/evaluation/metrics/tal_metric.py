"""Temporal action localization metric: AR@AN, AUC, detection mAP."""
from typing import List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric

from mmfine.registry import METRICS
from ..functional import anet_detection_map, anet_proposal_ar_an
from ..functional.temporal_detection import DEFAULT_TIOU_THRESHOLDS
from ._utils import curves_at, get, to_numpy


@METRICS.register_module()
class TALMetric(BaseMetric):
    """ActivityNet / FineAction proposal and detection metrics.

    Each data sample is one video with ``video_name`` (or ``video_id``), ``duration``
    (seconds), ``gt_segments`` (N, 2) seconds, ``gt_labels`` (N,), and predictions
    ``pred_segments`` (K, 2), ``pred_scores`` (K,) and optionally ``pred_labels`` (K,) (for
    detection mAP). All of it goes into ``self.results`` (exact across processes).

    Args:
        max_avg_proposals (int): AN at the end of the AR@AN curve. Defaults to 100.
        ar_at (Sequence[int]): Defaults to (1, 5, 10, 100).
        tiou_thresholds (Sequence[float]): Defaults to ``np.linspace(0.5, 0.95, 10)`` as the
            official code computes it (unrounded).
        fineaction_iou (bool): also report AR@AN / AUC with FineAction's IoU_new (keys
            ``*_new``). Defaults to False.
        detection (bool): report detection mAP when samples have ``pred_labels``. Defaults to
            True.
        short_ratio (float, optional): also report the largest AR@AN for ground truth shorter
            than this fraction of its video (``AR@100_short``) and the rest (``AR@100_long``),
            as FineAction's Fig. 9 compares them. Defaults to None.
        tie_order (str): order of tied scores: ``'official'`` (as the ActivityNet code's
            ``argsort()[::-1]``) or ``'stable'`` (input order). Defaults to ``'official'``.
        with_curves (bool): keep the per-class detection precision / recall curves of the last
            evaluation in ``self.curves`` (``{'mAP@0.50': {class: {'precision', 'recall'}},
            ...}``) for ``tools/analysis_tools/plot_pr.py``. Defaults to False.
        collect_device (str): Defaults to 'cpu'.
        prefix (str, optional): Defaults to ``default_prefix`` ('tal').
    """
    default_prefix: Optional[str] = 'tal'

    def __init__(self, max_avg_proposals: int = 100, ar_at: Sequence[int] = (1, 5, 10, 100),
                 tiou_thresholds: Sequence[float] = DEFAULT_TIOU_THRESHOLDS,
                 fineaction_iou: bool = False, detection: bool = True,
                 short_ratio: Optional[float] = None, tie_order: str = 'official',
                 with_curves: bool = False, collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.max_avg_proposals = max_avg_proposals
        self.ar_at = tuple(ar_at)
        self.tiou_thresholds = tuple(tiou_thresholds)
        self.fineaction_iou = fineaction_iou
        self.detection = detection
        self.short_ratio = short_ratio
        self.tie_order = tie_order
        self.with_curves = with_curves
        self.curves = {}

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        """Store ground truth and predictions of each video as numpy."""
        name = type(self).__name__
        for s in data_samples:
            video = s.get('video_name', s.get('metainfo', {}).get('video_name'))
            rec = dict(video=str(video if video is not None else get(s, 'video_id', name)),
                       duration=float(to_numpy(get(s, 'duration', name))),
                       gt_segments=to_numpy(get(s, 'gt_segments', name), np.float64).reshape(-1, 2),
                       gt_labels=to_numpy(get(s, 'gt_labels', name)).reshape(-1),
                       pred_segments=to_numpy(get(s, 'pred_segments', name),
                                              np.float64).reshape(-1, 2),
                       pred_scores=to_numpy(get(s, 'pred_scores', name), np.float64).reshape(-1))
            if 'pred_labels' in s:
                rec['pred_labels'] = to_numpy(s['pred_labels']).reshape(-1)
            self.results.append(rec)

    def compute_metrics(self, results: List[dict]) -> dict:
        """AR@AN, AUC (and IoU_new variants), detection mAP."""
        gt = [dict(video=r['video'], t_start=s[0], t_end=s[1], label=l.item(),
                   duration=r['duration'])
              for r in results for s, l in zip(r['gt_segments'], r['gt_labels'])]
        props = dict(
            video=np.concatenate([[r['video']] * len(r['pred_scores']) for r in results]),
            t_start=np.concatenate([r['pred_segments'][:, 0] for r in results]),
            t_end=np.concatenate([r['pred_segments'][:, 1] for r in results]),
            score=np.concatenate([r['pred_scores'] for r in results]))
        out = {}
        kinds = [('standard', '')] + ([('fineaction', '_new')] if self.fineaction_iou else [])
        for iou, suffix in kinds:
            res = anet_proposal_ar_an(gt, props, self.max_avg_proposals, self.tiou_thresholds,
                                      iou=iou, ar_at=self.ar_at, tie_order=self.tie_order)
            out.update({f'{k}{suffix}': res[k] for k in res if k.startswith('AR@')})
            out[f'AUC{suffix}'] = res['AUC']
        if self.short_ratio is not None:
            top = max(self.ar_at)
            for name, keep in (('short', lambda g: g < self.short_ratio),
                               ('long', lambda g: g >= self.short_ratio)):
                sub = [g for g in gt if keep((g['t_end'] - g['t_start']) / g['duration'])]
                if sub:
                    res = anet_proposal_ar_an(sub, props, self.max_avg_proposals,
                                              self.tiou_thresholds, ar_at=(top, ),
                                              tie_order=self.tie_order)
                    out[f'AR@{top}_{name}'] = res[f'AR@{top}']
        if self.detection and all('pred_labels' in r for r in results):
            preds = dict(props, label=np.concatenate([r['pred_labels'] for r in results]))
            preds['label'] = preds['label'].astype(object)
            det = anet_detection_map(gt, preds, self.tiou_thresholds, self.tie_order,
                                     return_curves=self.with_curves)
            out.update({k: v for k, v in det.items() if k.startswith('mAP')})
            for t, thr in enumerate(self.tiou_thresholds) if self.with_curves else ():
                self.curves[f'mAP@{thr:.2f}'] = curves_at(det['curves'], t)
        return out

"""Precise action spotting metric: E2E-Spot mAP at tolerances, optional SoccerNet a-mAP."""
from typing import List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric

from mmfine.registry import METRICS
from ..functional import soccernet_average_map, spotting_map
from ._utils import get, to_numpy


@METRICS.register_module()
class SpottingMetric(BaseMetric):
    """Spotting mAP at frame tolerances (E2E-Spot) and, optionally, SoccerNet average-mAP.

    Each data sample is one video with ``video_id``, ``gt_events`` ``{'labels': (N,),
    'frames': (N,)}`` and ``pred_events`` ``{'labels': (K,), 'frames': (K,), 'scores': (K,)}``;
    for SoccerNet also ``game``, ``half`` (1 / 2), ``fps`` and optionally
    ``gt_events['visibility']`` (N,) (1 shown, 0 not shown). Labels are class indices into
    ``classes`` / ``dataset_meta['classes']``.

    Args:
        tolerances (Sequence[int]): Defaults to (0, 1, 2, 4).
        nms_window (int, optional): E2E-Spot NMS half-width in frames. Defaults to None.
        soccernet (str, optional): ``'tight'`` or ``'loose'`` to add the SoccerNet a-mAP.
        classes (Sequence[str], optional): class names; default ``dataset_meta['classes']``.
        collect_device (str): Defaults to 'cpu'.
        prefix (str, optional): Defaults to ``default_prefix`` ('spot').
    """
    default_prefix: Optional[str] = 'spot'

    def __init__(self, tolerances: Sequence[int] = (0, 1, 2, 4), nms_window: Optional[int] = None,
                 soccernet: Optional[str] = None, classes: Optional[Sequence[str]] = None,
                 collect_device: str = 'cpu', prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.tolerances = tuple(tolerances)
        self.nms_window = nms_window
        self.soccernet = soccernet
        self.classes = None if classes is None else list(classes)

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        """Store each video's events as numpy."""
        name = type(self).__name__
        for s in data_samples:
            g, p = get(s, 'gt_events', name), get(s, 'pred_events', name)
            rec = dict(video=str(get(s, 'video_id', name)),
                       gt_labels=to_numpy(g['labels'], np.int64).reshape(-1),
                       gt_frames=to_numpy(g['frames'], np.int64).reshape(-1),
                       gt_visible=to_numpy(g.get('visibility', np.ones(len(
                           to_numpy(g['labels']).reshape(-1)))), np.int64).reshape(-1),
                       labels=to_numpy(p['labels'], np.int64).reshape(-1),
                       frames=to_numpy(p['frames'], np.int64).reshape(-1),
                       scores=to_numpy(p['scores'], np.float64).reshape(-1))
            if self.soccernet:
                rec.update(game=str(get(s, 'game', name)), half=int(get(s, 'half', name)),
                           fps=float(get(s, 'fps', name)))
            self.results.append(rec)

    def compute_metrics(self, results: List[dict]) -> dict:
        """mAP per tolerance, their average, and the SoccerNet a-mAPs if asked."""
        classes = self.classes or list((self.dataset_meta or {}).get('classes', []))
        name = (lambda c: classes[c]) if classes else (lambda c: c)
        truth = [dict(video=r['video'], events=[dict(label=name(c), frame=f) for c, f in zip(
            r['gt_labels'].tolist(), r['gt_frames'].tolist())]) for r in results]
        preds = [dict(video=r['video'], events=[dict(label=name(c), frame=f, score=s) for c, f, s
                 in zip(r['labels'].tolist(), r['frames'].tolist(), r['scores'].tolist())])
                 for r in results]
        res = spotting_map(truth, preds, self.tolerances, self.nms_window,
                           classes=classes or None)
        out = {k: v for k, v in res.items() if k.startswith('mAP')}
        if self.soccernet:
            if not classes:
                raise ValueError('SpottingMetric(soccernet=...) needs class names')
            gt = [dict(game=r['game'], half=r['half'], position_ms=f / r['fps'] * 1000,
                       label=name(c), visibility='visible' if v else 'not shown')
                  for r in results for c, f, v in zip(r['gt_labels'].tolist(),
                                                      r['gt_frames'].tolist(),
                                                      r['gt_visible'].tolist())]
            pr = [dict(game=r['game'], half=r['half'], position_ms=f / r['fps'] * 1000,
                       label=name(c), confidence=s)
                  for r in results for c, f, s in zip(r['labels'].tolist(), r['frames'].tolist(),
                                                      r['scores'].tolist())]
            sn = soccernet_average_map(gt, pr, classes, self.soccernet,
                                       games=list(dict.fromkeys(r['game'] for r in results)))
            out.update({f'soccernet_{k}': sn[k]
                        for k in ('a_mAP', 'a_mAP_visible', 'a_mAP_unshown')})
        return out

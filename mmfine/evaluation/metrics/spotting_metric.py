"""Precise action spotting metric: E2E-Spot mAP at tolerances, optional SoccerNet a-mAP."""
from typing import List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric

from mmfine.registry import METRICS
from ..functional import (WindowScoreStitcher, scores_to_events, soccernet_average_map,
                          spot_nms, spotting_map)
from ..soccernet_export import soccernet_predictions, write_results_spotting
from ._utils import get, to_numpy


@METRICS.register_module()
class SpottingMetric(BaseMetric):
    """Spotting mAP at frame tolerances (E2E-Spot) and, optionally, SoccerNet average-mAP.

    Data samples come in two forms:

    * one per video, with ``video_id``, ``gt_events`` ``{'labels': (N,), 'frames': (N,)}``
      and ``pred_events`` ``{'labels': (K,), 'frames': (K,), 'scores': (K,)}``, labels being
      class indices into ``classes`` / ``dataset_meta['classes']``;
    * one per test window (:class:`~mmfine.models.Spotter` on a test
      :class:`~mmfine.datasets.SpottingDataset`), with ``video_id``, ``num_frames``,
      ``pred_start`` and ``pred_scores`` (n, K + 1) (column 0 the background) and the
      video's ``gt_events`` with 1-based class ids (0 is the background). The windows of a
      video are averaged per frame (:class:`WindowScoreStitcher`, E2E-Spot's rule), every
      (frame, class) scoring >= ``score_thr`` is an event (E2E-Spot's high-recall events),
      then as above. Each window is one result, so multi-process evaluation is exact.

    For SoccerNet also ``game``, ``half`` (1 / 2), ``fps`` and optionally
    ``gt_events['visibility']`` (N,) (1 shown, 0 not shown).

    Args:
        tolerances (Sequence[int]): Defaults to (0, 1, 2, 4). ``mAP`` is their average (the
            release selects models on the validation mAP averaged over 1, 2, 4).
        nms_window (int, optional): E2E-Spot NMS half-width in frames. Defaults to None.
        score_thr (float): window form: events kept from the stitched scores. Defaults to
            0.01 (E2E-Spot).
        export_dir (str, optional): with ``soccernet``, write every game's
            ``results_spotting.json`` there (official layout,
            :mod:`mmfine.evaluation.soccernet_export`). The a-mAP is computed on exactly
            those predictions: the events after the NMS (``nms_window``), the best of each
            0.5 s cell of the official evaluator kept, confidences clipped to [0, 1].
        soccernet (str, optional): ``'tight'`` or ``'loose'`` to add the SoccerNet a-mAP.
        classes (Sequence[str], optional): class names; default ``dataset_meta['classes']``.
        collect_device (str): Defaults to 'cpu'.
        prefix (str, optional): Defaults to ``default_prefix`` ('spot').
    """
    default_prefix: Optional[str] = 'spot'

    def __init__(self, tolerances: Sequence[int] = (0, 1, 2, 4), nms_window: Optional[int] = None,
                 soccernet: Optional[str] = None, classes: Optional[Sequence[str]] = None,
                 score_thr: float = 0.01, export_dir: Optional[str] = None,
                 collect_device: str = 'cpu', prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.score_thr, self.export_dir = score_thr, export_dir
        self.tolerances = tuple(tolerances)
        self.nms_window = nms_window
        self.soccernet = soccernet
        self.classes = None if classes is None else list(classes)

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        """Store each video's (or test window's) events as numpy."""
        name = type(self).__name__
        for s in data_samples:
            if 'pred_scores' in s:  # a test window: 1-based ground-truth classes
                rec = dict(window=True, video=str(get(s, 'video_id', name)),
                           num_frames=int(get(s, 'num_frames', name)),
                           start=int(get(s, 'pred_start', name)),
                           scores=to_numpy(get(s, 'pred_scores', name), np.float32),
                           **self._truth(s, name, first_class=1))
            else:
                p = get(s, 'pred_events', name)
                rec = dict(video=str(get(s, 'video_id', name)), **self._truth(s, name),
                           labels=to_numpy(p['labels'], np.int64).reshape(-1),
                           frames=to_numpy(p['frames'], np.int64).reshape(-1),
                           scores=to_numpy(p['scores'], np.float64).reshape(-1))
            if self.soccernet:
                rec.update(game=str(get(s, 'game', name)), half=int(get(s, 'half', name)),
                           fps=float(get(s, 'fps', name)))
            self.results.append(rec)

    @staticmethod
    def _truth(s: dict, name: str, first_class: int = 0) -> dict:
        """A sample's ground truth with 0-based classes (``first_class``: the id of its first
        class) and visibility (1 when absent)."""
        g = get(s, 'gt_events', name)
        labels = to_numpy(g['labels'], np.int64).reshape(-1)
        return dict(gt_labels=labels - first_class,
                    gt_frames=to_numpy(g['frames'], np.int64).reshape(-1),
                    gt_visible=to_numpy(g.get('visibility', np.ones(len(labels))),
                                        np.int64).reshape(-1))

    def stitch(self, results: List[dict]) -> List[dict]:
        """Window results -> one per video (stitched scores, high-recall events); per-video
        results pass unchanged."""
        out, videos = [], {}
        for r in results:
            if not r.get('window'):
                out.append(r)
                continue
            if r['video'] not in videos:
                videos[r['video']] = (dict(r), WindowScoreStitcher(r['num_frames'],
                                                                   r['scores'].shape[1]))
                out.append(videos[r['video']][0])
            videos[r['video']][1].add(r['start'], r['scores'])
        for rec, stitcher in videos.values():
            try:
                scores = stitcher.result()
            except ValueError as e:
                raise ValueError(f"video {rec['video']!r}: {e}") from None
            ev = scores_to_events(scores, self.score_thr)
            rec.update(labels=ev['labels'], frames=ev['frames'], scores=ev['scores'])
            rec.pop('window')
            rec.pop('start')
        return out

    def compute_metrics(self, results: List[dict]) -> dict:
        """mAP per tolerance, their average, and the SoccerNet a-mAPs if asked."""
        results = self.stitch(results)
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
            exported = {}
            gt = [dict(game=r['game'], half=r['half'], position_ms=f / r['fps'] * 1000,
                       label=name(c), visibility='visible' if v else 'not shown')
                  for r in results for c, f, v in zip(r['gt_labels'].tolist(),
                                                      r['gt_frames'].tolist(),
                                                      r['gt_visible'].tolist())]
            pr = []
            for r in results:
                keep = (spot_nms(r['labels'], r['frames'], r['scores'], self.nms_window)
                        if self.nms_window is not None else np.ones(len(r['labels']), bool))
                half_preds = soccernet_predictions(r['frames'][keep], r['labels'][keep],
                                                   np.clip(r['scores'][keep], 0, 1), r['fps'],
                                                   r['half'], classes)
                exported.setdefault(r['game'], []).extend(half_preds)
                pr.extend(dict(game=r['game'], half=r['half'], position_ms=int(p['position']),
                               label=p['label'], confidence=float(p['confidence']))
                          for p in half_preds)
            if self.export_dir:
                for game, preds in exported.items():
                    write_results_spotting(self.export_dir, game, preds)
            sn = soccernet_average_map(gt, pr, classes, self.soccernet,
                                       games=list(dict.fromkeys(r['game'] for r in results)))
            out.update({f'soccernet_{k}': sn[k]
                        for k in ('a_mAP', 'a_mAP_visible', 'a_mAP_unshown')})
        return out

"""Frame-mAP / video-mAP metric for spatio-temporal action localization."""
from typing import List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger

from mmfine.registry import METRICS
from ..functional import frame_map, video_map
from ._utils import curves_at, get, to_numpy


def _tube_list(tubes) -> List[dict]:
    """List of ``{'label', 'boxes' (n, 5)[, 'score']}`` from a list of dicts or a dict of lists."""
    if isinstance(tubes, dict):
        keys = list(tubes)
        tubes = [dict(zip(keys, vals)) for vals in zip(*[tubes[k] for k in keys])]
    out = []
    for t in tubes:
        item = dict(label=int(to_numpy(t['label'])), boxes=to_numpy(t['boxes'], np.float64))
        if 'score' in t:
            item['score'] = float(to_numpy(t['score']))
        out.append(item)
    return out


@METRICS.register_module()
class FrameVideoMAPMetric(BaseMetric):
    """Frame-mAP and video-mAP (MultiSports / FineSports protocol).

    Each data sample (one video, or one clip of a video: clips of a video are merged) carries:

    - ``video_id`` (str, or in ``metainfo``);
    - ``gt_video_tubes``: the video's ground-truth tubes, a list of ``{'label': int, 'boxes':
      (n, 5) [frame, x1, y1, x2, y2]}`` (the first sample of a video that has them is used);
    - ``pred_frame_dets`` (optional): ``{'frame': (K,), 'label': (K,), 'score': (K,), 'box':
      (K, 4)}`` per-frame detections (for frame-mAP);
    - ``pred_tubes`` (optional): list of ``{'label', 'score', 'boxes': (n, 5)}`` video-level
      tubes (for video-mAP).

    With ``linker`` (e.g. ``dict(type='TubeLinker', ...)``), videos without ``pred_tubes`` get
    their tubes by linking their frame detections (the detectors' usual path: per-frame
    detections -> tubes -> video-mAP), so both metrics come from one set of frame detections.

    All of it goes into ``self.results``, so multi-process evaluation equals one process.

    Args:
        frame_iou_thr (float): frame-mAP threshold. Defaults to 0.5.
        video_iou_thrs (Sequence[float]): video-mAP thresholds. Defaults to (0.2, 0.5).
        convention (str): ``'voc'`` (MultiSports / FineSports, default) or ``'act'``.
        classes (Sequence[str], optional): class names; default ``dataset_meta['classes']``.
        collect_device (str): Defaults to 'cpu'.
        prefix (str, optional): Defaults to ``default_prefix`` ('stal').
        linker (dict, optional): :class:`~mmfine.models.task_modules.TubeLinker` config.
            Defaults to None (video-mAP only from ``pred_tubes``).
        with_curves (bool): keep the per-class precision / recall curves of the last
            evaluation in ``self.curves`` (``{'frame_mAP@0.50': {class: {'precision',
            'recall'}}, 'video_mAP@0.20': ...}``, each (P_c,)), for
            ``tools/analysis_tools/plot_pr.py``. Defaults to False.
    """
    default_prefix: Optional[str] = 'stal'

    def __init__(self, frame_iou_thr: float = 0.5, video_iou_thrs: Sequence[float] = (0.2, 0.5),
                 convention: str = 'voc', classes: Optional[Sequence[str]] = None,
                 collect_device: str = 'cpu', prefix: Optional[str] = None,
                 linker: Optional[dict] = None, with_curves: bool = False) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.with_curves = with_curves
        self.curves = {}
        self.linker = None
        if linker is not None:
            from mmfine.registry import TASK_UTILS
            self.linker = TASK_UTILS.build(linker) if isinstance(linker, dict) else linker
        self.frame_iou_thr = frame_iou_thr
        self.video_iou_thrs = tuple(video_iou_thrs)
        self.convention = convention
        self.classes = None if classes is None else list(classes)

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        """Store each sample's ground truth and predictions as numpy."""
        for s in data_samples:
            rec = dict(video=str(get(s, 'video_id', type(self).__name__)))
            if 'gt_video_tubes' in s:
                rec['gt'] = _tube_list(s['gt_video_tubes'])
            if 'pred_frame_dets' in s:
                d = s['pred_frame_dets']
                rec['frame_dets'] = {k: to_numpy(d[k], np.float64)
                                     for k in ('frame', 'label', 'score', 'box')}
            if 'pred_tubes' in s:
                rec['tubes'] = _tube_list(s['pred_tubes'])
            self.results.append(rec)

    def compute_metrics(self, results: List[dict]) -> dict:
        """Merge per video and score."""
        classes = self.classes or list((self.dataset_meta or {}).get('classes', []))
        if not classes:
            raise ValueError('FrameVideoMAPMetric needs class names: pass classes=... or set '
                             "the dataset's metainfo['classes']")
        gt, seen = [], set()
        for r in results:
            if 'gt' in r and r['video'] not in seen:
                seen.add(r['video'])
                gt += [dict(t, video=r['video']) for t in r['gt']]
        out = {}
        fd = [r for r in results if 'frame_dets' in r]
        if fd:
            dets = {k: np.concatenate([r['frame_dets'][k].reshape(
                -1, 4) if k == 'box' else r['frame_dets'][k].reshape(-1) for r in fd])
                for k in ('frame', 'label', 'score', 'box')}
            dets['video'] = np.concatenate(
                [np.full(len(r['frame_dets']['score'].reshape(-1)), r['video'], object)
                 for r in fd])
            dets['label'] = dets['label'].astype(np.int64)
            res = frame_map(gt, dets, classes, self.frame_iou_thr, self.convention,
                            return_curves=self.with_curves)
            out[f'frame_mAP@{self.frame_iou_thr:.2f}'] = res['mAP']
            if self.with_curves:
                key = f'frame_mAP@{self.frame_iou_thr:.2f}'
                self.curves[key] = curves_at(res['curves'], 0)
        tubes = [dict(t, video=r['video']) for r in results for t in r.get('tubes', [])]
        if self.linker is not None and fd:
            tubes += self._link(dets, {r['video'] for r in results if 'tubes' in r})
        if tubes or any('tubes' in r for r in results) or (self.linker is not None and fd):
            res = video_map(gt, tubes, classes, self.video_iou_thrs, self.convention,
                            return_curves=self.with_curves)
            out.update({f'video_{k}': v for k, v in res.items() if k.startswith('mAP@')})
            for t, thr in enumerate(self.video_iou_thrs) if self.with_curves else ():
                self.curves[f'video_mAP@{thr:.2f}'] = curves_at(res['curves'], t)
        if not out:
            MMLogger.get_current_instance().warning(
                'FrameVideoMAPMetric: no sample had pred_frame_dets or pred_tubes')
        return out

    def _link(self, dets: dict, skip: set) -> List[dict]:
        """Link the frame detections of each video (not in ``skip``) into tubes."""
        if len(dets['video']) == 0:  # no frame detection at all (an untrained model)
            return []
        order = np.argsort(dets['video'], kind='stable')
        videos = dets['video'][order]
        starts = np.flatnonzero(np.r_[True, videos[1:] != videos[:-1]])
        ends = np.r_[starts[1:], len(videos)]
        tubes = []
        for s, e in zip(starts, ends):
            video = videos[s]
            if video in skip:
                continue
            idx = order[s:e]
            for t in self.linker(dets['frame'][idx], dets['label'][idx], dets['score'][idx],
                                 dets['box'][idx]):
                tubes.append(dict(t, video=video))
        return tubes

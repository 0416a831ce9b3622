"""Adapters that feed :mod:`mmfine.testing.eval_data` inputs to mmaction2's reference metrics
(shared by the cross-check tests and ``benchmarks/eval_speed.py``)."""
import inspect
from typing import Callable, Dict, Tuple

import numpy as np


def numpy2_iou3dt_voc() -> Callable:
    """mmaction2's ``multisports_utils.iou3dt_voc`` with the one change numpy 2 needs.

    As shipped it calls ``int(np.where(...)[0])``, which numpy >= 2 refuses for one-element
    arrays; this copy reads ``[0][0]``. Install it with
    ``multisports_utils.iou3dt_voc = numpy2_iou3dt_voc()`` (or ``monkeypatch.setattr``).
    """
    import mmaction.evaluation.functional.multisports_utils as ms
    src = inspect.getsource(ms.iou3dt_voc)
    ns = {}
    exec(src.replace(')[0]):', ')[0][0]):').replace(')[0]) + 1', ')[0][0]) + 1'),
         dict(vars(ms)), ns)
    return ns['iou3dt_voc']


def multisports_inputs(d: Dict) -> Tuple[Dict, np.ndarray, Dict]:
    """``stal_inputs`` as mmaction2's ``frameAP`` / ``videoAP`` take them.

    Returns:
        tuple: the ACT-style ground-truth dict, the (N, 8) frame detections
        ``[video index, frame, label, score, x1, y1, x2, y2]`` and the per-class lists of
        ``(video, score, tube)``.
    """
    vlist = sorted(d['nframes'])
    gt = dict(labels=d['labels'], test_videos=[vlist], nframes=d['nframes'],
              gttubes={v: {} for v in vlist})
    for t in d['gt_tubes']:
        gt['gttubes'][t['video']].setdefault(t['label'], []).append(t['boxes'])
    det = d['detections']
    vidx = {v: i for i, v in enumerate(vlist)}
    alldets = np.column_stack([[vidx[v] for v in det['video']], det['frame'], det['label'],
                               det['score'], det['box']])
    tubes = {c: [] for c in range(len(d['labels']))}
    for t in d['det_tubes']:
        tubes[t['label']].append((t['video'], t['score'], t['boxes']))
    return gt, alldets, tubes


def proposal_inputs(d: Dict) -> Tuple[Dict, Dict]:
    """``tal_inputs`` as mmaction2's ``average_recall_at_avg_proposals`` takes them: per video
    an (N, 2) ground-truth array and a (K, 3) [start, end, score] proposal array."""
    gt, props = {}, {}
    for g in d['gt']:
        gt.setdefault(g['video'], []).append([g['t_start'], g['t_end']])
    for p in d['preds']:
        props.setdefault(p['video'], []).append([p['t_start'], p['t_end'], p['score']])
    return ({k: np.array(v) for k, v in gt.items()}, {k: np.array(v) for k, v in props.items()})


def float64_pairwise_temporal_iou(candidate_segments, target_segments):
    """mmaction2's ``pairwise_temporal_iou`` (no ``calculate_overlap_self``) in float64.

    mmaction2 stores tIoU in a float32 array, the official ActivityNet ``segment_iou`` keeps
    float64: on quantised boundaries (0.1 s, a 100-step grid) a tIoU equal to a threshold in
    float64 can round across it in float32. Patch it into ``mmaction.evaluation.functional``'s
    ``eval_detection`` / ``accuracy`` modules to compare conventions on such data.
    """
    cand = np.asarray(candidate_segments, np.float64).reshape(-1, 2)  # [m, 2]
    tgt = np.asarray(target_segments, np.float64)  # [n, 2]
    inter = (np.minimum(cand[None, :, 1], tgt[:, None, 1])
             - np.maximum(cand[None, :, 0], tgt[:, None, 0])).clip(0)  # [n, m]
    union = (tgt[:, None, 1] - tgt[:, None, 0]) + (cand[None, :, 1] - cand[None, :, 0]) - inter
    t_iou = inter / union
    return t_iou[:, 0] if np.ndim(candidate_segments) == 1 else t_iou

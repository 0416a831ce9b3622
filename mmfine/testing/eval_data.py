"""Seeded synthetic inputs for the evaluation functions (used by tests and ``benchmarks/``).

The sizes default to the published test sets: FineSports (2,500 test clips of 50-150 frames,
one ground-truth tube each, 52 classes) and FineAction (4,174 validation videos, about 6
instances each, 106 classes, 100 proposals per video).
"""
from typing import Dict

import numpy as np


def _walk_boxes(rng, n, width=1280, height=720):
    """(n, 4) boxes drifting smoothly across a frame."""
    w, h = rng.uniform(40, 200), rng.uniform(80, 300)
    cx = rng.uniform(w, width - w) + np.cumsum(rng.normal(0, 3, n))
    cy = rng.uniform(h, height - h) + np.cumsum(rng.normal(0, 2, n))
    return np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], 1)


def stal_inputs(num_videos: int = 2500, num_classes: int = 52, tubes_per_video: int = 6,
                seed: int = 0) -> Dict:
    """FineSports-like ground-truth tubes, scored detection tubes and their frame detections.

    Each video has one ground-truth tube; of its ``tubes_per_video`` detection tubes the first
    follows the ground truth with box noise and temporal jitter (right class with probability
    0.7), the others are random tubes with random classes. Frame detections are the boxes of the
    detection tubes, scored ``tube score x U(0.8, 1)``.

    Returns:
        dict: ``gt_tubes``, ``det_tubes``, ``detections`` (columnar dict, one row per frame
        detection: video, frame, label, score, box), ``labels`` and ``nframes`` per video.
    """
    rng = np.random.default_rng(seed)
    labels = [f'action_{i:02d}' for i in range(num_classes)]
    gt_tubes, det_tubes, nframes = [], [], {}
    for v in range(num_videos):
        video = f'video_{v:05d}'
        n = int(rng.integers(50, 151))
        nframes[video] = n
        length = int(rng.integers(15, min(60, n) + 1))
        start = int(rng.integers(1, n - length + 2))
        frames = np.arange(start, start + length)
        boxes = _walk_boxes(rng, length)
        label = int(rng.integers(num_classes))
        gt_tubes.append(dict(video=video, label=label,
                             boxes=np.column_stack([frames, boxes])))
        for k in range(tubes_per_video):
            if k == 0:
                s = int(np.clip(start + rng.integers(-8, 9), 1, n))
                e = int(np.clip(start + length - 1 + rng.integers(-8, 9), s, n))
                f = np.arange(s, e + 1)
                base = np.interp(f, frames, boxes[:, 0]), np.interp(f, frames, boxes[:, 1]), \
                    np.interp(f, frames, boxes[:, 2]), np.interp(f, frames, boxes[:, 3])
                b = np.stack(base, 1) + rng.normal(0, 8, (len(f), 4))
                lab = label if rng.random() < 0.7 else int(rng.integers(num_classes))
            else:
                ln = int(rng.integers(10, min(60, n) + 1))
                s = int(rng.integers(1, n - ln + 2))
                f = np.arange(s, s + ln)
                b = _walk_boxes(rng, ln)
                lab = int(rng.integers(num_classes))
            b[:, 2:] = np.maximum(b[:, 2:], b[:, :2] + 1)
            det_tubes.append(dict(video=video, label=lab, score=float(rng.random()),
                                  boxes=np.column_stack([f, b])))
    lens = np.array([len(t['boxes']) for t in det_tubes])
    rows = np.concatenate([t['boxes'] for t in det_tubes])
    tube_score = np.repeat([t['score'] for t in det_tubes], lens)
    detections = dict(
        video=np.repeat(np.array([t['video'] for t in det_tubes], object), lens),
        frame=rows[:, 0], label=np.repeat([t['label'] for t in det_tubes], lens),
        score=tube_score * rng.uniform(0.8, 1.0, len(rows)), box=rows[:, 1:])
    return dict(gt_tubes=gt_tubes, det_tubes=det_tubes, detections=detections,
                labels=labels, nframes=nframes)


def tal_inputs(num_videos: int = 4174, num_classes: int = 106, gt_per_video: int = 6,
               proposals_per_video: int = 100, seed: int = 0) -> Dict:
    """FineAction-like ground truth and scored, labelled proposals.

    Mostly short instances (median about 3 % of the video); proposals are ground truths with
    boundary noise (about a third) and random segments, labelled with the video's main class
    (the paper's top-1 video classification protocol) or, one time in five, a random class.

    Returns:
        dict: ``gt`` (``video, t_start, t_end, label, duration``) and ``preds`` (same plus
        ``score``) as lists of dicts.
    """
    rng = np.random.default_rng(seed)
    gt, preds = [], []
    for v in range(num_videos):
        video = f'v_{v:05d}'
        dur = float(rng.uniform(30, 300))
        main = int(rng.integers(num_classes))
        lengths = dur * np.clip(rng.lognormal(np.log(0.03), 0.8, gt_per_video), 0.005, 0.5)
        starts = rng.uniform(0, dur - lengths)
        labs = np.where(rng.random(gt_per_video) < 0.7, main,
                        rng.integers(num_classes, size=gt_per_video))
        for s, ln, c in zip(starts, lengths, labs):
            gt.append(dict(video=video, t_start=float(s), t_end=float(s + ln), label=int(c),
                           duration=dur))
        n_near = proposals_per_video // 3
        src = rng.integers(gt_per_video, size=n_near)
        ns = starts[src] + rng.normal(0, 0.15, n_near) * lengths[src]
        ne = starts[src] + lengths[src] + rng.normal(0, 0.15, n_near) * lengths[src]
        rs = rng.uniform(0, dur, proposals_per_video - n_near)
        re_ = rs + dur * rng.uniform(0.005, 0.3, len(rs))
        ps, pe = np.r_[ns, rs], np.maximum(np.r_[ne, re_], np.r_[ns, rs])
        scores = np.r_[rng.uniform(0.3, 1, n_near), rng.uniform(0, 0.7, len(rs))]
        plab = np.where(rng.random(proposals_per_video) < 0.8, main,
                        rng.integers(num_classes, size=proposals_per_video))
        for s, e, sc, c in zip(ps, pe, scores, plab):
            preds.append(dict(video=video, t_start=float(s), t_end=float(e), label=int(c),
                              score=float(sc)))
    return dict(gt=gt, preds=preds)

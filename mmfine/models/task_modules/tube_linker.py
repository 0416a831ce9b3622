"""Link per-frame detections of a video into action tubes (used by the metric and the demo)."""
from typing import Dict, List, Optional

import numpy as np

from mmfine.evaluation.functional import pair_box_iou
from mmfine.registry import TASK_UTILS


def _iou_one_to_many(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """IoU of one xyxy box (4,) with (K, 4) boxes (no +1, the MultiSports convention)."""
    return pair_box_iou(np.broadcast_to(box, boxes.shape), boxes)


def _nms(boxes: np.ndarray, scores: np.ndarray, iou_thr: float, top_k: int) -> np.ndarray:
    """Greedy NMS; returns kept indices, best first (at most ``top_k``)."""
    order = np.argsort(-scores, kind='stable')
    keep = []
    while order.size and len(keep) < top_k:
        i = order[0]
        keep.append(i)
        order = order[1:][_iou_one_to_many(boxes[i], boxes[order[1:]]) <= iou_thr]
    return np.asarray(keep, np.int64)


def _moving_average(x: np.ndarray, w: int) -> np.ndarray:
    """Centred moving average of (n, d) rows over w rows (fewer at the ends)."""
    n, h = len(x), w // 2
    c = np.concatenate([np.zeros((1, x.shape[1])), np.cumsum(x, 0)])  # [n + 1, d]
    lo = np.clip(np.arange(n) - h, 0, n)
    hi = np.clip(np.arange(n) + (w - h), 0, n)
    return (c[hi] - c[lo]) / (hi - lo)[:, None]


@TASK_UTILS.register_module()
class TubeLinker:
    """Greedy online linking of per-frame detections into tubes, per video and class.

    The rule (MultiSports' / ACT's linking with two documented fixes), for each class:

    1. Detections below ``det_score_thr`` are dropped; on every frame the rest go through NMS
       (IoU > ``nms_iou`` suppressed) and the ``top_k`` best are kept.
    2. Frames are visited in order. Live tubes, best mean score first, each take the
       highest-scoring free detection of the frame whose IoU with the tube's last box is at
       least ``link_iou``. Detections nobody took start new tubes.
    3. A tube that was not extended for more than ``max_gap`` consecutive frames ends; skipped
       frames inside a tube are filled by linear interpolation of the boxes around them.
    4. Tubes spanning fewer than ``min_len`` frames, or whose score is below ``min_score``,
       are dropped. The tube score is the mean score of its detections (mmaction2's
       MultiSports linking gives every tube the score of one detection, a known bug).

    With ``class_agnostic=True`` (an mmfine option, not MultiSports'), the rows of one detection
    (the same frame and box, one row per class, as a detector that reports every class of a
    box) are merged first; the detections are linked once, whatever their class, with the
    detection score = its best class score, and each finished tube is reported once per class
    with score = the mean of that class's scores over the tube's detections (0 where a row is
    missing), if at least ``min_score``. The tube's class then comes from all of its frames,
    so a class that flips on a few frames neither breaks the tube nor splits it.

    With ``smooth_window = w > 1`` (mmfine, not MultiSports'), each finished tube's boxes are
    replaced by their centred moving average over w frames (fewer at the tube's ends), which
    removes the frame-to-frame jitter of a detector that sees each clip on its own.

    mmaction2's values for MultiSports are ``nms_iou=0.6, top_k=10, link_iou=0.5,
    min_len=15, min_score=0.005`` with ``max_gap=0`` and no ``det_score_thr``.

    Args:
        link_iou (float): Defaults to 0.5.
        nms_iou (float): Defaults to 0.6.
        top_k (int): detections kept per frame and class. Defaults to 10.
        min_len (int): Defaults to 15.
        min_score (float): Defaults to 0.005.
        max_gap (int): frames a tube may skip. Defaults to 0.
        det_score_thr (float): Defaults to 0.
        class_agnostic (bool): link across classes and classify the tube by its mean class
            scores (see above). Defaults to False.
        smooth_window (int): moving-average length for the tube boxes; 1 = none (default).
    """

    def __init__(self, link_iou: float = 0.5, nms_iou: float = 0.6, top_k: int = 10,
                 min_len: int = 15, min_score: float = 0.005, max_gap: int = 0,
                 det_score_thr: float = 0.0, class_agnostic: bool = False,
                 smooth_window: int = 1) -> None:
        if max_gap < 0 or min_len < 1 or top_k < 1 or smooth_window < 1:
            raise ValueError('TubeLinker: max_gap >= 0, min_len >= 1, top_k >= 1 and '
                             'smooth_window >= 1 required')
        self.link_iou = link_iou
        self.nms_iou = nms_iou
        self.top_k = top_k
        self.min_len = min_len
        self.min_score = min_score
        self.max_gap = max_gap
        self.det_score_thr = det_score_thr
        self.class_agnostic = class_agnostic
        self.smooth_window = int(smooth_window)

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(link_iou={self.link_iou}, nms_iou={self.nms_iou}, '
                f'top_k={self.top_k}, min_len={self.min_len}, min_score={self.min_score}, '
                f'max_gap={self.max_gap}, det_score_thr={self.det_score_thr}, '
                f'class_agnostic={self.class_agnostic}, smooth_window={self.smooth_window})')

    def __call__(self, frame: np.ndarray, label: np.ndarray, score: np.ndarray,
                 box: np.ndarray) -> List[Dict]:
        """Link one video's detections.

        Args:
            frame (np.ndarray): (K,) frame numbers (integers).
            label (np.ndarray): (K,) class indices.
            score (np.ndarray): (K,).
            box (np.ndarray): (K, 4) xyxy.

        Returns:
            list[dict]: tubes ``{'label': int, 'score': float, 'boxes': (n, 5) [frame, x1, y1,
            x2, y2] on every frame from the first to the last}``, best score first.
        """
        frame = np.asarray(frame).reshape(-1)
        label = np.asarray(label).reshape(-1).astype(np.int64)
        score = np.asarray(score, np.float64).reshape(-1)
        box = np.asarray(box, np.float64).reshape(-1, 4)
        if not len(frame) == len(label) == len(score) == len(box):
            raise ValueError('TubeLinker: frame, label, score and box must have one row per '
                             f'detection, got {len(frame)}, {len(label)}, {len(score)}, '
                             f'{len(box)}')
        frame = np.round(frame).astype(np.int64)
        if self.class_agnostic:
            tubes = self._link_agnostic(frame, label, score, box)
        else:
            keep = score >= self.det_score_thr
            tubes = []
            for c in np.unique(label[keep]):
                sel = keep & (label == c)
                tubes += self._link_class(int(c), frame[sel], score[sel], box[sel])
        tubes.sort(key=lambda t: -t['score'])
        return tubes

    def _link_agnostic(self, frame: np.ndarray, label: np.ndarray, score: np.ndarray,
                       box: np.ndarray) -> List[Dict]:
        """``class_agnostic`` linking: merge the rows of each detection, link, classify
        (unsorted)."""
        if not len(frame):
            return []
        rows = np.concatenate([frame[:, None].astype(np.float64), box], 1)  # [R, 5]
        uniq, inv = np.unique(rows, axis=0, return_inverse=True)
        inv = inv.reshape(-1)
        cls = np.zeros((len(uniq), int(label.max()) + 1))  # [D, K] class scores per detection
        np.maximum.at(cls, (inv, label), score)
        det_score = cls.max(1)
        keep = det_score >= self.det_score_thr
        return self._link_class(-1, uniq[keep, 0].astype(np.int64), det_score[keep],
                                uniq[keep, 1:], cls[keep])

    def _finish(self, c: int, t: dict) -> List[Dict]:
        """The output tube(s) of a finished track; none if it is too short or scores too low
        (decided when the track ends, so memory holds only the tubes that are kept). One tube
        of class ``c``, or with per-detection class scores (``c = -1``) one per class."""
        frames = np.asarray(t['frames'])
        span = np.arange(frames[0], frames[-1] + 1)
        if len(span) < self.min_len:
            return []
        if 'cls' in t:
            scores = dict(enumerate(np.mean(t['cls'], 0).tolist()))  # {class: mean score}
        else:
            scores = {c: float(np.mean(t['scores']))}
        b = np.asarray(t['boxes'])
        filled = np.stack([np.interp(span, frames, b[:, k]) for k in range(4)], 1)
        if self.smooth_window > 1:
            filled = _moving_average(filled, self.smooth_window)
        boxes = np.concatenate([span[:, None].astype(np.float64), filled], 1)
        return [dict(label=k, score=v, boxes=boxes.copy())
                for k, v in scores.items() if v >= self.min_score]

    def _link_class(self, c: int, frame: np.ndarray, score: np.ndarray, box: np.ndarray,
                    cls: Optional[np.ndarray] = None) -> List[Dict]:
        """Link the detections of class ``c`` (or, with ``cls`` (D, K) per-detection class
        scores, of every class: ``c = -1``)."""
        order = np.argsort(frame, kind='stable')
        frame, score, box = frame[order], score[order], box[order]
        starts = np.flatnonzero(np.r_[True, frame[1:] != frame[:-1]])
        ends = np.r_[starts[1:], len(frame)]
        live, out = [], []
        for s, e in zip(starts, ends):
            f = int(frame[s])
            kept = s + _nms(box[s:e], score[s:e], self.nms_iou, self.top_k)
            still = []
            for t in live:
                if f - t['frames'][-1] - 1 <= self.max_gap:
                    still.append(t)
                else:  # ended: keep only what passes min_len / min_score
                    out += self._finish(c, t)
            live = sorted(still, key=lambda t: -np.mean(t['scores']))
            free = np.ones(len(kept), bool)
            for t in live:
                if not free.any():
                    break
                cand = kept[free]
                ok = _iou_one_to_many(t['boxes'][-1], box[cand]) >= self.link_iou
                if ok.any():
                    j = cand[ok][np.argmax(score[cand[ok]])]
                    t['frames'].append(f)
                    t['boxes'].append(box[j])
                    t['scores'].append(score[j])
                    if cls is not None:
                        t['cls'].append(cls[j])
                    free[np.flatnonzero(kept == j)[0]] = False
            for j in kept[free]:
                live.append(dict(frames=[f], boxes=[box[j]], scores=[score[j]]))
                if cls is not None:
                    live[-1]['cls'] = [cls[j]]
        for t in live:
            out += self._finish(c, t)
        return out

"""Average-precision helpers shared by the detection metrics (pure numpy)."""
import numpy as np


def voc_ap(precision: np.ndarray, recall: np.ndarray) -> float:
    """VOC all-point interpolated AP (VOCdevkit 2010+, ActivityNet ``interpolated_prec_rec``).

    The precision envelope is made monotone from the right and integrated over the recall steps:
    ``sum_i (r_i - r_{i-1}) * max_{j >= i} p_j`` with sentinels (0, 0) and (1, 0).

    Args:
        precision (np.ndarray): (N,) precision after each ranked prediction.
        recall (np.ndarray): (N,) recall after each ranked prediction (non-decreasing).

    Returns:
        float: the AP in [0, 1].
    """
    mprec = np.concatenate([[0.0], np.asarray(precision, np.float64), [0.0]])
    mrec = np.concatenate([[0.0], np.asarray(recall, np.float64), [1.0]])
    mprec = np.maximum.accumulate(mprec[::-1])[::-1]
    idx = np.nonzero(mrec[1:] != mrec[:-1])[0] + 1
    return float(np.sum((mrec[idx] - mrec[idx - 1]) * mprec[idx]))


def check_scores(scores: np.ndarray, what: str) -> None:
    """Raise ``ValueError`` naming the first negative or NaN score."""
    bad = np.nonzero(~(scores >= 0))[0]  # catches NaN too
    if len(bad):
        raise ValueError(f'{what}[{int(bad[0])}] has an invalid score {scores[bad[0]]!r} '
                         '(scores must be finite and >= 0)')


def trapezoid_ap(precision: np.ndarray, recall: np.ndarray) -> float:
    """ACT-detector AP: trapezoid rule over the raw precision/recall points.

    The curve starts at (recall 0, precision 1) and is not interpolated, as ``pr_to_ap`` in the
    ACT detector's ``ACT.py`` (also MOC-Detector) does:
    ``sum_i (r_i - r_{i-1}) * (p_i + p_{i-1}) / 2``.

    Args:
        precision (np.ndarray): (N,) precision after each ranked prediction.
        recall (np.ndarray): (N,) recall after each ranked prediction.

    Returns:
        float: the AP in [0, 1].
    """
    p = np.concatenate([[1.0], np.asarray(precision, np.float64)])
    r = np.concatenate([[0.0], np.asarray(recall, np.float64)])
    return float(np.sum((r[1:] - r[:-1]) * (p[1:] + p[:-1]) * 0.5))


def interpolated_precision_at_hits(tp: np.ndarray, num_gt: int) -> float:
    """E2E-Spot AP: the interpolated precision at every true positive, summed, over ``num_gt``.

    For each true positive at rank ``i`` (1-based) the precision is ``hits / i``; each value is
    replaced by the largest precision at this or any later true positive, and their sum is
    divided by the number of ground-truth events (``compute_average_precision`` in
    ``util/score.py`` of jhong93/spot).

    Args:
        tp (np.ndarray): (N,) bool, whether each ranked prediction is a true positive.
        num_gt (int): number of ground-truth events.

    Returns:
        float: the AP in [0, 1]; 0 when ``num_gt`` is 0.
    """
    tp = np.asarray(tp, bool)
    if num_gt == 0 or not tp.any():
        return 0.0
    ranks = np.nonzero(tp)[0] + 1
    prec = np.arange(1, len(ranks) + 1) / ranks
    prec = np.maximum.accumulate(prec[::-1])[::-1]
    return float(prec.sum() / num_gt)


def check_boxes(boxes: np.ndarray, what: str) -> None:
    """Raise ``ValueError`` naming the first box with x2 < x1, y2 < y1 or a NaN coordinate.

    Args:
        boxes (np.ndarray): (N, 4) [x1, y1, x2, y2].
        what (str): how to name an entry in the message, e.g. ``'detections'``.
    """
    bad = np.nonzero(~((boxes[:, 2] >= boxes[:, 0]) & (boxes[:, 3] >= boxes[:, 1])))[0]
    if len(bad):
        raise ValueError(f'{what}[{int(bad[0])}] has a box with x2 < x1, y2 < y1 or NaN: '
                         f'{boxes[bad[0]].tolist()}')

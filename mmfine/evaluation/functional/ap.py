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

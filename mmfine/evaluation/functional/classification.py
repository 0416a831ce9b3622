"""Accuracy of labelled rows where some rows carry no label."""
from typing import Dict

import numpy as np


def masked_accuracy(pred: np.ndarray, gt: np.ndarray, ignore_index: int = -100) -> float:
    """Share of rows with ``gt != ignore_index`` whose prediction equals the label.

    Args:
        pred (np.ndarray): (N,) predicted labels.
        gt (np.ndarray): (N,) labels, ``ignore_index`` for unlabelled rows.

    Returns:
        float: accuracy in [0, 1]; NaN when no row is labelled.
    """
    pred, gt = np.asarray(pred).reshape(-1), np.asarray(gt).reshape(-1)
    if pred.shape != gt.shape:
        raise ValueError(f'masked_accuracy: {pred.shape} predictions for {gt.shape} labels')
    keep = gt != ignore_index
    return float(np.mean(pred[keep] == gt[keep])) if keep.any() else float('nan')


def per_class_accuracy(pred: np.ndarray, gt: np.ndarray, num_classes: int,
                       ignore_index: int = -100) -> Dict[int, float]:
    """:func:`masked_accuracy` of the rows of each ground-truth class (NaN where a class has
    no row)."""
    pred, gt = np.asarray(pred).reshape(-1), np.asarray(gt).reshape(-1)
    return {c: masked_accuracy(pred[gt == c], gt[gt == c], ignore_index)
            for c in range(num_classes)}

"""Tube-level match costs for mmdet's :class:`HungarianAssigner`.

A tube is a box per clip frame. Predictions carry ``bboxes`` (N, T, 4) and ground truths
``bboxes`` (M, T, 4), both normalised ``(cx, cy, w, h)``, plus ``valid`` (M, T) bool: the frames
a ground-truth tube covers. Each cost averages a per-frame box cost over the frames the ground
truth covers (the TubeR / PoSTAL tube matcher), with mmdet's match-cost ``__call__`` signature,
so they mix with mmdet's ``ClassificationCost`` in one ``match_costs`` list::

    assigner=dict(type='mmdet.HungarianAssigner', match_costs=[
        dict(type='mmdet.ClassificationCost', weight=1.),
        dict(type='TubeL1Cost', weight=5., _scope_='mmfine'),
        dict(type='TubeGIoUCost', weight=2., _scope_='mmfine')])

(``_scope_`` rather than an ``mmfine.`` prefix: mmdet's registry only resolves prefixes of its
direct siblings, and mmfine's registries are children of mmaction2's.)
"""
from typing import Optional, Union

import torch
from mmdet.structures.bbox import bbox_cxcywh_to_xyxy
from mmengine.structures import InstanceData
from torch import Tensor

from mmfine.registry import TASK_UTILS


def pairwise_giou(a: Tensor, b: Tensor) -> Tensor:
    """Generalized IoU of every box of ``a`` with every box of ``b``, frame by frame.

    Args:
        a (Tensor): (N, T, 4) xyxy.
        b (Tensor): (M, T, 4) xyxy.

    Returns:
        Tensor: (N, M, T).
    """
    a, b = a[:, None], b[None]  # [N, 1, T, 4], [1, M, T, 4]
    area_a = (a[..., 2] - a[..., 0]).clamp(min=0) * (a[..., 3] - a[..., 1]).clamp(min=0)
    area_b = (b[..., 2] - b[..., 0]).clamp(min=0) * (b[..., 3] - b[..., 1]).clamp(min=0)
    lt = torch.maximum(a[..., :2], b[..., :2])
    rb = torch.minimum(a[..., 2:], b[..., 2:])
    inter = (rb - lt).clamp(min=0).prod(-1)
    union = area_a + area_b - inter
    iou = inter / union.clamp(min=1e-6)
    enc = (torch.maximum(a[..., 2:], b[..., 2:]) - torch.minimum(a[..., :2], b[..., :2]))
    enc_area = enc.clamp(min=0).prod(-1)
    return iou - (enc_area - union) / enc_area.clamp(min=1e-6)


def _frame_mean(cost: Tensor, valid: Tensor) -> Tensor:
    """Mean of (N, M, T) costs over each ground truth's valid frames -> (N, M)."""
    w = valid.to(cost.dtype)[None]  # [1, M, T]
    return (cost * w).sum(-1) / w.sum(-1).clamp(min=1)


@TASK_UTILS.register_module()
class TubeL1Cost:
    """Mean per-frame L1 distance of normalised ``(cx, cy, w, h)`` boxes.

    Args:
        weight (float): Defaults to 1.
    """

    def __init__(self, weight: Union[float, int] = 1.) -> None:
        self.weight = weight

    def __call__(self, pred_instances: InstanceData, gt_instances: InstanceData,
                 img_meta: Optional[dict] = None, **kwargs) -> Tensor:
        """Returns the (N, M) cost matrix."""
        pred, gt = pred_instances.bboxes, gt_instances.bboxes  # [N, T, 4], [M, T, 4]
        cost = (pred[:, None] - gt[None]).abs().sum(-1)  # [N, M, T]
        return _frame_mean(cost, gt_instances.valid) * self.weight


@TASK_UTILS.register_module()
class TubeGIoUCost:
    """Mean per-frame negative generalized IoU (boxes ``(cx, cy, w, h)``, normalised).

    Args:
        weight (float): Defaults to 1.
    """

    def __init__(self, weight: Union[float, int] = 1.) -> None:
        self.weight = weight

    def __call__(self, pred_instances: InstanceData, gt_instances: InstanceData,
                 img_meta: Optional[dict] = None, **kwargs) -> Tensor:
        """Returns the (N, M) cost matrix."""
        giou = pairwise_giou(bbox_cxcywh_to_xyxy(pred_instances.bboxes),
                             bbox_cxcywh_to_xyxy(gt_instances.bboxes))  # [N, M, T]
        return -_frame_mean(giou, gt_instances.valid) * self.weight

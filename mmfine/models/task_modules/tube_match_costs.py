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
from typing import Optional

from mmdet.models.task_modules.assigners.match_cost import BaseMatchCost
from mmdet.structures.bbox import bbox_cxcywh_to_xyxy, bbox_overlaps
from mmengine.structures import InstanceData
from torch import Tensor

from mmfine.registry import TASK_UTILS


def _frame_mean(cost: Tensor, valid: Tensor) -> Tensor:
    """Mean of (N, M, T) costs over each ground truth's valid frames -> (N, M)."""
    w = valid.to(cost.dtype)[None]  # [1, M, T]
    return (cost * w).sum(-1) / w.sum(-1).clamp(min=1)


@TASK_UTILS.register_module()
class TubeL1Cost(BaseMatchCost):
    """Mean per-frame L1 distance of normalised ``(cx, cy, w, h)`` boxes.

    Args:
        weight (float): Defaults to 1.
    """

    def __call__(self, pred_instances: InstanceData, gt_instances: InstanceData,
                 img_meta: Optional[dict] = None, **kwargs) -> Tensor:
        """Returns the (N, M) cost matrix."""
        pred, gt = pred_instances.bboxes, gt_instances.bboxes  # [N, T, 4], [M, T, 4]
        cost = (pred[:, None] - gt[None]).abs().sum(-1)  # [N, M, T]
        return _frame_mean(cost, gt_instances.valid) * self.weight


@TASK_UTILS.register_module()
class TubeGIoUCost(BaseMatchCost):
    """Mean per-frame negative generalized IoU (boxes ``(cx, cy, w, h)``, normalised).

    Args:
        weight (float): Defaults to 1.
    """

    def __call__(self, pred_instances: InstanceData, gt_instances: InstanceData,
                 img_meta: Optional[dict] = None, **kwargs) -> Tensor:
        """Returns the (N, M) cost matrix."""
        pred = bbox_cxcywh_to_xyxy(pred_instances.bboxes).transpose(0, 1)  # [T, N, 4]
        gt = bbox_cxcywh_to_xyxy(gt_instances.bboxes).transpose(0, 1)  # [T, M, 4]
        giou = bbox_overlaps(pred, gt, mode='giou').permute(1, 2, 0)  # [N, M, T]
        return -_frame_mean(giou, gt_instances.valid) * self.weight

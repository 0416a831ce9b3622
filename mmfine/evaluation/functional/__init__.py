"""Pure-numpy metric math; each function documents the official convention it follows."""
from .ap import voc_ap
from .aqa import relative_l2, spearman_rho
from .temporal_detection import anet_detection_map, segment_iou_matrix

__all__ = ['voc_ap', 'anet_detection_map', 'segment_iou_matrix', 'spearman_rho', 'relative_l2']

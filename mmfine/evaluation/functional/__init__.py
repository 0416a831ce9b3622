"""Pure-numpy metric math; each function documents the official convention it follows."""
from .ap import voc_ap
from .temporal_detection import anet_detection_map, segment_iou_matrix

__all__ = ['voc_ap', 'anet_detection_map', 'segment_iou_matrix']

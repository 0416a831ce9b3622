"""Pure-numpy metric math; each function documents the official convention it follows."""
from .ap import interpolated_precision_at_hits, trapezoid_ap, voc_ap
from .aqa import aiou, mean_segment_ious, relative_l2, rho_within_groups, spearman_rho
from .classification import masked_accuracy, per_class_accuracy
from .mask import average_mask_stats, mask_image_stats, mask_metrics, s_measure
from .matching import greedy_match
from .spatio_temporal import frame_map, pair_box_iou, video_map
from .spotting import (WindowScoreStitcher, scores_to_events, soccernet_average_map, spot_nms,
                       spotting_map, stitch_window_scores)
from .temporal_detection import (anet_detection_map, anet_proposal_ar_an, broadcast_tiou,
                                 segment_iou_matrix)

__all__ = [
    'voc_ap', 'trapezoid_ap', 'interpolated_precision_at_hits', 'greedy_match', 'frame_map',
    'video_map', 'pair_box_iou', 'anet_detection_map', 'anet_proposal_ar_an',
    'segment_iou_matrix', 'broadcast_tiou', 'spotting_map', 'spot_nms',
    'soccernet_average_map', 'spearman_rho', 'rho_within_groups', 'mean_segment_ious',
    'relative_l2', 'aiou', 'mask_metrics',
    'mask_image_stats', 'average_mask_stats', 's_measure', 'masked_accuracy',
    'per_class_accuracy', 'WindowScoreStitcher', 'stitch_window_scores', 'scores_to_events'
]

"""mmengine metric wrappers around :mod:`mmfine.evaluation.functional`."""
from .aqa_metric import AQAMetric
from .frame_video_map_metric import FrameVideoMAPMetric
from .mask_metric import MaskMetric
from .player_attribute_metric import PlayerAttributeMetric
from .spotting_metric import SpottingMetric
from .tal_metric import TALMetric

__all__ = ['FrameVideoMAPMetric', 'TALMetric', 'SpottingMetric', 'AQAMetric', 'MaskMetric',
           'PlayerAttributeMetric']

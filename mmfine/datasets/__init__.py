from .act_format import ACTFormatError, load_act_gt, split_videos, video_tubes
from .finesports_dataset import FineSportsDataset
from .transforms import *  # noqa: F401,F403

__all__ = ['FineSportsDataset', 'ACTFormatError', 'load_act_gt', 'split_videos', 'video_tubes']

from .act_format import ACTFormatError, load_act_gt, split_videos, video_tubes
from .fineaction_dataset import FineActionDataset
from .finesports_dataset import FineSportsDataset
from .transforms import *  # noqa: F401,F403

__all__ = [
    'FineActionDataset', 'FineSportsDataset', 'ACTFormatError', 'load_act_gt', 'split_videos',
    'video_tubes'
]

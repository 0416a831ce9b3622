from .act_format import ACTFormatError, load_act_gt, split_videos, video_tubes
from .fineaction_dataset import FineActionDataset
from .finesports_dataset import FineSportsDataset
from .finesports_player_dataset import FineSportsPlayerDataset
from .split_builder import build_split_dataset
from .transforms import *  # noqa: F401,F403

__all__ = [
    'FineActionDataset', 'FineSportsDataset', 'FineSportsPlayerDataset', 'build_split_dataset',
    'ACTFormatError', 'load_act_gt', 'split_videos', 'video_tubes'
]

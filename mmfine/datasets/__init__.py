from .act_format import ACTFormatError, load_act_gt, split_videos, video_tubes
from .aqa_annotations import (load_coarse_frames, load_finediving_annotations,
                              load_mtl_aqa_annotations, load_mtl_aqa_split, load_split,
                              release_transitions)
from .aqa_pair_dataset import AQAPairDataset, holdout_keys
from .fineaction_dataset import FineActionDataset
from .finediving_dataset import FineDivingDataset
from .finesports_dataset import FineSportsDataset
from .mtl_aqa_dataset import MTLAQADataset
from .finesports_player_dataset import FineSportsPlayerDataset
from .split_builder import build_split_dataset
from .soccernet_labels import soccernet_half_entries
from .spotting_annotations import (SpottingAnnotationError, clip_frame_labels,
                                   load_spotting_classes, load_spotting_json)
from .spotting_dataset import SpottingDataset
from .transforms import *  # noqa: F401,F403

__all__ = [
    'FineActionDataset', 'FineDivingDataset', 'AQAPairDataset', 'holdout_keys', 'load_split',
    'load_finediving_annotations', 'load_coarse_frames', 'release_transitions',
    'MTLAQADataset', 'load_mtl_aqa_annotations', 'load_mtl_aqa_split',
    'FineSportsDataset', 'FineSportsPlayerDataset', 'build_split_dataset',
    'ACTFormatError', 'load_act_gt', 'split_videos', 'video_tubes',
    'SpottingDataset', 'SpottingAnnotationError', 'load_spotting_classes', 'load_spotting_json',
    'clip_frame_labels', 'soccernet_half_entries'
]

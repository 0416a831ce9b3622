from .spotting_preprocessor import SpottingDataPreprocessor
from .temporal_preprocessor import TemporalFeaturePreprocessor
from .video_preprocessor import DEFAULT_VIDEO_PREPROCESSOR, build_video_preprocessor

__all__ = ['TemporalFeaturePreprocessor', 'DEFAULT_VIDEO_PREPROCESSOR',
           'build_video_preprocessor', 'SpottingDataPreprocessor']

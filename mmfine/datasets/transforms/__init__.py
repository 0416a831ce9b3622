from .formatting import PackFineSportsInputs, PackTALInputs
from .loading import LoadFineSportsFrames, SampleTubeClip
from .temporal_features import CropTemporalFeature, LoadTemporalFeature, RescaleTemporalFeature
from .tube_processing import (CropAroundTube, TubeCenterCrop, TubeFlip, TubeRandomCrop,
                              TubeResize)

__all__ = [
    'SampleTubeClip', 'LoadFineSportsFrames', 'TubeResize', 'TubeCenterCrop', 'TubeRandomCrop',
    'CropAroundTube', 'TubeFlip', 'PackFineSportsInputs', 'LoadTemporalFeature',
    'RescaleTemporalFeature', 'CropTemporalFeature', 'PackTALInputs'
]

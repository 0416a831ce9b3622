from .formatting import PackFineSportsInputs
from .loading import LoadFineSportsFrames, SampleTubeClip
from .tube_processing import (CropAroundTube, TubeCenterCrop, TubeFlip, TubeRandomCrop,
                              TubeResize)

__all__ = [
    'SampleTubeClip', 'LoadFineSportsFrames', 'TubeResize', 'TubeCenterCrop', 'TubeRandomCrop',
    'CropAroundTube', 'TubeFlip', 'PackFineSportsInputs'
]

from .aqa_loading import LoadAQAFrames, SampleAQAFrames
from .clip_photometric import ClipPhotometric
from .clip_processing import ClipCrop, ClipFlip, ClipResize
from .formatting import (PackAQAInputs, PackFineSportsInputs, PackPlayerInputs,
                         PackSpottingInputs, PackTALInputs)
from .loading import LoadFineSportsFrames, SampleTubeClip
from .player_crops import CropPlayerClips
from .spotting_loading import LoadSpottingClip
from .temporal_features import CropTemporalFeature, LoadTemporalFeature, RescaleTemporalFeature
from .tube_processing import (CropAroundTube, TubeCenterCrop, TubeFlip, TubeRandomCrop,
                              TubeResize)

__all__ = [
    'SampleTubeClip', 'LoadFineSportsFrames', 'TubeResize', 'TubeCenterCrop', 'TubeRandomCrop',
    'CropAroundTube', 'TubeFlip', 'PackFineSportsInputs', 'CropPlayerClips', 'PackPlayerInputs',
    'LoadTemporalFeature', 'RescaleTemporalFeature', 'CropTemporalFeature', 'PackTALInputs',
    'SampleAQAFrames', 'LoadAQAFrames', 'ClipResize', 'ClipFlip', 'ClipCrop', 'PackAQAInputs',
    'LoadSpottingClip', 'ClipPhotometric', 'PackSpottingInputs'
]

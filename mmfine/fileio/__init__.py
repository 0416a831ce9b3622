"""File readers for untrusted inputs (annotation pickles) and long videos."""
from .safe_pickle import (RestrictedUnpickler, UnsafePickleError, safe_pickle_load,
                          safe_pickle_loads)
from .video_reader import (ArrayStream, VideoReadError, VideoStream, centred_clip_frames,
                           centred_clip_keyframes, sliding_window_starts)

__all__ = [
    'RestrictedUnpickler', 'UnsafePickleError', 'safe_pickle_load', 'safe_pickle_loads',
    'VideoStream', 'ArrayStream', 'VideoReadError', 'sliding_window_starts',
    'centred_clip_keyframes', 'centred_clip_frames'
]

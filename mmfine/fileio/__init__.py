"""File readers for untrusted inputs (annotation pickles) and long videos."""
from .safe_pickle import (RestrictedUnpickler, UnsafePickleError, safe_pickle_load,
                          safe_pickle_loads)
from .video_reader import ArrayStream, VideoReadError, VideoStream, sliding_window_starts

__all__ = [
    'RestrictedUnpickler', 'UnsafePickleError', 'safe_pickle_load', 'safe_pickle_loads',
    'VideoStream', 'ArrayStream', 'VideoReadError', 'sliding_window_starts'
]

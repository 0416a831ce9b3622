"""File readers for untrusted inputs (annotation pickles) and long videos."""
from .safe_pickle import (RestrictedUnpickler, UnsafePickleError, safe_pickle_load,
                          safe_pickle_loads)

__all__ = ['RestrictedUnpickler', 'UnsafePickleError', 'safe_pickle_load', 'safe_pickle_loads']

"""Engine components: hooks."""
from .hooks import FineVisualizationHook

__all__ = ['FineVisualizationHook']

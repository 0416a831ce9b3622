"""Engine components: hooks, optimizer wrappers."""
from .hooks import FineVisualizationHook
from .optimizers import BF16AutocastOptimWrapper

__all__ = ['FineVisualizationHook', 'BF16AutocastOptimWrapper']

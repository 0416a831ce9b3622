"""The toolbox's visualizer (tubes, timelines, masks, score curves)."""
from .fine_visualizer import PALETTE, FineVisualizer

__all__ = ['FineVisualizer', 'PALETTE']

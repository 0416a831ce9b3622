"""The toolbox's visualizer (tubes, timelines, masks, score curves) and video writing."""
from .fine_visualizer import PALETTE, FineVisualizer
from .video_writer import write_annotated_video

__all__ = ['FineVisualizer', 'PALETTE', 'write_annotated_video']

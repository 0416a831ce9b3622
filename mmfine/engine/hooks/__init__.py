from .visualization_hook import FineVisualizationHook, input_to_video, sample_name

__all__ = ['FineVisualizationHook', 'input_to_video', 'sample_name']

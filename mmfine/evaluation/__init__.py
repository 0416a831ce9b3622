"""Metrics: pure-numpy math in ``functional/`` and mmengine wrappers in ``metrics/``."""
from .metrics import AQAMetric, FrameVideoMAPMetric, MaskMetric, SpottingMetric, TALMetric

__all__ = ['FrameVideoMAPMetric', 'TALMetric', 'SpottingMetric', 'AQAMetric', 'MaskMetric']

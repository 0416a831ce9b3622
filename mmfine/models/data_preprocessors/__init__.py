from .temporal_preprocessor import TemporalFeaturePreprocessor

__all__ = ['TemporalFeaturePreprocessor']

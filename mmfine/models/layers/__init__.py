from .positional_encoding_3d import sine_positional_encoding_3d

__all__ = ['sine_positional_encoding_3d']

from .multiscale_transformer_neck import MultiScaleTransformerNeck
from .pta import PTA

__all__ = ['MultiScaleTransformerNeck', 'PTA']

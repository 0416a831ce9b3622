from .multiscale_transformer_neck import MultiScaleTransformerNeck
from .pta import PTA
from .target_map_pta import TargetMapPTA

__all__ = ['MultiScaleTransformerNeck', 'PTA', 'TargetMapPTA']

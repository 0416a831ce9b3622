from .multiscale_transformer_neck import MultiScaleTransformerNeck

__all__ = ['MultiScaleTransformerNeck']

from .hf_text_encoder import TextEncoder, resolve_text_model

__all__ = ['TextEncoder', 'resolve_text_model']

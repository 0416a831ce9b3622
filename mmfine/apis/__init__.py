"""Inference APIs used by demo/."""
from .postal_inference import (config_linker, decode_size, inference_postal, init_postal,
                               open_video, tubes_to_json)

__all__ = [
    'init_postal', 'inference_postal', 'decode_size', 'open_video', 'config_linker',
    'tubes_to_json'
]

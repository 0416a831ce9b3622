"""Inference APIs used by demo/."""
from .postal_inference import decode_video, inference_postal, init_postal, tubes_to_json

__all__ = ['init_postal', 'inference_postal', 'decode_video', 'tubes_to_json']

"""Inference APIs used by demo/."""
from .fineparser_inference import (build_exemplar_pool, inference_fineparser, mask_on_frame,
                                   result_to_json)
from .model_init import init_model
from .spotting_inference import decode_size_for, events_from_scores, inference_spotter
from .postal_inference import (config_linker, decode_size, inference_postal, init_postal,
                               open_video, tubes_to_json)

__all__ = [
    'init_model', 'init_postal', 'inference_postal', 'decode_size', 'open_video',
    'config_linker', 'tubes_to_json', 'build_exemplar_pool', 'inference_fineparser',
    'mask_on_frame', 'result_to_json', 'inference_spotter', 'events_from_scores',
    'decode_size_for'
]

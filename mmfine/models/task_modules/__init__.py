from .bmn_post_processor import BMNPostProcessor
from .boundary_matching import bm_proposal_bounds, bm_sample_mask, bm_valid_mask, bmn_targets
from .soft_nms import batched_temporal_soft_nms
from .transition_decoders import (TRANSITION_DECODERS, TransitionDecoder, decode_fixed_windows,
                                  decode_ordered, smooth_over_time)
from .tube_linker import TubeLinker
from .tube_match_costs import TubeGIoUCost, TubeL1Cost

__all__ = [
    'BMNPostProcessor', 'bm_sample_mask', 'bm_valid_mask', 'bm_proposal_bounds', 'bmn_targets',
    'batched_temporal_soft_nms', 'TubeLinker', 'TubeL1Cost', 'TubeGIoUCost',
    'TRANSITION_DECODERS', 'TransitionDecoder', 'decode_fixed_windows', 'decode_ordered',
    'smooth_over_time'
]

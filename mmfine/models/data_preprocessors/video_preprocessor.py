"""The default data preprocessor of the clip models (PoSTAL, the player-attribute recognizer)."""
from typing import Optional, Union

from torch import nn

from mmfine.registry import MODELS

#: mmaction2's ActionDataPreprocessor with the ImageNet mean / std, clips as NCTHW
DEFAULT_VIDEO_PREPROCESSOR = dict(
    type='ActionDataPreprocessor', mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375], format_shape='NCTHW')


def build_video_preprocessor(cfg: Optional[Union[dict, nn.Module]] = None) -> nn.Module:
    """A data preprocessor from its config (None: :data:`DEFAULT_VIDEO_PREPROCESSOR`); a built
    module is returned as it is."""
    if cfg is None:
        cfg = DEFAULT_VIDEO_PREPROCESSOR
    return MODELS.build(dict(cfg)) if isinstance(cfg, dict) else cfg

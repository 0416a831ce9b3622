from typing import Dict, List, Optional, Union

from mmaction.models.backbones.resnet3d import ResNet3d
from mmaction.models.backbones.resnet3d_csn import ResNet3dCSN
from mmengine.model import BaseModule

from mmfine.registry import MODELS


@MODELS.register_module()
class CSN(ResNet3dCSN):
    """Channel-Separated Network (ir-CSN / ip-CSN) whose pretrained weights come from ``init_cfg``.

    Paper: Tran et al., "Video Classification with Channel-Separated Convolutional Networks",
    ICCV 2019, https://arxiv.org/abs/1904.02811.

    The architecture is mmaction2's :class:`~mmaction.models.ResNet3dCSN` (arch table, ``out_indices``,
    ``frozen_stages``, ``norm_eval``/``bn_frozen`` with its ``train()`` override). mmaction's
    ``ResNet3d.init_weights`` only honours the legacy ``pretrained=`` argument and silently ignores
    ``init_cfg``; this subclass initialises from scratch exactly like mmaction and then applies
    ``init_cfg`` (e.g. ``dict(type='Pretrained', checkpoint=URL, prefix='backbone.')``) through
    :class:`mmengine.model.BaseModule`, so there is one way to load weights.

    Args:
        depth (int): 50, 101 or 152.
        init_cfg (dict | list[dict], optional): initialisation config; ``type='Pretrained'``
            loads a checkpoint (local path or URL). Defaults to None (random init).
        **kwargs: any other :class:`ResNet3dCSN` / :class:`ResNet3d` argument (``base_channels``,
            ``stage_blocks``, ``norm_cfg``, ``bottleneck_mode``, ``bn_frozen``, ...).
            ``pretrained`` is refused: use ``init_cfg``.
    """

    def __init__(self, depth: int,
                 init_cfg: Optional[Union[Dict, List[Dict]]] = None, **kwargs) -> None:
        if kwargs.pop('pretrained', None):
            raise ValueError("CSN loads weights only through init_cfg=dict(type='Pretrained', "
                             "checkpoint=..., prefix='backbone.'); do not pass `pretrained`.")
        kwargs.setdefault('pretrained2d', False)
        super().__init__(depth=depth, pretrained=None, init_cfg=init_cfg, **kwargs)

    def init_weights(self) -> None:
        """Scratch initialisation (as mmaction), then ``init_cfg`` (pretrained weights)."""
        ResNet3d._init_weights(self, None)
        if self.init_cfg:
            BaseModule.init_weights(self)

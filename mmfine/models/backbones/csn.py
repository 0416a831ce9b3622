from typing import Dict, List, Optional, Union

from mmaction.models.backbones.resnet3d_csn import ResNet3dCSN

from mmfine.registry import MODELS
from .resnet3d import InitCfgMixin


@MODELS.register_module()
class CSN(InitCfgMixin, ResNet3dCSN):
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
        super().__init__(depth=depth, init_cfg=init_cfg, **kwargs)

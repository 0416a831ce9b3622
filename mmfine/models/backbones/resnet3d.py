"""mmaction2 ResNet3d-family backbones whose weights come from ``init_cfg``."""
import os.path as osp
from typing import Dict, List, Optional, Union

from mmaction.models.backbones.resnet3d import ResNet3d
from mmengine.model import BaseModule

from mmfine.registry import MODELS


class InitCfgMixin:
    """Weights of an mmaction ``ResNet3d`` family backbone from ``init_cfg``.

    mmaction's ``ResNet3d.init_weights`` only honours the legacy ``pretrained=`` argument and
    silently ignores ``init_cfg``. Classes with this mixin refuse ``pretrained``, initialise
    from scratch exactly like mmaction and then apply ``init_cfg`` (e.g.
    ``dict(type='Pretrained', checkpoint=URL, prefix='backbone.')``) through
    :class:`mmengine.model.BaseModule`, so there is one way to load weights.
    """

    def __init__(self, *args, init_cfg: Optional[Union[Dict, List[Dict]]] = None,
                 **kwargs) -> None:
        if kwargs.pop('pretrained', None):
            raise ValueError(f'{type(self).__name__} loads weights only through '
                             "init_cfg=dict(type='Pretrained', checkpoint=..., "
                             "prefix='backbone.'); do not pass `pretrained`.")
        kwargs.setdefault('pretrained2d', False)
        super().__init__(*args, pretrained=None, init_cfg=init_cfg, **kwargs)

    def init_weights(self) -> None:
        """Scratch initialisation (as mmaction), then ``init_cfg`` (pretrained weights).

        Raises:
            FileNotFoundError: a ``Pretrained`` checkpoint given as a local path is missing.
        """
        ResNet3d._init_weights(self, None)
        if not self.init_cfg:
            return
        for cfg in self.init_cfg if isinstance(self.init_cfg, list) else [self.init_cfg]:
            path = str(cfg.get('checkpoint', ''))
            if cfg.get('type') == 'Pretrained' and '://' not in path and not osp.isfile(path):
                raise FileNotFoundError(
                    f"{type(self).__name__}: the init_cfg checkpoint {path} does not exist (the "
                    'synthetic PoSTAL configs load the pretraining checkpoint that '
                    'tools/data/finesports/run_postal_synthetic.sh makes; '
                    '--cfg-options model.backbone.init_cfg=None trains from scratch)')
        BaseModule.init_weights(self)


@MODELS.register_module()
class ResNet3dInitCfg(InitCfgMixin, ResNet3d):
    """mmaction2's :class:`~mmaction.models.ResNet3d` (any depth / stage layout, e.g. the small
    synthetic backbone) whose weights come from ``init_cfg`` (see :class:`InitCfgMixin`).

    Args:
        depth (int): 18, 34, 50, 101 or 152.
        init_cfg (dict | list[dict], optional): Defaults to None (random init).
        **kwargs: any other :class:`ResNet3d` argument; ``pretrained`` is refused.
    """

    def __init__(self, depth: int,
                 init_cfg: Optional[Union[Dict, List[Dict]]] = None, **kwargs) -> None:
        super().__init__(depth=depth, init_cfg=init_cfg, **kwargs)

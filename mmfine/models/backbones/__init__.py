from .csn import CSN
from .resnet3d import InitCfgMixin, ResNet3dInitCfg

__all__ = ['CSN', 'ResNet3dInitCfg', 'InitCfgMixin']

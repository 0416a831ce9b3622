from .csn import CSN
from .inception_i3d import InceptionI3d, convert_piergiaj_i3d
from .resnet3d import InitCfgMixin, ResNet3dInitCfg
from .regnety import RegNetY, convert_pycls_regnety, regnet_widths
from .sap_i3d import SAPInceptionI3d

__all__ = ['CSN', 'InceptionI3d', 'convert_piergiaj_i3d', 'ResNet3dInitCfg', 'InitCfgMixin',
           'SAPInceptionI3d', 'RegNetY', 'regnet_widths',
           'convert_pycls_regnety']

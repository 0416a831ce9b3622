from .multiscale_bmn import MultiScaleBMN
from .postal import PoSTAL

__all__ = ['MultiScaleBMN', 'PoSTAL']

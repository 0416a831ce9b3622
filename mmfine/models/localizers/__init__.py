from .fineparser import FineParser
from .multiscale_bmn import MultiScaleBMN
from .postal import PoSTAL

__all__ = ['FineParser', 'MultiScaleBMN', 'PoSTAL']

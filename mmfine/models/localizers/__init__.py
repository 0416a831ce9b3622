from .fineparser import FineParser
from .multiscale_bmn import MultiScaleBMN
from .postal import PoSTAL
from .spotter import Spotter, convert_e2e_spot

__all__ = ['FineParser', 'MultiScaleBMN', 'PoSTAL', 'Spotter', 'convert_e2e_spot']

from .multiscale_bmn import MultiScaleBMN

__all__ = ['MultiScaleBMN']

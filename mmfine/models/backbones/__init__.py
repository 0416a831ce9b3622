from .csn import CSN

__all__ = ['CSN']

from .bmn_head import BMNHead

__all__ = ['BMNHead']

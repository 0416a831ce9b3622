from .atd_head import ATDHead, tube_boxes_to_pixels
from .bmn_head import BMNHead

__all__ = ['ATDHead', 'BMNHead', 'tube_boxes_to_pixels']

from .atd_head import ATDHead, tube_boxes_to_pixels
from .bmn_head import BMNHead
from .player_attribute_head import PlayerAttributeHead
from .reference_point_atd_head import ReferencePointATDHead

__all__ = ['ATDHead', 'BMNHead', 'PlayerAttributeHead', 'ReferencePointATDHead',
           'tube_boxes_to_pixels']

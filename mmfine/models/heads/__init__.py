from .atd_head import ATDHead, tube_boxes_to_pixels
from .bmn_head import BMNHead
from .finereg_head import FineRegHead
from .player_attribute_head import PlayerAttributeHead
from .psnet_head import PSNetHead
from .reference_point_atd_head import ReferencePointATDHead
from .spotting_head import SpottingHead

__all__ = ['ATDHead', 'BMNHead', 'FineRegHead', 'PlayerAttributeHead', 'PSNetHead',
           'ReferencePointATDHead', 'SpottingHead', 'tube_boxes_to_pixels']

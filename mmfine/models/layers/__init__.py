from .grid_cells import box_centre_cell, cell_centres
from .positional_encoding_3d import sine_positional_encoding_3d

__all__ = ['box_centre_cell', 'cell_centres', 'sine_positional_encoding_3d']

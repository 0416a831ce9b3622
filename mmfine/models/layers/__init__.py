from .grid_cells import box_centre_cell, cell_centres
from .positional_encoding_3d import sine_positional_encoding_3d
from .subpixel_conv_transpose import SubPixelConvTranspose3d, subpixel_conv_transpose3d
from .temporal_shift import GateShift, TemporalShift, build_temporal_shift

__all__ = ['box_centre_cell', 'cell_centres', 'sine_positional_encoding_3d',
           'SubPixelConvTranspose3d', 'subpixel_conv_transpose3d', 'GateShift', 'TemporalShift',
           'build_temporal_shift']

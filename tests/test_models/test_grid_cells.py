"""Box centre -> grid cell and cell -> centre (PoSTAL target map, its tools)."""
import torch

from mmfine.models.layers import box_centre_cell, cell_centres


def test_cell_centres_invert_box_centre_cell():
    img_shape, grid = (144, 192), (9, 12)  # 16-pixel cells
    centres = cell_centres(grid)
    assert centres.shape == (108, 2)
    for cell in (0, 5, 13, 107):
        cx, cy = (centres[cell] * torch.tensor([192., 144.])).tolist()
        box = (cx - 8, cy - 17, cx + 8, cy + 17)  # a player-sized box on the cell's centre
        assert box_centre_cell(box, img_shape, grid) == cell
    # row-major: the cell right of 0 is 1, the one below is W
    assert box_centre_cell((20, 0, 30, 10), img_shape, grid) == 1
    assert box_centre_cell((0, 20, 10, 30), img_shape, grid) == 12


def test_box_centre_cell_clamps_to_the_border():
    assert box_centre_cell((-50, -50, -40, -40), (144, 192), (9, 12)) == 0
    assert box_centre_cell((300, 300, 310, 310), (144, 192), (9, 12)) == 107

"""Between boxes in input pixels and the cells of a feature grid (the PoSTAL target map)."""
from typing import Sequence, Tuple

import torch
from torch import Tensor


def box_centre_cell(box: Sequence[float], img_shape: Tuple[int, int],
                    grid: Tuple[int, int]) -> int:
    """Flat index ``row * W + col`` of the grid cell holding a box's centre.

    Args:
        box (Sequence[float]): ``x1, y1, x2, y2`` in pixels of an ``img_shape`` (h, w) input.
        img_shape (tuple[int, int]): (h, w).
        grid (tuple[int, int]): (H', W') cells over the input.

    Returns:
        int: in ``[0, H' * W')`` (centres outside the input fall in the border cells).
    """
    x1, y1, x2, y2 = (float(v) for v in box)
    (h, w), (H, W) = img_shape, grid
    col = min(max(int((x1 + x2) / 2 / w * W), 0), W - 1)
    row = min(max(int((y1 + y2) / 2 / h * H), 0), H - 1)
    return row * W + col


def cell_centres(grid: Tuple[int, int], device=None) -> Tensor:
    """Normalised centres of the cells of an (H', W') grid, the inverse of
    :func:`box_centre_cell`.

    Returns:
        Tensor: (H'W', 2) ``(cx, cy)`` in (0, 1), in flat index order.
    """
    H, W = grid
    ys = (torch.arange(H, device=device).float() + 0.5) / H
    xs = (torch.arange(W, device=device).float() + 0.5) / W
    return torch.stack([xs.repeat(H), ys.repeat_interleave(W)], -1)

"""Sine positional encoding over (time, y, x) for spatio-temporal tokens."""
import math

import torch
from torch import Tensor


def sine_positional_encoding_3d(t: int, h: int, w: int, dims: int,
                                temperature: float = 10000.,
                                device=None) -> Tensor:
    """DETR's normalised sine encoding extended to three axes.

    The ``dims`` channels are split over time, y and x (each a multiple of 2: time gets the
    remainder), every axis normalised to (0, 2 pi].

    Args:
        t, h, w (int): token grid.
        dims (int): channels (>= 6, even).
        temperature (float): Defaults to 10000.

    Returns:
        Tensor: (t * h * w, dims), flattened in (t, h, w) order.
    """
    if dims < 6 or dims % 2:
        raise ValueError(f'positional encoding needs an even number of dims >= 6, got {dims}')
    per = (dims // 3) // 2 * 2
    sizes = [dims - 2 * per, per, per]  # time, y, x
    out = []
    for axis, (n, d) in enumerate(zip((t, h, w), sizes)):
        pos = (torch.arange(1, n + 1, dtype=torch.float32, device=device) / n) * 2 * math.pi
        dim_t = temperature ** (2 * (torch.arange(d // 2, device=device).float()) / d)
        emb = pos[:, None] / dim_t  # [n, d/2]
        emb = torch.stack([emb.sin(), emb.cos()], -1).flatten(1)  # [n, d]
        shape = [1, 1, 1, d]
        shape[axis] = n
        out.append(emb.view(shape).expand(t, h, w, d))
    return torch.cat(out, -1).reshape(t * h * w, dims)

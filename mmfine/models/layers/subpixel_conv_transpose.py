"""A 3-D transposed convolution with kernel = 2 x stride, computed as a regular convolution
followed by a pixel shuffle (the same parameters and the same result as
``nn.ConvTranspose3d``; on CPU a 1.18x faster training step of FineParser's small config,
measured by ``benchmarks/fineparser_speed.py``).

Why it is the same: with kernel ``2s``, stride ``s`` and padding ``p``, along one axis the
un-padded output at ``u = q * s + r`` (``0 <= r < s``) receives exactly two inputs,
``x[q] * W[r] + x[q - 1] * W[s + r]``. That is a cross-correlation of the zero-padded input
with a kernel of size 2 (``K[0] = W[s + r]``, ``K[1] = W[r]``) whose ``s`` outputs per
position, one per phase ``r``, are interleaved ("pixel shuffle"); the transposed
convolution's padding crops ``p`` from both ends. In 3-D the phases are ``(r_t, r_h, r_w)``
and the kernel is 2 x 2 x 2.

On CPU PyTorch runs a transposed convolution with a large kernel (SAP's 8 x 32 x 32) through
its slow im2col path, while the 2 x 2 x 2 convolution goes through oneDNN (forward and
backward); on CUDA the native operator is used (cuDNN handles it well).
"""
from typing import Optional, Sequence, Union

import torch.nn.functional as F
from mmengine.utils import to_3tuple
from torch import Tensor, nn


def subpixel_conv_transpose3d(x: Tensor, weight: Tensor, stride: Sequence[int],
                              padding: Sequence[int]) -> Tensor:
    """``F.conv_transpose3d(x, weight, stride=stride, padding=padding)`` for a kernel of
    exactly twice the stride (no bias, groups 1, dilation 1, output padding 0).

    Args:
        x (Tensor): (N, C, t, h, w).
        weight (Tensor): (C, O, 2 * st, 2 * sh, 2 * sw), ``nn.ConvTranspose3d``'s layout.
        stride (Sequence[int]): (st, sh, sw).
        padding (Sequence[int]): (pt, ph, pw), each at most its stride.

    Returns:
        Tensor: (N, O, (t + 1) st - 2 pt, (h + 1) sh - 2 ph, (w + 1) sw - 2 pw).
    """
    N, C, t, h, w = x.shape
    O = weight.shape[1]
    st, sh, sw = stride
    if tuple(weight.shape[2:]) != (2 * st, 2 * sh, 2 * sw):
        raise ValueError(f'kernel {tuple(weight.shape[2:])} is not twice the stride {stride}')
    # W[c, o, b_t * st + r_t, ...] -> K[(o, r_t, r_h, r_w), c, 1 - b_t, 1 - b_h, 1 - b_w]
    k = weight.view(C, O, 2, st, 2, sh, 2, sw).flip(2, 4, 6).permute(1, 3, 5, 7, 0, 2, 4, 6)
    k = k.reshape(O * st * sh * sw, C, 2, 2, 2)
    z = F.conv3d(x, k, padding=1)  # [N, O * st * sh * sw, t + 1, h + 1, w + 1]
    z = z.view(N, O, st, sh, sw, t + 1, h + 1, w + 1).permute(0, 1, 5, 2, 6, 3, 7, 4)
    y = z.reshape(N, O, (t + 1) * st, (h + 1) * sh, (w + 1) * sw)  # the phases interleaved
    pt, ph, pw = padding
    return y[:, :, pt:y.shape[2] - pt, ph:y.shape[3] - ph, pw:y.shape[4] - pw]


class SubPixelConvTranspose3d(nn.ConvTranspose3d):
    """``nn.ConvTranspose3d(C, O, kernel_size=2 * stride, stride, padding)`` computed by
    :func:`subpixel_conv_transpose3d` on CPU (the native operator on other devices).

    The parameters (``weight`` (C, O, 2 st, 2 sh, 2 sw), optional ``bias`` (O,)) and so the
    state-dict keys are those of ``nn.ConvTranspose3d``: release checkpoints load unchanged.

    Args:
        in_channels (int): C.
        out_channels (int): O.
        stride (int | Sequence[int]): (st, sh, sw); the kernel is twice it.
        padding (int | Sequence[int]): each in [0, stride]. Defaults to 0.
        bias (bool): Defaults to False.
        subpixel (bool, optional): True: always the sub-pixel convolution; False: always
            ``F.conv_transpose3d``; None: the sub-pixel one on CPU only. Defaults to None.
            An attribute: a benchmark may switch it on a built model.

    Shape:
        (N, C, t, h, w) -> (N, O, (t + 1) st - 2 pt, (h + 1) sh - 2 ph, (w + 1) sw - 2 pw).
    """

    def __init__(self, in_channels: int, out_channels: int,
                 stride: Union[int, Sequence[int]],
                 padding: Union[int, Sequence[int]] = 0, bias: bool = False,
                 subpixel: Optional[bool] = None) -> None:
        stride, padding = tuple(to_3tuple(stride)), tuple(to_3tuple(padding))
        if any(s < 1 for s in stride) or any(not 0 <= p <= s for p, s in zip(padding, stride)):
            raise ValueError(f'need stride >= 1 and 0 <= padding <= stride, got stride '
                             f'{stride}, padding {padding}')
        super().__init__(in_channels, out_channels, tuple(2 * s for s in stride), stride,
                         padding, bias=bias)
        self.subpixel = subpixel

    def conv_transpose(self, x: Tensor, weight: Tensor) -> Tensor:
        """This layer's transposed convolution (stride, padding; no bias) with another
        kernel of the same size, e.g. one folded with a following linear layer.

        Args:
            x (Tensor): (N, C, t, h, w).
            weight (Tensor): (C, O', 2 st, 2 sh, 2 sw).

        Returns:
            Tensor: (N, O', (t + 1) st - 2 pt, (h + 1) sh - 2 ph, (w + 1) sw - 2 pw).
        """
        subpixel = x.device.type == 'cpu' if self.subpixel is None else self.subpixel
        if not subpixel:
            return F.conv_transpose3d(x, weight, stride=self.stride, padding=self.padding)
        return subpixel_conv_transpose3d(x, weight, self.stride, self.padding)

    def forward(self, x: Tensor) -> Tensor:  # noqa: D102 (the class docstring)
        y = self.conv_transpose(x, self.weight)
        if self.bias is not None:
            y = y + self.bias.view(1, -1, 1, 1, 1)
        return y

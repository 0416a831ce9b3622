"""Temporal shift modules run on the frames of a clip inside a 2D backbone (CPU and GPU).

Both take ``(B * T, C, H, W)`` features of ``B`` clips of ``T = clip_len`` frames (frame-major
within a clip) and return the same shape; both act on the first channels only.

* :class:`GateShift`: GSM (Sudhakaran et al., "Gate-Shift Networks for Video Action
  Recognition", CVPR 2020, https://arxiv.org/abs/1912.00381) with E2E-Spot's exact
  semantics (``model/impl/gsm.py``, ``model/shift.py``), so its checkpoints load.
* :class:`TemporalShift`: TSM (Lin et al., ICCV 2019), out-of-place, the shift of mmaction2's
  ``TemporalShift``.
"""
import math

import torch
from torch import Tensor, nn


def build_temporal_shift(kind: str, channels: int, clip_len: int) -> nn.Module:
    """``'gsm'``: :class:`GateShift` (n_div 4), ``'tsm'``: :class:`TemporalShift` (n_div 8),
    E2E-Spot's two choices."""
    if kind == 'gsm':
        return GateShift(channels, clip_len)
    if kind == 'tsm':
        return TemporalShift(channels, clip_len)
    raise ValueError(f"temporal shift must be 'gsm' or 'tsm', got {kind!r}")


def _check(x: Tensor, clip_len: int, who: str) -> int:
    if x.shape[0] % clip_len:
        raise ValueError(f'{who}: {x.shape[0]} frames is not a whole number of clips of '
                         f'{clip_len} frames (pad the clip to clip_len)')
    return x.shape[0] // clip_len


class GateShift(nn.Module):
    """Gate-shift on the first ``fold = ceil((C // n_div) / 4) * 4`` channels.

    On those channels, as clips ``(B, fold, T, H, W)``: a gate
    ``g = tanh(Conv3d(fold -> 2, 3x3x3, groups=2)(ReLU(BN3d(x))))`` (conv weight and bias
    zero-initialised: g = 0 at first); group 1 (the first ``fold / 2`` channels, gate 0) gives
    ``shift_left(g1 * x1) + (x1 - g1 * x1)``, where frame t receives frame t + 1 (zero after
    the last); group 2 (gate 1) the same shifted right (t receives t - 1, zero before the
    first). Each group's channels are then interleaved: new channel ``2 b + a`` is old channel
    ``a * fold / 4 + b`` (a in {0, 1}), so even with g = 0 the first ``fold`` channels are
    permuted (fold 8: [0, 2, 1, 3, 4, 6, 5, 7]), exactly as E2E-Spot does. The other channels
    pass unchanged.

    Args:
        channels (int): input channels C.
        clip_len (int): frames per clip T.
        n_div (int): Defaults to 4 (E2E-Spot).
    """

    def __init__(self, channels: int, clip_len: int, n_div: int = 4) -> None:
        super().__init__()
        self.channels, self.clip_len, self.n_div = channels, clip_len, n_div
        self.fold = int(math.ceil(channels // n_div / 4) * 4)
        if not 0 < self.fold <= channels:
            raise ValueError(f'GateShift: {channels} channels are too few for n_div={n_div}')
        self.conv3D = nn.Conv3d(self.fold, 2, (3, 3, 3), padding=(1, 1, 1), groups=2)
        self.bn = nn.BatchNorm3d(self.fold)
        # new channel 2 b + a of each half = old channel a * fold / 4 + b of that half
        q = self.fold // 4
        half = [a * q + bb for bb in range(q) for a in range(2)]
        self.register_buffer('interleave', torch.tensor(
            half + [self.fold // 2 + i for i in half]), persistent=False)
        nn.init.zeros_(self.conv3D.weight)
        nn.init.zeros_(self.conv3D.bias)

    def init_weights(self) -> None:
        """Keep the zero gate (mmengine's initialisation would otherwise redraw the conv)."""
        nn.init.zeros_(self.conv3D.weight)
        nn.init.zeros_(self.conv3D.bias)

    def _gate(self, xs: Tensor) -> Tensor:
        """``tanh(conv3D(relu(bn(x))))`` of (B, T, fold, H, W) frames -> (B, T, 2, H, W).

        BatchNorm3d over (B * T, fold, 1, H, W) has the statistics of (B, fold, T, H, W); the
        3x3x3 convolution is computed as one grouped 2D convolution giving, for each group,
        the contribution of each temporal tap, summed over the taps shifted in time (exactly
        the Conv3d with padding 1; several times faster on CPU than torch's Conv3d).
        """
        b, t, f, h, w = xs.shape
        z = torch.relu(self.bn(xs.reshape(b * t, f, 1, h, w))).view(b * t, f, h, w)
        weight = self.conv3D.weight  # [2, f / 2, 3 (time), 3, 3]
        taps = weight.permute(0, 2, 1, 3, 4).reshape(6, f // 2, 3, 3)  # [group x tap, ...]
        y = torch.nn.functional.conv2d(z, taps, padding=1, groups=2)  # [B * T, 6, H, W]
        y = y.view(b, t, 2, 3, h, w)
        zero = y.new_zeros(b, 1, 2, h, w)
        gate = (torch.cat([zero, y[:, :-1, :, 0]], 1) + y[:, :, :, 1] +
                torch.cat([y[:, 1:, :, 2], zero], 1))  # out[t] = sum_k w_k * in[t + k - 1]
        return torch.tanh(gate + self.conv3D.bias.view(1, 1, 2, 1, 1))

    def forward(self, x: Tensor) -> Tensor:
        """Args: x (Tensor): (B * T, C, H, W). Returns: Tensor of the same shape."""
        b = _check(x, self.clip_len, type(self).__name__)
        _, c, h, w = x.shape
        f, t = self.fold, self.clip_len
        xs = x[:, :f].reshape(b, t, f, h, w)  # [B, T, fold, H, W]
        gate = self._gate(xs)  # [B, T, 2, H, W]
        half = f // 2
        x1, x2 = xs[:, :, :half], xs[:, :, half:]
        y1, y2 = gate[:, :, :1] * x1, gate[:, :, 1:] * x2
        zero = y1.new_zeros(b, 1, half, h, w)
        y1 = torch.cat([y1[:, 1:], zero], 1) + (x1 - y1)  # t <- t + 1
        y2 = torch.cat([zero, y2[:, :-1]], 1) + (x2 - y2)  # t <- t - 1
        y = torch.cat([y1, y2], 2)[:, :, self.interleave]  # [B, T, fold, H, W]
        return torch.cat([y.reshape(b * t, f, h, w), x[:, f:]], 1)

    def extra_repr(self) -> str:
        return f'channels={self.channels}, fold={self.fold}, clip_len={self.clip_len}'


class TemporalShift(nn.Module):
    """TSM: the first ``C // n_div`` channels shifted left (frame t receives t + 1), the next
    ``C // n_div`` right (t receives t - 1), zeros at the clip ends, the rest unchanged
    (E2E-Spot's ``model/impl/tsm.py`` and mmaction2's ``TemporalShift.shift``). No parameters.

    Args:
        channels (int): input channels C.
        clip_len (int): frames per clip T.
        n_div (int): Defaults to 8 (E2E-Spot).
    """

    def __init__(self, channels: int, clip_len: int, n_div: int = 8) -> None:
        super().__init__()
        self.channels, self.clip_len, self.n_div = channels, clip_len, n_div
        self.fold = channels // n_div

    def forward(self, x: Tensor) -> Tensor:
        """Args: x (Tensor): (B * T, C, H, W). Returns: Tensor of the same shape."""
        b = _check(x, self.clip_len, type(self).__name__)
        _, c, h, w = x.shape
        f = self.fold
        v = x.view(b, self.clip_len, c, h, w)
        zero = v.new_zeros(b, 1, f, h, w)
        left = torch.cat([v[:, 1:, :f], zero], 1)
        right = torch.cat([zero, v[:, :-1, f:2 * f]], 1)
        return torch.cat([left, right, v[:, :, 2 * f:]], 2).view(b * self.clip_len, c, h, w)

    def extra_repr(self) -> str:
        return f'channels={self.channels}, fold={self.fold}, clip_len={self.clip_len}'

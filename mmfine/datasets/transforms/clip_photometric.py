"""Clip-consistent photometric augmentation (the same jitter and blur on every frame)."""
from typing import Dict, Sequence

import cv2
import numpy as np
from mmcv.transforms import BaseTransform

from mmfine.registry import TRANSFORMS


def _gray(x: np.ndarray) -> np.ndarray:
    """(..., 3) float RGB -> (..., 1) luma (ITU-R 601, as torchvision's rgb_to_grayscale)."""
    return (0.299 * x[..., 0] + 0.587 * x[..., 1] + 0.114 * x[..., 2])[..., None]


@TRANSFORMS.register_module()
class ClipPhotometric(BaseTransform):
    """E2E-Spot's training colour augmentation, one draw per clip (``same_transform``).

    In order, each applied with probability ``prob`` (E2E-Spot, ``dataset/frame.py``: 0.25
    each): hue shift by ``U(-hue, hue)`` of the colour circle, saturation, brightness and
    contrast factors ``U(*range)`` (blends with the grey image / black / the grey mean, as
    torchvision's ``ColorJitter``), Gaussian blur with kernel ``blur_kernel`` and sigma
    ``U(0.1, 2.0)``. Frames flagged invalid (``frame_valid`` False: padding) stay black.

    Required keys: ``imgs`` (list of (H, W, 3) uint8 RGB). Modified keys: ``imgs``.

    Args:
        prob (float): probability of each operation. Defaults to 0.25.
        hue (float): Defaults to 0.2.
        saturation (Sequence[float]): Defaults to (0.7, 1.2).
        brightness (Sequence[float]): Defaults to (0.7, 1.2).
        contrast (Sequence[float]): Defaults to (0.7, 1.2).
        blur_kernel (int): odd kernel size; 0 disables the blur. Defaults to 5.
    """

    def __init__(self, prob: float = 0.25, hue: float = 0.2,
                 saturation: Sequence[float] = (0.7, 1.2),
                 brightness: Sequence[float] = (0.7, 1.2),
                 contrast: Sequence[float] = (0.7, 1.2), blur_kernel: int = 5) -> None:
        if not 0 <= prob <= 1 or not 0 <= hue <= 0.5:
            raise ValueError(f'prob must be in [0, 1] and hue in [0, 0.5], got {prob}, {hue}')
        if blur_kernel and blur_kernel % 2 == 0:
            raise ValueError(f'blur_kernel must be odd, got {blur_kernel}')
        self.prob, self.hue = prob, hue
        self.saturation, self.brightness = tuple(saturation), tuple(brightness)
        self.contrast, self.blur_kernel = tuple(contrast), blur_kernel

    def transform(self, results: Dict) -> Dict:
        rnd = np.random
        x = np.stack(results['imgs']).astype(np.float32)  # [T, H, W, 3]
        if rnd.rand() < self.prob and self.hue > 0:
            shift = rnd.uniform(-self.hue, self.hue) * 180.0
            hsv = np.stack([cv2.cvtColor(f, cv2.COLOR_RGB2HSV)
                            for f in x.astype(np.uint8)]).astype(np.float32)
            hsv[..., 0] = np.mod(hsv[..., 0] + shift, 180.0)
            x = np.stack([cv2.cvtColor(f, cv2.COLOR_HSV2RGB)
                          for f in hsv.astype(np.uint8)]).astype(np.float32)
        if rnd.rand() < self.prob:
            f = rnd.uniform(*self.saturation)
            x = x * f + _gray(x) * (1 - f)
        if rnd.rand() < self.prob:
            x = x * rnd.uniform(*self.brightness)
        if rnd.rand() < self.prob:
            f = rnd.uniform(*self.contrast)
            x = x * f + _gray(x).mean(axis=(1, 2, 3), keepdims=True) * (1 - f)
        x = np.clip(x, 0, 255)
        if self.blur_kernel and rnd.rand() < self.prob:
            sigma = rnd.uniform(0.1, 2.0)
            k = self.blur_kernel
            x = np.stack([cv2.GaussianBlur(f, (k, k), sigma) for f in x])
        out = np.round(x).astype(np.uint8)
        valid = results.get('frame_valid')
        if valid is not None:
            out[~np.asarray(valid, bool)] = 0
        results['imgs'] = list(out)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(prob={self.prob}, hue={self.hue}, '
                f'saturation={self.saturation}, brightness={self.brightness}, '
                f'contrast={self.contrast}, blur_kernel={self.blur_kernel})')

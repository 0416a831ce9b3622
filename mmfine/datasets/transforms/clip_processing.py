"""Resize / flip / crop applied identically to a clip's frames and its per-frame masks."""
from typing import Dict, Sequence, Tuple, Union

import cv2
import numpy as np
from mmcv.transforms import BaseTransform

from mmfine.registry import TRANSFORMS

_INTERP = dict(bilinear=cv2.INTER_LINEAR, nearest=cv2.INTER_NEAREST, bicubic=cv2.INTER_CUBIC,
               area=cv2.INTER_AREA)


def _size(size: Union[int, Sequence[int]], name: str) -> Tuple[int, int]:
    w, h = (size, size) if isinstance(size, int) else tuple(size)
    if w <= 0 or h <= 0:
        raise ValueError(f'{name} must be positive, got {size}')
    return int(w), int(h)


def _check_masks(results: Dict, who: str) -> None:
    if 'masks' in results:
        shape = results['imgs'][0].shape[:2]
        if len(results['masks']) != len(results['imgs']) or any(
                m.shape[:2] != shape for m in results['masks']):
            raise ValueError(f'{who}: the masks of {results.get("video_id")} do not match its '
                             f'frames ({len(results["masks"])} masks, {len(results["imgs"])} '
                             f'frames of {shape})')


@TRANSFORMS.register_module()
class ClipResize(BaseTransform):
    """Resize every frame and mask to ``scale = (width, height)``.

    FineParser's release calls torch_videovision's ``Resize((200, 112))``, which swaps the
    tuple and produces frames **112 wide x 200 tall** (refs/fineparser_facts.md 1.4): its
    parity configs use ``scale=(112, 200)``; the intended 200 x 112 is ``scale=(200, 112)``.

    Required keys: ``imgs``; optional ``masks``. Modified keys: ``imgs``, ``masks``,
    ``img_shape``.

    Args:
        scale (int | Sequence[int]): (width, height).
        interpolation (str): ``'bilinear'`` (the release: its ``'nearest'`` name maps to PIL
            bilinear), ``'nearest'``, ``'bicubic'`` or ``'area'``; masks use the same.
            Defaults to ``'bilinear'``.
    """

    def __init__(self, scale: Union[int, Sequence[int]],
                 interpolation: str = 'bilinear') -> None:
        if interpolation not in _INTERP:
            raise ValueError(f'interpolation must be one of {sorted(_INTERP)}, got '
                             f'{interpolation!r}')
        self.scale = _size(scale, 'scale')
        self.interpolation = interpolation

    def transform(self, results: Dict) -> Dict:
        flag = _INTERP[self.interpolation]
        for key in ('imgs', 'masks'):
            if key in results:
                results[key] = [cv2.resize(x, self.scale, interpolation=flag)
                                for x in results[key]]
        results['img_shape'] = (self.scale[1], self.scale[0])
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(scale={self.scale}, '
                f'interpolation={self.interpolation!r})')


@TRANSFORMS.register_module()
class ClipFlip(BaseTransform):
    """Flip the whole clip (frames and masks) horizontally with probability ``flip_ratio``.

    Required keys: ``imgs``; optional ``masks``. Modified keys: ``imgs``, ``masks``. Added
    keys: ``flip`` (bool).

    Args:
        flip_ratio (float): Defaults to 0.5.
    """

    def __init__(self, flip_ratio: float = 0.5) -> None:
        if not 0 <= flip_ratio <= 1:
            raise ValueError(f'flip_ratio must be in [0, 1], got {flip_ratio}')
        self.flip_ratio = flip_ratio

    def transform(self, results: Dict) -> Dict:
        flip = bool(np.random.rand() < self.flip_ratio)
        if flip:
            for key in ('imgs', 'masks'):
                if key in results:
                    results[key] = [np.ascontiguousarray(x[:, ::-1]) for x in results[key]]
        results['flip'] = flip
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(flip_ratio={self.flip_ratio})'


@TRANSFORMS.register_module()
class ClipCrop(BaseTransform):
    """Crop the same ``size = (width, height)`` window from every frame and mask.

    ``random=True``: a uniformly random window (``randint(0, H - h)`` inclusive, as
    torch_videovision's ``RandomCrop``); else the centre one (``round((H - h) / 2)``, as its
    ``CenterCrop``).

    Required keys: ``imgs``; optional ``masks`` (the frames' size). Modified keys: ``imgs``,
    ``masks``, ``img_shape``. Added keys: ``crop_bbox`` (x1, y1, x2, y2).

    Args:
        size (int | Sequence[int]): (width, height) or one side.
        random (bool): Defaults to True.
    """

    def __init__(self, size: Union[int, Sequence[int]], random: bool = True) -> None:
        self.size = _size(size, 'size')
        self.random = random

    def transform(self, results: Dict) -> Dict:
        _check_masks(results, repr(self))
        h, w = results['imgs'][0].shape[:2]
        cw, ch = self.size
        if cw > w or ch > h:
            raise ValueError(f'{self!r}: the frames of {results.get("video_id")} are {w}x{h}, '
                             f'smaller than the crop')
        if self.random:
            x1, y1 = np.random.randint(0, w - cw + 1), np.random.randint(0, h - ch + 1)
        else:
            x1, y1 = int(round((w - cw) / 2)), int(round((h - ch) / 2))
        for key in ('imgs', 'masks'):
            if key in results:
                results[key] = [x[y1:y1 + ch, x1:x1 + cw] for x in results[key]]
        results['crop_bbox'] = np.array([x1, y1, x1 + cw, y1 + ch])
        results['img_shape'] = (ch, cw)
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(size={self.size}, random={self.random})'

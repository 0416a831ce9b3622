"""Spatial transforms that keep tube boxes consistent with the frames.

Every transform here modifies ``imgs`` (list of (H, W, 3) arrays) and ``img_shape`` and, when
present, ``gt_tube_boxes`` ((N, T, 4) float32 pixels) and ``gt_tube_valid`` ((N, T) bool): a box
that leaves the image entirely becomes invalid. Each also composes its pixel mapping into
``homography_matrix`` (3 x 3, decoded frame -> network input, as mmdet 3.x records it), so
predicted boxes go back to the video's pixels exactly, whatever the order of the transforms
(:func:`mmfine.models.heads.tube_boxes_to_pixels`).
"""
from typing import Dict, Optional, Sequence, Tuple, Union

import mmcv
import numpy as np
from mmcv.transforms import BaseTransform

from mmfine.registry import TRANSFORMS


def _record_homography(results: Dict, matrix: np.ndarray) -> None:
    """Compose ``matrix`` (3 x 3, this step's pixel mapping) after the steps so far."""
    before = results.get('homography_matrix', np.eye(3, dtype=np.float64))
    results['homography_matrix'] = np.asarray(matrix, np.float64) @ before


def crop_frames(imgs: Sequence[np.ndarray], x1: int, y1: int, x2: int, y2: int,
                pad_value: Union[int, Sequence[int]] = 0) -> list:
    """Crop every (H, W, C) frame to [x1, x2) x [y1, y2); parts outside the frame are
    ``pad_value`` (a scalar or one value per channel)."""
    out = []
    for img in imgs:
        h, w = img.shape[:2]
        sx1, sy1, sx2, sy2 = max(x1, 0), max(y1, 0), min(x2, w), min(y2, h)
        if (sx1, sy1, sx2, sy2) == (x1, y1, x2, y2):
            out.append(img[y1:y2, x1:x2])
            continue
        canvas = np.empty((y2 - y1, x2 - x1) + img.shape[2:], dtype=img.dtype)
        canvas[:] = pad_value
        if sx2 > sx1 and sy2 > sy1:
            canvas[sy1 - y1:sy2 - y1, sx1 - x1:sx2 - x1] = img[sy1:sy2, sx1:sx2]
        out.append(canvas)
    return out


def _crop_results(results: Dict, x1: int, y1: int, x2: int, y2: int) -> Dict:
    """Crop every frame to [x1, x2) x [y1, y2) (may exceed the image: zero padding)."""
    cw, ch = x2 - x1, y2 - y1
    results['imgs'] = crop_frames(results['imgs'], x1, y1, x2, y2)
    results['img_shape'] = (ch, cw)
    results['crop_bbox'] = np.array([x1, y1, x2, y2], dtype=np.int64)
    _record_homography(results, [[1, 0, -x1], [0, 1, -y1], [0, 0, 1]])
    if 'gt_tube_boxes' in results:
        boxes = results['gt_tube_boxes'] - np.array([x1, y1, x1, y1], dtype=np.float32)
        boxes[..., 0::2] = boxes[..., 0::2].clip(0, cw)
        boxes[..., 1::2] = boxes[..., 1::2].clip(0, ch)
        inside = (boxes[..., 2] > boxes[..., 0]) & (boxes[..., 3] > boxes[..., 1])
        results['gt_tube_valid'] = results['gt_tube_valid'] & inside
        boxes[~results['gt_tube_valid']] = 0
        results['gt_tube_boxes'] = boxes
    return results


@TRANSFORMS.register_module()
class TubeResize(BaseTransform):
    """Resize frames and tube boxes.

    Required keys: ``imgs``, ``img_shape``; optional ``gt_tube_boxes``.
    Modified keys: ``imgs``, ``img_shape``, ``gt_tube_boxes``, ``homography_matrix``. Added:
    ``scale_factor`` (w, h).

    Args:
        scale (int | tuple[int, int]): an int resizes the short side to it (keeping the aspect
            ratio); a tuple is ``(w, h)``: the exact size if ``keep_ratio`` is False, else the
            largest size that fits in it with the aspect ratio kept.
        keep_ratio (bool): see ``scale``. Defaults to True.
        interpolation (str): mmcv interpolation name. Defaults to 'bilinear'.
    """

    def __init__(self, scale: Union[int, Tuple[int, int]], keep_ratio: bool = True,
                 interpolation: str = 'bilinear') -> None:
        self.scale = scale
        self.keep_ratio = keep_ratio
        self.interpolation = interpolation

    def _target_size(self, h: int, w: int) -> Tuple[int, int]:
        if isinstance(self.scale, int):
            r = self.scale / min(h, w)
            return int(round(w * r)), int(round(h * r))
        if not self.keep_ratio:
            return tuple(self.scale)
        return mmcv.rescale_size((w, h), tuple(self.scale))

    def transform(self, results: Dict) -> Dict:
        h, w = results['img_shape']
        nw, nh = self._target_size(h, w)
        if (nw, nh) != (w, h):
            results['imgs'] = [
                mmcv.imresize(img, (nw, nh), interpolation=self.interpolation)
                for img in results['imgs']
            ]
        sf = np.array([nw / w, nh / h], dtype=np.float32)
        results['img_shape'] = (nh, nw)
        results['scale_factor'] = sf * results.get('scale_factor', np.ones(2, np.float32))
        _record_homography(results, [[nw / w, 0, 0], [0, nh / h, 0], [0, 0, 1]])
        if 'gt_tube_boxes' in results:
            results['gt_tube_boxes'] = results['gt_tube_boxes'] * np.tile(sf, 2)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(scale={self.scale}, keep_ratio={self.keep_ratio}, '
                f'interpolation={self.interpolation})')


@TRANSFORMS.register_module()
class TubeCenterCrop(BaseTransform):
    """Crop the centre ``crop_size`` region of every frame (tubes follow).

    Args:
        crop_size (int | tuple[int, int]): ``(w, h)`` or a square side.
    """

    def __init__(self, crop_size: Union[int, Tuple[int, int]]) -> None:
        self.crop_size = (crop_size, crop_size) if isinstance(crop_size, int) else crop_size

    def transform(self, results: Dict) -> Dict:
        h, w = results['img_shape']
        cw, ch = self.crop_size
        x1, y1 = (w - cw) // 2, (h - ch) // 2
        return _crop_results(results, x1, y1, x1 + cw, y1 + ch)

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(crop_size={self.crop_size})'


@TRANSFORMS.register_module()
class TubeRandomCrop(BaseTransform):
    """Crop a random ``crop_size`` region (the same for every frame; tubes follow).

    Args:
        crop_size (int | tuple[int, int]): ``(w, h)`` or a square side; must not exceed the frame.
    """

    def __init__(self, crop_size: Union[int, Tuple[int, int]]) -> None:
        self.crop_size = (crop_size, crop_size) if isinstance(crop_size, int) else crop_size

    def transform(self, results: Dict) -> Dict:
        h, w = results['img_shape']
        cw, ch = self.crop_size
        if cw > w or ch > h:
            raise ValueError(f'{self!r}: crop {cw}x{ch} larger than the {w}x{h} frames of '
                             f"{results.get('video_id')!r}")
        x1 = np.random.randint(0, w - cw + 1)
        y1 = np.random.randint(0, h - ch + 1)
        return _crop_results(results, x1, y1, x1 + cw, y1 + ch)

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(crop_size={self.crop_size})'


@TRANSFORMS.register_module()
class CropAroundTube(BaseTransform):
    """Crop around the target tube: the union of its boxes over the clip, enlarged.

    Used for actor-centric recognition (classify what the target does). Regions outside the
    frame are zero-padded, so the target stays centred.

    Required keys: ``imgs``, ``img_shape``, ``gt_tube_boxes``, ``gt_tube_valid``, ``target``.

    Args:
        scale (float): enlargement of the union box. Defaults to 1.5.
        square (bool): make the crop square (side = the longer side). Defaults to True.
        min_size (int): minimum crop side in pixels. Defaults to 16.
        scale_jitter (float): training augmentation: the crop side is multiplied by a factor
            drawn uniformly from ``[1 - scale_jitter, 1 + scale_jitter]``. Defaults to 0.
        shift_jitter (float): training augmentation: the crop centre moves by up to
            ``shift_jitter`` x the crop side in x and y. Defaults to 0.
    """

    def __init__(self, scale: float = 1.5, square: bool = True, min_size: int = 16,
                 scale_jitter: float = 0.0, shift_jitter: float = 0.0) -> None:
        if not 0 <= scale_jitter < 1 or shift_jitter < 0:
            raise ValueError('scale_jitter must be in [0, 1) and shift_jitter >= 0')
        self.scale = scale
        self.square = square
        self.min_size = min_size
        self.scale_jitter = scale_jitter
        self.shift_jitter = shift_jitter

    def transform(self, results: Dict) -> Dict:
        target = results.get('target', -1)
        if target is None or target < 0:
            raise ValueError(f"{self!r} needs a target tube; sample of {results.get('video_id')!r}"
                             ' has none (use sample_mode="tube")')
        valid = results['gt_tube_valid'][target]
        if not valid.any():
            raise ValueError(f"target tube of {results.get('video_id')!r} covers no clip frame")
        boxes = results['gt_tube_boxes'][target][valid]
        x1, y1 = boxes[:, 0].min(), boxes[:, 1].min()
        x2, y2 = boxes[:, 2].max(), boxes[:, 3].max()
        cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
        bw = max((x2 - x1) * self.scale, self.min_size)
        bh = max((y2 - y1) * self.scale, self.min_size)
        if self.square:
            bw = bh = max(bw, bh)
        if self.scale_jitter:
            f = np.random.uniform(1 - self.scale_jitter, 1 + self.scale_jitter)
            bw, bh = bw * f, bh * f
        if self.shift_jitter:
            cx += np.random.uniform(-self.shift_jitter, self.shift_jitter) * bw
            cy += np.random.uniform(-self.shift_jitter, self.shift_jitter) * bh
        cx1, cy1 = int(np.floor(cx - bw / 2)), int(np.floor(cy - bh / 2))
        return _crop_results(results, cx1, cy1, cx1 + int(np.ceil(bw)), cy1 + int(np.ceil(bh)))

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(scale={self.scale}, square={self.square}, '
                f'min_size={self.min_size}, scale_jitter={self.scale_jitter}, '
                f'shift_jitter={self.shift_jitter})')


@TRANSFORMS.register_module()
class TubeFlip(BaseTransform):
    """Horizontal flip of frames and tubes, with optional label swapping.

    Fine-grained classes can be direction-sensitive (``drive left`` vs ``drive right``):
    ``flip_label_map`` maps such label ids to their mirrored counterpart (applied to ``label``
    and ``gt_tube_labels``; give both directions).

    Added keys: ``flip`` (bool); modified: ``homography_matrix`` when flipped.

    Args:
        flip_ratio (float): probability of flipping. Defaults to 0.5.
        flip_label_map (dict[int, int], optional): label id -> mirrored label id.
    """

    def __init__(self, flip_ratio: float = 0.5,
                 flip_label_map: Optional[Dict[int, int]] = None) -> None:
        self.flip_ratio = flip_ratio
        self.flip_label_map = dict(flip_label_map or {})

    def _map(self, labels: Union[int, Sequence[int], np.ndarray]):
        if np.ndim(labels) == 0:
            return self.flip_label_map.get(int(labels), int(labels))
        return np.array([self.flip_label_map.get(int(v), int(v)) for v in labels],
                        dtype=np.int64)

    def transform(self, results: Dict) -> Dict:
        flip = bool(np.random.rand() < self.flip_ratio)
        results['flip'] = flip
        if not flip:
            return results
        w = results['img_shape'][1]
        results['imgs'] = [np.ascontiguousarray(img[:, ::-1]) for img in results['imgs']]
        _record_homography(results, [[-1, 0, w], [0, 1, 0], [0, 0, 1]])
        if 'gt_tube_boxes' in results:
            boxes = results['gt_tube_boxes'].copy()
            boxes[..., 0] = w - results['gt_tube_boxes'][..., 2]
            boxes[..., 2] = w - results['gt_tube_boxes'][..., 0]
            boxes[~results['gt_tube_valid']] = 0
            results['gt_tube_boxes'] = boxes
        if self.flip_label_map:
            if results.get('label', -1) >= 0:
                results['label'] = self._map(results['label'])
            if 'gt_tube_labels' in results:
                results['gt_tube_labels'] = self._map(results['gt_tube_labels'])
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(flip_ratio={self.flip_ratio}, '
                f'flip_label_map={self.flip_label_map})')

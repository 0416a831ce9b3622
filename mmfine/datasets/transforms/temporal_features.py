"""Loading and resizing pre-extracted temporal feature sequences."""
from typing import Dict

import numpy as np
import torch
import torch.nn.functional as F
from mmcv.transforms import BaseTransform

from mmfine.registry import TRANSFORMS


@TRANSFORMS.register_module()
class LoadTemporalFeature(BaseTransform):
    """Load a video's feature sequence.

    Required keys: ``feature_path`` (``.npy`` holding (T, C), or mmaction2's ``.csv``: a header
    line then T rows of C values). Added keys: ``feature`` (C, T) float32, ``feature_len`` (T).

    Args:
        channels_last (bool): the file holds (T, C) (the FineAction / mmaction2 layout); False
            for (C, T). Defaults to True.
    """

    def __init__(self, channels_last: bool = True) -> None:
        self.channels_last = channels_last

    def transform(self, results: Dict) -> Dict:
        path = results['feature_path']
        try:
            if path.endswith('.csv'):
                feat = np.loadtxt(path, delimiter=',', skiprows=1, dtype=np.float32, ndmin=2)
            else:
                feat = np.load(path).astype(np.float32, copy=False)
        except (OSError, ValueError) as e:  # UnicodeDecodeError too (a non-UTF-8 csv)
            msg = (f'cannot read the features of {results.get("video_name")!r} from {path}: '
                   f'{type(e).__name__}: {e}')
            if isinstance(e, FileNotFoundError):
                raise FileNotFoundError(msg) from e
            raise ValueError(msg) from e
        if feat.ndim != 2 or min(feat.shape) == 0:
            raise ValueError(f'{path}: features must be a non-empty 2-d array, got shape '
                             f'{feat.shape}')
        feat = feat.T if self.channels_last else feat  # [C, T]
        if not np.isfinite(feat).all():
            raise ValueError(f'{path}: features contain NaN or inf')
        results['feature'] = np.ascontiguousarray(feat)
        results['feature_len'] = feat.shape[1]
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(channels_last={self.channels_last})'


@TRANSFORMS.register_module()
class RescaleTemporalFeature(BaseTransform):
    """Resize the feature sequence to a fixed length by linear interpolation (FineAction and
    BMN: L = 100), ``F.interpolate(mode='linear', align_corners=False)``.

    Required keys: ``feature`` (C, T). Modified: ``feature`` (C, L), ``feature_len`` (L).
    Ground-truth segments stay in seconds (the model normalises them by ``duration``).

    Args:
        length (int): L. Defaults to 100.
    """

    def __init__(self, length: int = 100) -> None:
        if length < 2:
            raise ValueError(f'length must be >= 2, got {length}')
        self.length = length

    def transform(self, results: Dict) -> Dict:
        feat = torch.from_numpy(np.asarray(results['feature'], np.float32))[None]  # [1, C, T]
        feat = F.interpolate(feat, size=self.length, mode='linear', align_corners=False)
        results['feature'] = feat[0].numpy()
        results['feature_len'] = self.length
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(length={self.length})'


@TRANSFORMS.register_module()
class CropTemporalFeature(BaseTransform):
    """Keep at most ``max_len`` steps (the variable-length alternative to rescaling: longer
    sequences are cut, at a random window in training, and padded in the data preprocessor).

    Required keys: ``feature`` (C, T), ``duration``, ``gt_segments`` (N, 2) seconds. Modified:
    ``feature``, ``feature_len``, ``duration`` (of the kept window), ``gt_segments`` /
    ``gt_labels`` (shifted, clipped to the window, segments left with nothing dropped).

    Args:
        max_len (int): Defaults to 256.
        random (bool): random window (training) or the first one. Defaults to True.
    """

    def __init__(self, max_len: int = 256, random: bool = True) -> None:
        self.max_len = max_len
        self.random = random

    def transform(self, results: Dict) -> Dict:
        feat = results['feature']
        T = feat.shape[1]
        if T <= self.max_len:
            return results
        start = int(np.random.randint(0, T - self.max_len + 1)) if self.random else 0
        sec_per_step = results['duration'] / T
        t0, t1 = start * sec_per_step, (start + self.max_len) * sec_per_step
        results['feature'] = np.ascontiguousarray(feat[:, start:start + self.max_len])
        results['feature_len'] = self.max_len
        results['duration'] = t1 - t0
        segs = np.asarray(results.get('gt_segments', np.zeros((0, 2))), np.float32)
        segs = np.clip(segs - t0, 0, t1 - t0)
        keep = segs[:, 1] > segs[:, 0]
        results['gt_segments'] = segs[keep]
        if 'gt_labels' in results:
            results['gt_labels'] = np.asarray(results['gt_labels'])[keep]
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(max_len={self.max_len}, random={self.random})'

"""Reader and validator for ACT-format spatio-temporal ground truth pickles.

The ACT / JHMDB / MultiSports / FineSports ground truth is one pickle::

    {
        'labels': ['BallDelivered', ...],                 # class names, index = label id
        'train_videos': [['BallDelivered/00002_1', ...]],  # optional (absent in test-only files)
        'test_videos': [['...', ...]],
        'nframes': {video_id: int},
        'resolution': {video_id: (height, width)},
        'gttubes': {video_id: {label_id: [ndarray (n, 5): frame, x1, y1, x2, y2], ...}},
    }

Frame numbers are 1-based (frame ``f`` is ``{f:05d}.jpg`` in a frame folder and decoded index
``f - 1`` in a video file); boxes are in pixels of the ``resolution`` frame.
"""
import os.path as osp
from typing import Dict, List

import numpy as np

from mmfine.fileio import UnsafePickleError, safe_pickle_load

REQUIRED_KEYS = ('labels', 'nframes', 'resolution', 'gttubes')


class ACTFormatError(ValueError):
    """Malformed ACT-format ground truth (message names the file and the key)."""


def load_act_gt(path: str) -> dict:
    """Load and validate an ACT-format ground truth pickle.

    Args:
        path (str): path of the pickle (e.g. ``FineSports-GT.pkl``).

    Returns:
        dict: the pickle content with every tube as a float32 ndarray of shape (n, 5), sorted by
        frame.

    Raises:
        FileNotFoundError: the file does not exist.
        UnsafePickleError: the pickle names a global other than numpy arrays / builtins
            (:func:`mmfine.fileio.safe_pickle_load`); nothing of it was run.
        ACTFormatError: a key is missing or a tube is malformed (frames outside ``[1, nframes]``,
            duplicate frames, boxes with x2 < x1 or y2 < y1, unknown label ids).
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'ACT ground truth file not found: {path}')
    try:  # restricted: a crafted file is refused before anything of it runs
        gt = safe_pickle_load(path, encoding='latin1')
    except UnsafePickleError:
        raise
    except Exception as e:  # noqa: BLE001 (any unpickling failure means a malformed file)
        raise ACTFormatError(f'{path}: cannot unpickle ACT ground truth ({e!r})') from e
    if not isinstance(gt, dict):
        raise ACTFormatError(f'{path}: expected a dict, got {type(gt).__name__}')
    for key in REQUIRED_KEYS:
        if key not in gt:
            raise ACTFormatError(f'{path}: missing key {key!r} (has {sorted(gt)})')
    for key in ('train_videos', 'test_videos', 'val_videos'):
        if key in gt and (not isinstance(gt[key], (list, tuple)) or len(gt[key]) == 0):
            raise ACTFormatError(f'{path}: {key!r} must be a list of video-id lists '
                                 '(split 0 first)')
    num_labels = len(gt['labels'])
    for vid, tubes_by_label in gt['gttubes'].items():
        if vid not in gt['nframes']:
            raise ACTFormatError(f"{path}: gttubes[{vid!r}] has no entry in 'nframes'")
        if vid not in gt['resolution']:
            raise ACTFormatError(f"{path}: gttubes[{vid!r}] has no entry in 'resolution'")
        nframes = int(gt['nframes'][vid])
        for label, tubes in tubes_by_label.items():
            if not 0 <= int(label) < num_labels:
                raise ACTFormatError(f'{path}: gttubes[{vid!r}] has label {label} outside '
                                     f"[0, {num_labels}) of 'labels'")
            checked = []
            for k, tube in enumerate(tubes):
                where = f'{path}: gttubes[{vid!r}][{label}][{k}]'
                tube = np.asarray(tube, dtype=np.float32)
                if tube.ndim != 2 or tube.shape[1] != 5 or len(tube) == 0:
                    raise ACTFormatError(f'{where} must be a non-empty (n, 5) array of '
                                         f'[frame, x1, y1, x2, y2], got shape {tube.shape}')
                tube = tube[np.argsort(tube[:, 0], kind='stable')]
                frames = tube[:, 0]
                if frames.min() < 1 or frames.max() > nframes:
                    raise ACTFormatError(
                        f'{where} has frames [{int(frames.min())}, {int(frames.max())}] outside '
                        f"[1, nframes={nframes}] ('nframes'[{vid!r}])")
                if len(np.unique(frames)) != len(frames):
                    raise ACTFormatError(f'{where} has duplicate frame numbers')
                if np.any(tube[:, 3] < tube[:, 1]) or np.any(tube[:, 4] < tube[:, 2]):
                    raise ACTFormatError(f'{where} has boxes with x2 < x1 or y2 < y1')
                checked.append(tube)
            tubes_by_label[label] = checked
    return gt


def split_videos(gt: dict, split: str, path: str = '<gt>') -> List[str]:
    """Video ids of split 0 (``'train'`` or ``'test'``)."""
    key = f'{split}_videos'
    if key not in gt:
        hint = (" (the FineSports release has no validation split; synthetic data written "
                "before the generator had one: regenerate it with tools/data/finesports/"
                "generate_synthetic_finesports.py)") if split == 'val' else ''
        raise ACTFormatError(f'{path}: no {key!r} key (available: '
                             f"{[k for k in gt if k.endswith('_videos')]}){hint}")
    return list(gt[key][0])


def video_tubes(gt: dict, vid: str) -> List[Dict]:
    """Tubes of one video as ``[{'label': int, 'boxes': (n, 5) float32}]`` (label order)."""
    tubes = []
    for label in sorted(gt['gttubes'].get(vid, {})):
        for tube in gt['gttubes'][vid][label]:
            tubes.append(dict(label=int(label), boxes=np.asarray(tube, dtype=np.float32)))
    return tubes

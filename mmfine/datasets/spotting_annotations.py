"""E2E-Spot label files: ``class.txt`` and ``{split}.json``, read and checked.

The format (jhong93/spot, README "Using your own data"; used for FineDiving, FineGym and
SoccerNet-v2)::

    class.txt:   one class name per line; class ids are 1-based in file order, 0 = background
    split.json:  [{"video": "01__10", "num_frames": 111, "fps": -1 | 25.0, "width": 455,
                   "height": 256, "num_events": 2,
                   "events": [{"frame": 23, "label": "Som(s).Tuck", "comment": "..."}, ...]},
                  ...]

FineDiving's entries have ``fps = -1`` (never divide by it). Every error names the file, the
video and the field.
"""
import json
import os.path as osp
from typing import Dict, List, Sequence

import numpy as np


class SpottingAnnotationError(ValueError):
    """A malformed E2E-Spot label file (message: file, video, field)."""


def load_spotting_classes(path: str) -> List[str]:
    """Class names of ``class.txt`` (id = position + 1; 0 is the background).

    Raises:
        FileNotFoundError: no such file.
        SpottingAnnotationError: no class, or a repeated name.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'spotting class file not found: {path}')
    with open(path, encoding='utf-8') as f:
        names = [line.strip() for line in f if line.strip()]
    if not names:
        raise SpottingAnnotationError(f'{path}: no class name')
    seen = set()
    for n in names:
        if n in seen:
            raise SpottingAnnotationError(f'{path}: class {n!r} is listed twice')
        seen.add(n)
    return names


def load_spotting_json(path: str, classes: Sequence[str]) -> List[Dict]:
    """The videos of an E2E-Spot label json, checked.

    Args:
        path (str): ``{split}.json``.
        classes (Sequence[str]): the names of ``class.txt``.

    Returns:
        list[dict]: per video ``video`` (str), ``num_frames`` (int), ``fps`` (float; -1 when
        unknown), ``width``, ``height`` (int or None), ``event_frames`` (n,) int64 sorted,
        ``event_labels`` (n,) int64 class ids (1-based), ``event_comments`` (list[str]) and
        ``source_info`` (dict).

    Raises:
        FileNotFoundError: no such file.
        SpottingAnnotationError: not a json list of objects, a missing or ill-typed field,
            a repeated video, an unknown label or an event outside the video.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'spotting label file not found: {path}')
    try:
        with open(path, encoding='utf-8') as f:
            data = json.load(f)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise SpottingAnnotationError(f'{path}: not a valid json file ({e})') from None
    if not isinstance(data, list):
        raise SpottingAnnotationError(f'{path}: expected a list of videos, got '
                                      f'{type(data).__name__}')
    index = {c: i + 1 for i, c in enumerate(classes)}
    videos, seen = [], set()
    for i, item in enumerate(data):
        where = f'{path}: entry {i}'
        if not isinstance(item, dict):
            raise SpottingAnnotationError(f'{where} is not an object')
        for key in ('video', 'num_frames', 'events'):
            if key not in item:
                raise SpottingAnnotationError(f'{where} has no field {key!r}')
        vid = item['video']
        if not isinstance(vid, str) or not vid:
            raise SpottingAnnotationError(f"{where}: field 'video' must be a non-empty string")
        where = f'{path}: video {vid!r}'
        if vid in seen:
            raise SpottingAnnotationError(f'{where} is listed twice')
        seen.add(vid)
        n = item['num_frames']
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise SpottingAnnotationError(f"{where}: field 'num_frames' must be a positive "
                                          f'integer, got {n!r}')
        fps = item.get('fps', -1)
        if isinstance(fps, bool) or not isinstance(fps, (int, float)):
            raise SpottingAnnotationError(f"{where}: field 'fps' must be a number, got {fps!r}")
        if not isinstance(item['events'], list):
            raise SpottingAnnotationError(f"{where}: field 'events' must be a list")
        frames, labels, comments = [], [], []
        for j, e in enumerate(item['events']):
            ew = f'{where}: events[{j}]'
            if not isinstance(e, dict) or 'frame' not in e or 'label' not in e:
                raise SpottingAnnotationError(f"{ew} needs the fields 'frame' and 'label'")
            fr = e['frame']
            if isinstance(fr, bool) or not isinstance(fr, int):
                raise SpottingAnnotationError(f"{ew}: field 'frame' must be an integer, "
                                              f'got {fr!r}')
            if not 0 <= fr < n:
                raise SpottingAnnotationError(f"{ew}: frame {fr} is outside the video "
                                              f'(num_frames={n})')
            if e['label'] not in index:
                raise SpottingAnnotationError(f"{ew}: label {e['label']!r} is not in the "
                                              f'class file ({len(classes)} classes)')
            frames.append(fr)
            labels.append(index[e['label']])
            comments.append(str(e.get('comment', '')))
        order = np.argsort(np.asarray(frames, np.int64), kind='stable')
        videos.append(dict(
            video=vid, num_frames=n, fps=float(fps), width=item.get('width'),
            height=item.get('height'),
            event_frames=np.asarray(frames, np.int64)[order],
            event_labels=np.asarray(labels, np.int64)[order],
            event_comments=[comments[k] for k in order],
            source_info=dict(item.get('_source_info') or {})))
    return videos


def clip_frame_labels(event_frames: np.ndarray, event_labels: np.ndarray, start: int,
                      clip_len: int, dilate: int = 0) -> np.ndarray:
    """Per-frame class ids of the clip ``[start, start + clip_len)`` (E2E-Spot's labels).

    An event at frame f labels clip index ``f - start`` and, with ``dilate`` d, the indices
    ``[f - start - d, f - start + d]`` inside the clip (later events overwrite earlier ones,
    as the release); every other index is background (0). ``start`` may be negative
    (padding before the video).

    Args:
        event_frames (np.ndarray): (n,) int frames.
        event_labels (np.ndarray): (n,) int class ids (1-based).
        start (int): first frame of the clip.
        clip_len (int): frames in the clip.
        dilate (int): label dilation half-width. Defaults to 0.

    Returns:
        np.ndarray: (clip_len,) int64.
    """
    labels = np.zeros(clip_len, np.int64)
    for f, c in zip(np.asarray(event_frames).tolist(), np.asarray(event_labels).tolist()):
        idx = int(f) - int(start)
        lo, hi = max(idx - dilate, 0), min(idx + dilate + 1, clip_len)
        if lo < hi:
            labels[lo:hi] = c
    return labels

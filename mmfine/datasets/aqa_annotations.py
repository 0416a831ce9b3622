"""Readers of the FineDiving / MTL-AQA annotation pickles and the step-transition rule.

The pickles come from e-mail-gated downloads and mirrors: every file is read with
:func:`mmfine.fileio.safe_pickle_load` (numpy arrays and builtins only), and each entry is
checked, with errors naming the file and the key.
"""
import os.path as osp
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

from mmfine.fileio import safe_pickle_load

#: a FineDiving key: (video name, clip index), e.g. ('FINADivingWorldCup2021_Men3m_final_r1', 0)
AQAKey = Tuple[str, int]


def _load(path: str, what: str):
    if not osp.isfile(path):
        raise FileNotFoundError(f'{what} not found: {path}')
    return safe_pickle_load(path)


def normalize_key(key, source: str) -> AQAKey:
    """``(video, clip)`` with ``video`` a str and ``clip`` an int (pickles hold numpy ints)."""
    if not isinstance(key, (tuple, list)) or len(key) != 2:
        raise ValueError(f'{source}: key {key!r} is not a (video, clip) pair')
    video, clip = key
    try:
        return str(video), int(clip)
    except (TypeError, ValueError) as e:
        raise ValueError(f'{source}: key {key!r}: the clip index is not an integer') from e


def load_split(path: str, key_fn: Optional[Callable] = None) -> List[AQAKey]:
    """Keys of a split pickle (``train_split.pkl`` / ``test_split.pkl``: a list of keys),
    each through ``key_fn(key, path)`` (default :func:`normalize_key`)."""
    keys = _load(path, 'split file')
    if not isinstance(keys, (list, tuple)):
        raise ValueError(f'{path}: a split file must hold a list of (video, clip) keys, got '
                         f'{type(keys).__name__}')
    out = [(key_fn or normalize_key)(k, path) for k in keys]
    if len(set(out)) != len(out):
        dup = next(k for k in out if out.count(k) > 1)
        raise ValueError(f'{path}: key {dup!r} is listed twice')
    return out


def load_finediving_annotations(path: str) -> Dict[AQAKey, dict]:
    """``fine-grained_annotation_aqa.pkl``: key -> [dive number, score, difficulty,
    steps_transit_frames, frames_labels].

    ``steps_transit_frames`` is not used (225 of the 3000 real entries contradict the frame
    labels, see ``shared/data/finediving_aqa/PROVENANCE.md``): transitions come from the
    frame labels (:func:`release_transitions`).

    Returns:
        dict: key -> ``dict(dive_number=str (lower case), score=float, difficulty=float,
        frames_labels=int64 ndarray (n,))``.
    """
    raw = _load(path, 'FineDiving annotation file')
    if not isinstance(raw, dict):
        raise ValueError(f'{path}: expected a dict keyed by (video, clip), got '
                         f'{type(raw).__name__}')
    out = {}
    for key, value in raw.items():
        k = normalize_key(key, path)
        if not isinstance(value, (list, tuple)) or len(value) < 5:
            raise ValueError(f'{path}: entry {k!r} must be [dive number, score, difficulty, '
                             f'steps_transit_frames, frames_labels], got {value!r:.200}')
        labels = np.asarray(value[4])
        if labels.ndim != 1 or len(labels) < 2 or not np.issubdtype(labels.dtype, np.integer):
            raise ValueError(f'{path}: entry {k!r}: frames_labels (field 4) must be a 1-D '
                             f'integer array of at least 2 frames, got {labels.dtype} '
                             f'{labels.shape}')
        try:
            score, difficulty = float(value[1]), float(value[2])
        except (TypeError, ValueError) as e:
            raise ValueError(f'{path}: entry {k!r}: score (field 1) and difficulty (field 2) '
                             f'must be numbers, got {value[1]!r}, {value[2]!r}') from e
        if not (np.isfinite(score) and np.isfinite(difficulty)):
            raise ValueError(f'{path}: entry {k!r}: score / difficulty not finite')
        out[k] = dict(dive_number=str(value[0]).lower(), score=score, difficulty=difficulty,
                      frames_labels=labels.astype(np.int64))
    return out


def load_coarse_frames(path: str) -> Dict[AQAKey, Tuple[int, int]]:
    """``FineDiving_coarse_annotation.pkl``: key -> (start_frame, end_frame), the inclusive
    absolute frame numbers of the trimmed clip in the untrimmed video (the names of its
    first and last jpg)."""
    raw = _load(path, 'FineDiving coarse annotation file')
    if not isinstance(raw, dict):
        raise ValueError(f'{path}: expected a dict keyed by (video, clip)')
    out = {}
    for key, value in raw.items():
        k = normalize_key(key, path)
        try:
            out[k] = (int(value['start_frame']), int(value['end_frame']))
        except (KeyError, TypeError, ValueError) as e:
            raise ValueError(f'{path}: entry {k!r} needs integer start_frame / end_frame') from e
    return out


def release_transitions(labels: Sequence[int], source: str = '') -> Tuple[int, int]:
    """The two step transitions of a dive from its per-frame sub-action labels.

    The FineParser / TSA release rule (``datasets/FineDiving_Pair.py``): the labels' categories
    in order of first appearance; ``t1`` = index of the first frame of the second category
    (the first flight frame), ``t2`` = index of the first frame of the last category (the
    first entry frame). Flights of several sub-actions are one middle step (the author's answer
    in xujinglin/FineDiving#5). On the 3000 real clips sampled to 96 frames this equals "start
    of the second run / start of the last run" except for one clip, where a lone 37 label
    inside the entry run makes the run rule 3 frames later.

    Args:
        labels (Sequence[int]): (T,) sub-action id per (sampled) frame.
        source (str): named in the error message (file and key).

    Returns:
        tuple[int, int]: ``(t1, t2)`` with ``0 < t1 < t2 < T``.

    Raises:
        ValueError: fewer than 3 categories (a step is missing from the frames).
    """
    seen, firsts = set(), []
    for i, c in enumerate(np.asarray(labels).tolist()):
        if c not in seen:
            seen.add(c)
            firsts.append(i)
    if len(firsts) < 3:
        raise ValueError(f'{source}: the frame labels {np.asarray(labels).tolist()} hold '
                         f'{len(firsts)} step(s); 3 (take-off, flight, entry) are needed for '
                         'the two transitions')
    return firsts[1], firsts[-1]


def mtl_aqa_key(key, source: str) -> AQAKey:
    """An MTL-AQA key ``(video_id: int, clip: int)`` as the FineDiving key of the same dive:
    ``(f'{video_id:02d}', clip)`` (1369 of the 1412 MTL-AQA clips are FineDiving clips under
    that key, ``shared/data/finediving_aqa/PROVENANCE.md``)."""
    if not isinstance(key, (tuple, list)) or len(key) != 2:
        raise ValueError(f'{source}: key {key!r} is not a (video_id, clip) pair')
    video, clip = key
    try:
        video = int(video)
        clip = int(clip)
    except (TypeError, ValueError) as e:
        raise ValueError(f'{source}: key {key!r}: MTL-AQA keys are (int video id, int clip)') \
            from e
    return f'{video:02d}', clip


def load_mtl_aqa_split(path: str) -> List[AQAKey]:
    """Keys of an MTL-AQA split pickle (CoRe's ``train_split_0.pkl`` / ``test_split_0.pkl``: a
    list of ``(int, int)``) as ``('%02d', clip)`` keys."""
    return load_split(path, mtl_aqa_key)


def load_mtl_aqa_annotations(path: str) -> Dict[AQAKey, dict]:
    """CoRe's ``final_annotations_dict_with_dive_number.pkl``: ``{(video_id, clip): {...,
    'start_frame', 'end_frame', 'difficulty', 'final_score', 'dive_number', ...}}``.

    Returns:
        dict: ``('%02d', clip)`` -> ``dict(dive_number=str (lower case), score=float
        (final_score), difficulty=float, start_frame=int, end_frame=int)``; ``end_frame`` is
        the 0-based position, in the video folder's sorted frame list, one past the clip's
        103-frame window (CoRe ``datasets/MTLPair.py``: frames ``end - 103 .. end - 1``).
    """
    raw = _load(path, 'MTL-AQA annotation file')
    if not isinstance(raw, dict):
        raise ValueError(f'{path}: expected a dict keyed by (video_id, clip), got '
                         f'{type(raw).__name__}')
    out = {}
    for key, value in raw.items():
        k = mtl_aqa_key(key, path)
        if not isinstance(value, dict):
            raise ValueError(f'{path}: entry {key!r} must be a dict, got {type(value).__name__}')
        for field in ('final_score', 'difficulty', 'end_frame', 'dive_number'):
            if field not in value:
                raise ValueError(f'{path}: entry {key!r} has no {field!r} field')
        try:
            score, difficulty = float(value['final_score']), float(value['difficulty'])
            start, end = int(value.get('start_frame', value['end_frame'])), \
                int(value['end_frame'])
        except (TypeError, ValueError) as e:
            raise ValueError(f'{path}: entry {key!r}: final_score / difficulty / start_frame '
                             '/ end_frame must be numbers') from e
        if not (np.isfinite(score) and np.isfinite(difficulty)):
            raise ValueError(f'{path}: entry {key!r}: final_score / difficulty not finite')
        out[k] = dict(dive_number=str(value['dive_number']).lower(), score=score,
                      difficulty=difficulty, start_frame=start, end_frame=end)
    return out

"""SoccerNet-v2 action-spotting predictions in the official layout, written and read back.

One file per game, ``<out>/<league>/<season>/<game>/results_spotting.json``::

    {"UrlLocal": "<league>/<season>/<game>",
     "predictions": [{"gameTime": "1 - 05:12", "label": "Goal", "half": "1",
                      "position": "312480", "confidence": "0.93"}, ...]}

(E2E-Spot's ``eval_soccernetv2.py``: ``position = int(frame / fps * 1000)`` ms with the
half's own fps.) The official evaluator rasterises predictions at 2 fps and a later
prediction in the same 0.5 s cell silently overwrites an earlier one
(``SoccerNet/Evaluation/ActionSpotting.py``); frames at 2.083 fps collide in a cell now and
then, so :func:`soccernet_predictions` keeps the highest-confidence prediction of each
(half, class, cell).
"""
import json
import os
import os.path as osp
from typing import Dict, List, Sequence

import numpy as np


def soccernet_predictions(frames: Sequence[int], labels: Sequence[int], scores: Sequence[float],
                          fps: float, half: int, classes: Sequence[str],
                          framerate: int = 2) -> List[Dict]:
    """One half's events as SoccerNet predictions, the best of each evaluator cell kept.

    Args:
        frames (Sequence[int]): event frames of the half's video.
        labels (Sequence[int]): class indices into ``classes``.
        scores (Sequence[float]): confidences in [0, 1].
        fps (float): the half's frame rate (``fps.txt``; 2.083 for E2E-Spot's frames).
        half (int): 1 or 2.
        classes (Sequence[str]): class names.
        framerate (int): the evaluator's raster rate. Defaults to 2.

    Returns:
        list[dict]: predictions in the official layout, ordered by position then label.
    """
    if not fps or fps <= 0:
        raise ValueError(f'SoccerNet export needs the half fps (got {fps!r})')
    if half not in (1, 2):
        raise ValueError(f'half must be 1 or 2, got {half!r}')
    best = {}
    for f, k, s in zip(np.asarray(frames).tolist(), np.asarray(labels).tolist(),
                       np.asarray(scores, np.float64).tolist()):
        pos = int(f / fps * 1000)
        key = (int(k), int(framerate * (pos / 1000)))
        if key not in best or s > best[key][1]:
            best[key] = (pos, s)
    out = []
    for (k, _), (pos, s) in sorted(best.items(), key=lambda kv: (kv[1][0], kv[0][0])):
        secs = pos // 1000
        out.append({'gameTime': f'{half} - {secs // 60:02d}:{secs % 60:02d}',
                    'label': classes[k], 'half': str(half), 'position': str(pos),
                    'confidence': str(float(s))})
    return out


def write_results_spotting(out_dir: str, game: str, predictions: List[Dict]) -> str:
    """Write ``<out_dir>/<game>/results_spotting.json``; returns its path."""
    path = osp.join(out_dir, game, 'results_spotting.json')
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        json.dump({'UrlLocal': game, 'predictions': predictions}, f, indent=1)
    return path


def read_results_spotting(path: str, game: str = None) -> List[Dict]:
    """Predictions of a ``results_spotting.json`` as :func:`soccernet_average_map` takes them
    (``game``, ``half``, ``position_ms``, ``label``, ``confidence``).

    Raises:
        ValueError: a missing field (naming the file and the prediction).
    """
    with open(path) as f:
        data = json.load(f)
    game = game or data.get('UrlLocal')
    out = []
    for i, p in enumerate(data.get('predictions', [])):
        missing = [k for k in ('label', 'half', 'position', 'confidence') if k not in p]
        if missing:
            raise ValueError(f'{path}: prediction {i} has no {missing[0]!r}')
        out.append(dict(game=game, half=int(p['half']), position_ms=int(p['position']),
                        label=p['label'], confidence=float(p['confidence'])))
    return out

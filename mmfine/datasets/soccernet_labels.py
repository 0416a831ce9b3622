"""SoccerNet-v2 ``Labels-v2.json`` -> E2E-Spot label entries (one per half), E2E-Spot's rule."""
import json
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple


def soccernet_half_entries(labels_file: str, game: str, fps: Dict[int, float],
                           num_frames: Dict[int, int], size: Tuple[int, int] = (398, 224),
                           classes: Optional[Sequence[str]] = None
                           ) -> Tuple[List[dict], List[str]]:
    """The two halves of a game as E2E-Spot entries (jhong93/spot ``parse_soccernet.py``).

    ``video = "<game>/<half>"``; an annotation belongs to half H when its ``gameTime`` starts
    with ``"H - "``; ``frame = int(position_ms / 1000 * fps[H])`` (floored, as the release);
    ``comment = "<team>; <visibility>"``; ``width`` / ``height`` = ``size`` (E2E-Spot's 398 x
    224 frames). An event at or after ``num_frames[H]`` (the release keeps it, and its
    loaders then index past the video) is left out and reported in the returned warnings.

    Args:
        labels_file (str): the game's ``Labels-v2.json``.
        game (str): ``league/season/game``.
        fps (dict[int, float]): frame rate of each half's frames (``fps.txt``: 2.083 for
            E2E-Spot's extraction at 25 fps).
        num_frames (dict[int, int]): frames of each half.
        size (tuple[int, int]): (width, height). Defaults to (398, 224).
        classes (Sequence[str], optional): known labels; another is an error.

    Returns:
        tuple: (two entries, list of warning lines).

    Raises:
        FileNotFoundError / ValueError: missing file, malformed json or field (named).
    """
    if not osp.isfile(labels_file):
        raise FileNotFoundError(f'SoccerNet labels not found: {labels_file}')
    try:
        with open(labels_file, encoding='utf-8') as f:
            data = json.load(f)
    except json.JSONDecodeError as e:
        raise ValueError(f'{labels_file}: not a valid json file ({e})') from None
    if 'annotations' not in data:
        raise ValueError(f"{labels_file}: no field 'annotations'")
    entries, warnings = [], []
    for half in (1, 2):
        if half not in fps or half not in num_frames:
            raise ValueError(f'{game}: no fps / frame count for half {half}')
        events = []
        for i, a in enumerate(data['annotations']):
            for k in ('gameTime', 'label', 'position'):
                if k not in a:
                    raise ValueError(f"{labels_file}: annotations[{i}] has no field {k!r}")
            if a['gameTime'].split(' - ')[0].strip() != str(half):
                continue
            if classes is not None and a['label'] not in classes:
                raise ValueError(f"{labels_file}: annotations[{i}] has an unknown label "
                                 f"{a['label']!r}")
            frame = int(int(a['position']) / 1000 * fps[half])
            if frame >= num_frames[half]:
                warnings.append(f"{game} half {half}: {a['label']} at {a['gameTime']} is frame "
                                f'{frame}, past the {num_frames[half]} frames: left out')
                continue
            events.append(dict(frame=frame, label=a['label'],
                               comment=f"{a.get('team', '')}; {a.get('visibility', '')}"))
        events.sort(key=lambda e: e['frame'])
        entries.append(dict(video=f'{game}/{half}', num_frames=int(num_frames[half]),
                            num_events=len(events), events=events, fps=float(fps[half]),
                            width=int(size[0]), height=int(size[1])))
    return entries, warnings

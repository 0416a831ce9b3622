import os.path as osp
from typing import List, Sequence

import numpy as np

from mmfine.fileio import safe_pickle_load
from mmfine.registry import DATASETS
from .finesports_dataset import FineSportsDataset


@DATASETS.register_module()
class FineSportsPlayerDataset(FineSportsDataset):
    """Every player of synthetic FineSports clips with its jersey colour, number and action:
    the pretraining set of the synthetic PoSTAL backbone.

    The real PoSTAL starts from a Kinetics-pretrained CSN; the synthetic benchmark gets the
    analogue, a backbone pretrained to name each player's colour, number and action ("no
    action" while the player is idle) from player-centred clips (see
    :class:`~mmfine.datasets.transforms.CropPlayerClips`), then fine-tuned as PoSTAL.

    A data sample is a keyframe of a video (every ``frame_stride``-th frame, as
    :class:`FineSportsDataset` in ``'frame'`` mode) with every player of that video:

    * ``player_boxes`` (P, 4) float32: the players' boxes on the keyframe, pixels of the
      annotation ``resolution``;
    * ``player_colour``, ``player_number`` (P,) int64: indices into ``colours`` / ``numbers``;
    * ``player_action`` (P,) int64: the class of the action the player performs on the
      keyframe, or ``len(classes)`` (no action) when it is idle there.

    Annotation: ``ann_file`` (``FineSports-GT.pkl``, splits / frame counts / resolutions) and
    ``track_file`` (``player_tracks.pkl`` of
    ``tools/data/finesports/generate_synthetic_finesports.py``: per video id a list of players,
    each ``color``, ``number``, ``label`` (-1: no action), ``action_frames`` ((first, last)
    1-based or None) and ``track`` (nframes, 5) ``[frame, x1, y1, x2, y2]``), read with the
    restricted unpickler (numpy arrays and builtins only).

    Args:
        track_file (str): ``player_tracks.pkl``.
        colours (Sequence[str]): the colour vocabulary, in reader order.
        numbers (Sequence[str]): the jersey-number vocabulary, in reader order.
        **kwargs: :class:`FineSportsDataset` arguments (``ann_file``, ``data_prefix``,
            ``split``, ``frame_stride``, ``pipeline``, ...); ``sample_mode`` is ``'frame'``.

    Raises:
        KeyError / ValueError: a video without tracks, a track of the wrong length, or a
            colour / number outside the vocabulary (the message names the file and video).
    """

    def __init__(self, track_file: str, colours: Sequence[str], numbers: Sequence[str],
                 **kwargs) -> None:
        if kwargs.pop('sample_mode', 'frame') != 'frame':
            raise ValueError("FineSportsPlayerDataset samples keyframes: sample_mode='frame'")
        self.track_file = track_file
        self.colours = [str(c) for c in colours]
        self.numbers = [str(n) for n in numbers]
        super().__init__(sample_mode='frame', **kwargs)

    def load_data_list(self) -> List[dict]:
        data_list = super().load_data_list()
        if not osp.isfile(self.track_file):
            raise FileNotFoundError(f'player track file not found: {self.track_file} (written '
                                    'by tools/data/finesports/generate_synthetic_finesports.py)')
        tracks = safe_pickle_load(self.track_file)
        classes = self._metainfo['classes']
        self._metainfo.update(colours=tuple(self.colours), numbers=tuple(self.numbers),
                              actions=tuple(classes) + ('no action', ))
        per_video = {}
        for info in data_list:
            vid = info['video_id']
            if vid not in per_video:
                per_video[vid] = self._players(tracks, vid, info['total_frames'], len(classes))
            players = per_video[vid]
            f = info['keyframe']
            info.update(
                player_boxes=players['track'][:, f - 1, 1:5].copy(),
                player_colour=players['colour'], player_number=players['number'],
                player_action=np.where(
                    (players['first'] <= f) & (f <= players['last']), players['label'],
                    len(classes)).astype(np.int64))
        return data_list

    def _players(self, tracks: dict, vid: str, nframes: int, num_classes: int) -> dict:
        where = f'{self.track_file}: video {vid!r}'
        if vid not in tracks:
            raise KeyError(f'{where} has no player tracks')
        rows = tracks[vid]
        if not isinstance(rows, list) or not rows:
            raise ValueError(f'{where}: expected a non-empty list of players')
        out = dict(track=[], colour=[], number=[], label=[], first=[], last=[])
        for k, p in enumerate(rows):
            for key, vocab in (('color', self.colours), ('number', self.numbers)):
                if str(p.get(key)) not in vocab:
                    raise ValueError(f'{where}: player {k} has {key} {p.get(key)!r}, not in the '
                                     f'configured vocabulary {vocab}')
            track = np.asarray(p.get('track'), np.float32)
            if track.shape != (nframes, 5):
                raise ValueError(f"{where}: player {k}'s track has shape {track.shape}, "
                                 f'expected ({nframes}, 5) (one row per frame)')
            label = int(p.get('label', -1))
            if label >= num_classes:
                raise ValueError(f'{where}: player {k} has action label {label}, but there are '
                                 f'{num_classes} classes')
            span = p.get('action_frames') if label >= 0 else None
            out['track'].append(track)
            out['colour'].append(self.colours.index(str(p['color'])))
            out['number'].append(self.numbers.index(str(p['number'])))
            out['label'].append(max(label, 0))
            out['first'].append(span[0] if span else nframes + 1)  # never acting
            out['last'].append(span[1] if span else 0)
        out = {k: np.asarray(v) for k, v in out.items()}
        out['colour'] = out['colour'].astype(np.int64)
        out['number'] = out['number'].astype(np.int64)
        return out

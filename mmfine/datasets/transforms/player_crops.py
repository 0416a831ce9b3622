"""Player-centred clips at the full frame's pixel scale (pretraining of the synthetic PoSTAL
backbone)."""
from typing import Dict, Sequence, Tuple, Union

import numpy as np
from mmcv.transforms import BaseTransform

from mmfine.registry import TRANSFORMS
from .tube_processing import crop_frames

PLAYER_KEYS = ('player_colour', 'player_number', 'player_action')


@TRANSFORMS.register_module()
class CropPlayerClips(BaseTransform):
    """Cut a fixed window around every player from every frame of the clip, without resizing.

    The window of a player is ``crop_size`` pixels centred on its keyframe box centre (moved
    by a uniform random shift of up to ``jitter`` pixels in each direction, so the player
    falls anywhere within a feature cell, as in a full frame); the same window is cut from all
    T frames, so the player's own motion stays visible. Pixels outside the frame are
    ``pad_value`` (the normalisation mean: zero after normalising, as a convolution pads).
    Players keep the pixel scale of the full frames, so features learnt on the crops transfer
    to full-frame models.

    A sample holds ``num_players`` crops: with more players, a random subset (training) or the
    first ``num_players`` (``test_mode``); with fewer, empty windows whose labels are -100
    (ignored by the losses and the metric).

    Required keys: ``imgs`` (T frames), ``img_shape``, ``resolution``, ``player_boxes`` (P, 4)
    pixels of the annotation resolution, ``player_colour`` / ``player_number`` /
    ``player_action`` (P,).

    Modified / added keys: ``imgs`` (``num_players`` * T crops, player-major), ``img_shape``
    (crop h, w), ``num_clips`` (= ``num_players``, for ``FormatShape``), the three label
    arrays (``num_players``,), ``player_centre`` (``num_players``, 2) the box centres
    ``(x, y)`` in crop pixels, ``player_index`` (``num_players``,) which player of the clip
    (-1: padding).

    Args:
        crop_size (tuple[int, int]): ``(w, h)`` of a window. Defaults to (64, 64).
        num_players (int): crops per sample. Defaults to 6.
        jitter (int): largest random shift in pixels (0 at test time). Defaults to 8.
        pad_value (int | Sequence[int]): fill outside the frame, per channel. Defaults to the
            ImageNet mean (124, 116, 104).
        test_mode (bool): no shift, no random subset. Defaults to False.
    """

    def __init__(self, crop_size: Tuple[int, int] = (64, 64), num_players: int = 6,
                 jitter: int = 8,
                 pad_value: Union[int, Sequence[int]] = (124, 116, 104),
                 test_mode: bool = False) -> None:
        if num_players < 1 or jitter < 0 or min(crop_size) < 1:
            raise ValueError('CropPlayerClips: num_players >= 1, jitter >= 0 and a positive '
                             f'crop_size are needed, got {num_players}, {jitter}, {crop_size}')
        self.crop_size = tuple(int(v) for v in crop_size)
        self.num_players = int(num_players)
        self.jitter = int(jitter)
        self.pad_value = pad_value
        self.test_mode = test_mode

    def _pick(self, n: int) -> np.ndarray:
        if n <= self.num_players:
            return np.arange(n)
        if self.test_mode:
            return np.arange(self.num_players)
        return np.sort(np.random.choice(n, self.num_players, replace=False))

    def transform(self, results: Dict) -> Dict:
        boxes = np.asarray(results['player_boxes'], np.float32).reshape(-1, 4)
        h, w = results['img_shape']
        rh, rw = results['resolution']
        boxes = boxes * np.array([w / rw, h / rh, w / rw, h / rh], np.float32)  # decoded px
        cw, ch = self.crop_size
        picks = self._pick(len(boxes))
        imgs = results['imgs']
        crops, centres = [], np.zeros((self.num_players, 2), np.float32)
        labels = {k: np.full(self.num_players, -100, np.int64) for k in PLAYER_KEYS}
        index = np.full(self.num_players, -1, np.int64)
        for slot, p in enumerate(picks):
            cx, cy = (boxes[p, :2] + boxes[p, 2:]) / 2
            shift = (np.zeros(2) if self.test_mode or not self.jitter else
                     np.random.randint(-self.jitter, self.jitter + 1, size=2))
            x1 = int(round(cx + shift[0] - cw / 2))
            y1 = int(round(cy + shift[1] - ch / 2))
            crops += crop_frames(imgs, x1, y1, x1 + cw, y1 + ch, self.pad_value)
            centres[slot] = (cx - x1, cy - y1)
            for k in PLAYER_KEYS:
                labels[k][slot] = int(np.asarray(results[k])[p])
            index[slot] = p
        for _ in range(len(picks), self.num_players):  # padding slots
            empty = np.empty((ch, cw, 3), np.uint8)
            empty[:] = self.pad_value
            crops += [empty] * len(imgs)
        results.update(labels)
        results.update(imgs=crops, img_shape=(ch, cw), num_clips=self.num_players,
                       player_centre=centres, player_index=index)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(crop_size={self.crop_size}, '
                f'num_players={self.num_players}, jitter={self.jitter}, '
                f'test_mode={self.test_mode})')


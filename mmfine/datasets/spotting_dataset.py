"""Precise action spotting on frames or video files with E2E-Spot's label files."""
import os.path as osp
from typing import Callable, Dict, List, Optional, Sequence, Union

import numpy as np
from mmengine.dataset import BaseDataset

from mmfine.fileio.video_reader import sliding_window_starts
from mmfine.registry import DATASETS
from .spotting_annotations import clip_frame_labels, load_spotting_classes, load_spotting_json


def soccernet_fields(video: dict, ann_file: str) -> dict:
    """``game``, ``half`` and ``event_visible`` of a SoccerNet-v2 video
    (``league/season/game/half``; comments ``"team; visibility"``)."""
    game, _, half = video['video_id'].rpartition('/')
    if half not in ('1', '2') or not game:
        raise ValueError(f"{ann_file}: video {video['video_id']!r} is not a SoccerNet half "
                         "('league/season/game/1' or '/2')")
    visible = np.array(['not shown' not in c for c in video['event_comments']], bool)
    return dict(game=game, half=int(half), event_visible=visible)


@DATASETS.register_module()
class SpottingDataset(BaseDataset):
    """Clips of E2E-Spot label files: random clips for training, sliding windows for testing.

    Paper: Hong et al., "Spotting Temporally Precise, Fine-Grained Events in Video", ECCV 2022
    (E2E-Spot), https://arxiv.org/abs/2207.10213; the UGL paper extends it.

    Annotation: ``class_file`` (``class.txt``, one name per line, ids 1-based, 0 = background)
    and ``ann_file`` (``{split}.json``, see :mod:`mmfine.datasets.spotting_annotations`)::

        [{"video": "01__10", "num_frames": 111, "fps": -1, "width": 455, "height": 256,
          "num_events": 2, "events": [{"frame": 23, "label": "Som(s).Tuck", "comment": ""}]}]

    Frames: ``{data_prefix['img']}/{video}/{filename_tmpl}`` (0-based, E2E-Spot's
    ``%06d.jpg``) or, with ``data_prefix['video']``, one file per video
    ``{data_prefix['video']}/{video}{video_ext}`` decoded with decord.

    Training (E2E-Spot's uniform sampling, ``dataset/frame.py``): an epoch is
    ``clips_per_epoch`` clips; each picks a video with probability proportional to its frame
    count and a start ``-pad_len + randint(0, max(0, N - 1 + 2 * pad_len - clip_len))``, so a
    clip may begin up to ``pad_len`` frames before the video and end after it; frames outside
    the video are black (the loader pads them, in training and testing alike). Labels: the
    event's class on its frame (``dilate_len`` frames either side), background elsewhere.

    Testing: every video is cut into windows of ``clip_len`` frames every ``window_stride``
    (default ``clip_len // 2``, E2E-Spot's test overlap) by
    :func:`~mmfine.fileio.sliding_window_starts` (the last window ends at the last frame; a
    video shorter than a window is padded after its end); one sample per window, the metric
    averages the windows' scores per frame. E2E-Spot starts its windows 5 frames before the
    video and lets the last one run past the end; both cover every frame (documented
    deviation).

    Args:
        ann_file (str): ``{split}.json``.
        class_file (str): ``class.txt``.
        pipeline (list[dict | callable]): transforms.
        data_prefix (dict): ``img`` (frame folders) or ``video`` (video files).
            Defaults to ``dict(img='')``.
        clip_len (int): frames per clip. Defaults to 100.
        pad_len (int): frames a training clip may start before / end after the video.
            Defaults to 5.
        clips_per_epoch (int): training clips per epoch (E2E-Spot: 500,000 frames //
            clip_len = 5000). Defaults to 5000.
        dilate_len (int): label dilation. Defaults to 0.
        window_stride (int, optional): test window stride. Defaults to ``clip_len // 2``.
        filename_tmpl (str): Defaults to ``'{:06d}.jpg'``.
        video_ext (str): Defaults to ``'.mp4'``.
        soccernet (bool): SoccerNet-v2 videos (``league/season/game/half`` ids, as
            ``parse_soccernet.py`` names them): adds ``game``, ``half`` and, from each event's
            comment ``"team; visibility"``, ``event_visible`` for the SoccerNet metric and
            export. Defaults to False.
        check_files (bool): check that every frame folder / video file exists. Defaults to
            True.
        test_mode (bool): Defaults to False.
    """

    def __init__(self,
                 ann_file: str,
                 class_file: str,
                 pipeline: Sequence[Union[dict, Callable]] = (),
                 data_prefix: Optional[Dict[str, str]] = None,
                 clip_len: int = 100,
                 pad_len: int = 5,
                 clips_per_epoch: int = 5000,
                 dilate_len: int = 0,
                 window_stride: Optional[int] = None,
                 filename_tmpl: str = '{:06d}.jpg',
                 video_ext: str = '.mp4',
                 soccernet: bool = False,
                 check_files: bool = True,
                 test_mode: bool = False,
                 **kwargs) -> None:
        if clip_len < 1 or pad_len < 0 or clips_per_epoch < 1 or dilate_len < 0:
            raise ValueError('clip_len and clips_per_epoch must be >= 1, pad_len and '
                             'dilate_len >= 0')
        data_prefix = dict(data_prefix or dict(img=''))
        if ('img' in data_prefix) == ('video' in data_prefix):
            raise ValueError("data_prefix needs exactly one of 'img' (frame folders) and "
                             f"'video' (video files), got {sorted(data_prefix)}")
        self.class_file = class_file
        self.classes = load_spotting_classes(class_file)
        self.clip_len, self.pad_len = int(clip_len), int(pad_len)
        self.clips_per_epoch, self.dilate_len = int(clips_per_epoch), int(dilate_len)
        self.window_stride = window_stride or max(self.clip_len // 2, 1)
        self.filename_tmpl, self.video_ext = filename_tmpl, video_ext
        self.check_files, self.soccernet = check_files, soccernet
        self.videos: List[dict] = []
        metainfo = dict(kwargs.pop('metainfo', None) or {})
        metainfo.setdefault('classes', tuple(self.classes))
        super().__init__(ann_file=ann_file, pipeline=pipeline, data_prefix=data_prefix,
                         test_mode=test_mode, metainfo=metainfo, serialize_data=False,
                         **kwargs)

    # ------------------------------------------------------------------ loading
    def _source(self, vid: str) -> dict:
        if 'video' in self.data_prefix:
            path = osp.join(self.data_prefix['video'], vid + self.video_ext)
            if self.check_files and not osp.isfile(path):
                raise FileNotFoundError(f'{self.ann_file}: video file of {vid!r} not found: '
                                        f'{path}')
            return dict(filename=path)
        folder = osp.join(self.data_prefix['img'], vid)
        if self.check_files and not osp.isdir(folder):
            raise FileNotFoundError(f'{self.ann_file}: frame folder of {vid!r} not found: '
                                    f'{folder}')
        return dict(frame_dir=folder, filename_tmpl=self.filename_tmpl)

    def load_data_list(self) -> List[dict]:
        """The videos (training: sampled from in :meth:`get_data_info`) or the test windows."""
        self.videos = []
        for v in load_spotting_json(self.ann_file, self.classes):
            v = dict(v, video_id=v.pop('video'), total_frames=v['num_frames'])
            v.update(self._source(v['video_id']))
            if self.soccernet:
                v.update(soccernet_fields(v, self.ann_file))
            self.videos.append(v)
        if not self.videos:
            raise ValueError(f'{self.ann_file}: no video')
        if not self.test_mode:
            frames = np.array([v['num_frames'] for v in self.videos], np.float64)
            self._video_p = frames / frames.sum()
            return list(self.videos)
        windows = []
        for vi, v in enumerate(self.videos):
            starts = sliding_window_starts(v['num_frames'], self.clip_len, self.window_stride)
            for wi, s in enumerate(starts.tolist()):
                windows.append(dict(v, video_index=vi, clip_start=s, window_index=wi,
                                    num_windows=len(starts)))
        return windows

    def _clip(self, v: dict, start: int) -> dict:
        info = dict(v, clip_start=int(start), clip_len=self.clip_len)
        info['gt_frame_labels'] = clip_frame_labels(
            v['event_frames'], v['event_labels'], start, self.clip_len,
            0 if self.test_mode else self.dilate_len)
        return info

    def __len__(self) -> int:
        if not self.test_mode:
            if not self._fully_initialized:
                self.full_init()
            return self.clips_per_epoch
        return super().__len__()

    def get_data_info(self, idx: int) -> dict:
        """Training: a random clip (``idx`` only counts); testing: window ``idx``."""
        if self.test_mode:
            info = super().get_data_info(idx)
            return self._clip(info, info['clip_start'])
        v = self.videos[np.random.choice(len(self.videos), p=self._video_p)]
        hi = max(0, v['num_frames'] - 1 + 2 * self.pad_len - self.clip_len)
        start = -self.pad_len + np.random.randint(0, hi + 1)
        return self._clip(v, start)

import json
import os.path as osp
import re
from typing import Callable, Dict, List, Optional, Sequence, Union

import numpy as np
from mmengine.dataset import BaseDataset

from mmfine.fileio.video_reader import centred_clip_keyframes
from mmfine.registry import DATASETS
from .act_format import load_act_gt, split_videos, video_tubes


@DATASETS.register_module()
class FineSportsDataset(BaseDataset):
    """FineSports (CVPR 2024) dataset: ACT-format tubes plus per-clip prompts.

    Paper: Xu et al., "FineSports: A Multi-person Hierarchical Sports Video Dataset for
    Fine-grained Action Understanding", CVPR 2024; release:
    https://github.com/PKU-ICST-MIPL/FineSports_CVPR2024

    Annotation files (the official release's format):

    * ``ann_file``: the ground truth pickle (``FineSports-GT.pkl``, see
      :mod:`mmfine.datasets.act_format`): ``labels``, ``train_videos``, ``test_videos``,
      ``nframes``, ``resolution``, ``gttubes``. Video ids look like ``BallDelivered/00002_1``.
    * ``prompt_file`` (optional): json keyed by clip id (the part of the video id's basename
      before ``_``) -> ``{jersey number: prompt}``::

        {"00002": {"35": "a player wearing a white jersey number 35"}, ...}

    Media: either video files ``{data_prefix['video']}/{video_id}{video_ext}`` (decoded with
    decord) or frame folders ``{data_prefix['img']}/{video_id}/{frame:05d}.jpg`` (1-based frames).

    Sampling modes (one data sample = one clip centre):

    * ``'tube'``: ``keyframes_per_tube`` evenly spaced centres inside every ground-truth tube;
      the sample's ``label`` is that tube's class and ``target`` its index (recognition).
    * ``'frame'``: every ``frame_stride``-th frame of every video (detection/localization, as the
      release indexes ``(video, frame)`` pairs); ``label`` is -1.

    Args:
        ann_file (str): ground truth pickle.
        pipeline (list[dict | callable]): data transforms.
        prompt_file (str, optional): prompts json. Defaults to None (``prompt`` is None).
        data_prefix (dict): ``video`` and/or ``img`` roots. Defaults to ``dict(video='')``.
        media (str): ``'video'`` or ``'frames'``. Defaults to ``'video'``.
        video_ext (str): video file extension. Defaults to ``'.mp4'``.
        split (str): ``'train'``, ``'test'`` (split 0 of the pickle) or ``'val'`` (the
            ``val_videos`` key the synthetic generator writes; the real FineSports release has
            no validation split). Defaults to ``'train'``.
        sample_mode (str): ``'tube'`` or ``'frame'``. Defaults to ``'tube'``.
        keyframes_per_tube (int): centres per tube in ``'tube'`` mode. Defaults to 1.
        frame_stride (int): frame step in ``'frame'`` mode. Defaults to 1.
        type_names (Sequence[str], optional): the sub-action types (PoSTAL's type token).
            Every sample then gets ``type_label``, the index of its video's folder
            (``BallDelivered/00002_1`` -> ``'Ball Delivered'``) in this list, matched ignoring
            case, spaces and punctuation; a folder that is none of them is an error. Defaults
            to None (no ``type_label``).
        check_files (bool): check at start-up that every video / frame folder exists.
            Defaults to True.
        test_mode (bool): Defaults to False.
        **kwargs: passed to :class:`mmengine.dataset.BaseDataset`.
    """

    def __init__(self,
                 ann_file: str,
                 pipeline: Sequence[Union[dict, Callable]] = (),
                 prompt_file: Optional[str] = None,
                 data_prefix: Optional[Dict[str, str]] = None,
                 media: str = 'video',
                 video_ext: str = '.mp4',
                 split: str = 'train',
                 sample_mode: str = 'tube',
                 keyframes_per_tube: int = 1,
                 frame_stride: int = 1,
                 type_names: Optional[Sequence[str]] = None,
                 check_files: bool = True,
                 test_mode: bool = False,
                 **kwargs) -> None:
        if media not in ('video', 'frames'):
            raise ValueError(f"media must be 'video' or 'frames', got {media!r}")
        if sample_mode not in ('tube', 'frame'):
            raise ValueError(f"sample_mode must be 'tube' or 'frame', got {sample_mode!r}")
        if split not in ('train', 'val', 'test'):
            raise ValueError(f"split must be 'train', 'val' or 'test', got {split!r}")
        if keyframes_per_tube < 1 or frame_stride < 1:
            raise ValueError('keyframes_per_tube and frame_stride must be >= 1')
        self.prompt_file = prompt_file
        self.media = media
        self.video_ext = video_ext
        self.split = split
        self.sample_mode = sample_mode
        self.keyframes_per_tube = keyframes_per_tube
        self.frame_stride = frame_stride
        self.type_names = list(type_names) if type_names is not None else None
        self._type_index = {self._norm_name(n): i for i, n in enumerate(self.type_names or ())}
        self.check_files = check_files
        if data_prefix is None:
            data_prefix = dict(video='') if media == 'video' else dict(img='')
        super().__init__(
            ann_file=ann_file, pipeline=list(pipeline), data_prefix=data_prefix,
            test_mode=test_mode, **kwargs)

    # ------------------------------------------------------------------ loading
    def _load_prompts(self) -> Optional[Dict[str, str]]:
        if self.prompt_file is None:
            return None
        if not osp.isfile(self.prompt_file):
            raise FileNotFoundError(f'prompt file not found: {self.prompt_file}')
        with open(self.prompt_file) as f:
            raw = json.load(f)
        prompts = {}
        for clip_id, by_number in raw.items():
            if not isinstance(by_number, dict) or len(by_number) != 1:
                raise ValueError(f'{self.prompt_file}: entry {clip_id!r} must map exactly one '
                                 f'jersey number to a prompt, got {by_number!r}')
            prompts[clip_id] = next(iter(by_number.values()))
        return prompts

    @staticmethod
    def clip_id(video_id: str) -> str:
        """Prompt key of a video id (``'BallDelivered/00002_1'`` -> ``'00002'``)."""
        return osp.basename(video_id).split('_')[0]

    @staticmethod
    def _norm_name(name: str) -> str:
        return re.sub(r'[^0-9a-z]', '', name.lower())

    def type_label(self, video_id: str) -> int:
        """Index in ``type_names`` of the video's folder (``'BallDelivered/00002_1'``)."""
        folder = osp.basename(osp.dirname(video_id))
        idx = self._type_index.get(self._norm_name(folder))
        if idx is None:
            raise ValueError(f'{self.ann_file}: the folder {folder!r} of video {video_id!r} is '
                             f'none of the configured type_names {self.type_names}')
        return idx

    def _media_path(self, vid: str) -> str:
        if self.media == 'video':
            return osp.join(self.data_prefix.get('video', ''), vid + self.video_ext)
        return osp.join(self.data_prefix.get('img', ''), vid)

    def load_data_list(self) -> List[dict]:
        gt = load_act_gt(self.ann_file)
        self._metainfo.setdefault('classes', tuple(gt['labels']))
        prompts = self._load_prompts()
        data_list = []
        for vid in split_videos(gt, self.split, self.ann_file):
            if vid not in gt['nframes']:
                raise ValueError(f"{self.ann_file}: video {vid!r} of '{self.split}_videos' has "
                                 "no 'nframes' entry")
            path = self._media_path(vid)
            if self.check_files and not (osp.isfile(path) if self.media == 'video'
                                         else osp.isdir(path)):
                what = 'video file' if self.media == 'video' else 'frame folder'
                raise FileNotFoundError(f'{what} of video {vid!r} (listed in {self.ann_file} '
                                        f"'{self.split}_videos') not found: {path}")
            prompt = None
            if prompts is not None:
                key = self.clip_id(vid)
                if key not in prompts:
                    raise KeyError(f'{self.prompt_file}: no prompt for clip {key!r} '
                                   f'(video {vid!r})')
                prompt = prompts[key]
            tubes = video_tubes(gt, vid)
            base = dict(
                video_id=vid, media=self.media, total_frames=int(gt['nframes'][vid]),
                resolution=tuple(int(v) for v in gt['resolution'][vid]), tubes=tubes,
                prompt=prompt)
            if self.type_names is not None:
                base['type_label'] = self.type_label(vid)
            if self.media == 'video':
                base['filename'] = path
            else:
                base['frame_dir'] = path
            if self.sample_mode == 'tube':
                for t, tube in enumerate(tubes):
                    frames = tube['boxes'][:, 0].astype(np.int64)
                    picks = np.linspace(0, len(frames) - 1, self.keyframes_per_tube + 2)[1:-1]
                    for p in np.unique(np.round(picks).astype(np.int64)):
                        data_list.append(dict(base, target=t, label=tube['label'],
                                              keyframe=int(frames[p])))
            else:
                for frame in centred_clip_keyframes(base['total_frames'], self.frame_stride):
                    data_list.append(dict(base, target=-1, label=-1, keyframe=int(frame)))
        return data_list

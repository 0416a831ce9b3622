"""FineDiving / FineDiving-HM for action quality assessment (FineParser, TSA)."""
import os
import os.path as osp
import re
from typing import Dict, List, Optional, Tuple

from mmfine.registry import DATASETS
from .aqa_annotations import AQAKey, load_coarse_frames, load_finediving_annotations, load_split
from .aqa_pair_dataset import AQAPairDataset

_FRAME_NAME = re.compile(r'^(\d+)\.jpg$')


def numbered_files(folder: str, pattern: re.Pattern = _FRAME_NAME) -> List[Tuple[int, str]]:
    """``(number, file name)`` of the files of a folder whose name ``pattern`` matches (group
    1: the number; default ``%05d.jpg``-style names), by number."""
    return sorted((int(m.group(1)), m.group(0))
                  for m in map(pattern.match, os.listdir(folder)) if m)


def numbered_frames(folder: str, pattern: re.Pattern = _FRAME_NAME) -> List[int]:
    """Sorted frame numbers of the files of a folder whose name ``pattern`` matches."""
    return [n for n, _ in numbered_files(folder, pattern)]


@DATASETS.register_module()
class FineDivingDataset(AQAPairDataset):
    """FineDiving (CVPR 2022) with the FineDiving-HM masks of FineParser (CVPR 2024).

    Paper: Xu et al., "FineParser: A Fine-grained Spatio-temporal Action Parser for
    Human-centric Action Quality Assessment", CVPR 2024, https://arxiv.org/abs/2405.06887.

    Files (the real ones, see ``shared/data/finediving_aqa/PROVENANCE.md``)::

        fine-grained_annotation_aqa.pkl   {('01', 1): ['407c', 88.0, 3.2, array([2, 34]),
                                                      array([4, 4, 4, 25, ..., 36])], ...}
        train_split.pkl / test_split.pkl  [('01', 1), ...]
        FineDiving_coarse_annotation.pkl  {('01', 1): {'start_frame': 95, 'end_frame': 179,
                                                       ...}, ...}   (optional)
        <img>/<video>/<clip>/00095.jpg ... 00179.jpg   (media='frames': absolute numbers)
        <video>/<video>/<clip>.mp4                     (media='video': one file per clip)
        <mask>/<video>/<clip>/00095.jpg ...            (FineDiving-HM: one mask per frame,
                                                        the frame's name, any size)

    A data info holds ``key``, ``video_id`` (``'<video>/<clip>'``), ``dive_number`` (lower
    case), ``score``, ``difficulty``, ``frames_labels`` (n,), ``total_frames`` (n),
    ``start_frame`` (the first frame's number; 0 for video files), ``frame_dir`` or
    ``filename``, ``mask_dir`` (or None) and ``has_steps`` (True). The step transitions are
    derived from ``frames_labels`` after sampling (:class:`SampleAQAFrames`), never from the
    file's ``steps_transit_frames``. Pairing, voters and the held-out validation part:
    :class:`AQAPairDataset`.

    Args:
        ann_file (str): ``fine-grained_annotation_aqa.pkl``.
        split_file (str): ``train_split.pkl`` or ``test_split.pkl``.
        data_prefix (dict): ``img`` (frame folders) or ``video`` (video files), and
            optionally ``mask`` (FineDiving-HM). Defaults to ``dict(img='')``.
        media (str): ``'frames'`` or ``'video'``. Defaults to ``'frames'``.
        video_ext (str): Defaults to ``'.mp4'``.
        coarse_file (str, optional): ``FineDiving_coarse_annotation.pkl``: the clips' first
            frame numbers without listing the frame folders. Defaults to None (the folders
            are listed; a folder must hold the clip's n consecutive frames).
        check_files (bool): check every clip's frame folder / video and mask folder (split
            and exemplar pool) at start-up. Defaults to True.
        **kwargs: :class:`AQAPairDataset` (``exemplar_split_file``, ``num_voters``,
            ``voter_seed``, ``holdout``, ``exemplar_rule``) and BaseDataset arguments.
    """

    def __init__(self,
                 ann_file: str,
                 split_file: str,
                 data_prefix: Optional[Dict[str, str]] = None,
                 media: str = 'frames',
                 video_ext: str = '.mp4',
                 coarse_file: Optional[str] = None,
                 check_files: bool = True,
                 **kwargs) -> None:
        if media not in ('frames', 'video'):
            raise ValueError(f"media must be 'frames' or 'video', got {media!r}")
        self.media = media
        self.video_ext = video_ext
        self.coarse_file = coarse_file
        self.check_files = check_files
        if data_prefix is None:
            data_prefix = dict(img='') if media == 'frames' else dict(video='')
        super().__init__(split_file=split_file, ann_file=ann_file, data_prefix=data_prefix,
                         **kwargs)

    def load_split_keys(self, path: str) -> List[AQAKey]:
        return load_split(path)

    def load_infos(self) -> Dict[AQAKey, dict]:
        ann = load_finediving_annotations(self.ann_file)
        coarse = load_coarse_frames(self.coarse_file) if self.coarse_file else None
        mask_root = self.data_prefix.get('mask')
        infos = {}
        for key, a in ann.items():
            video, clip = key
            n = len(a['frames_labels'])
            info = dict(key=key, video_id=f'{video}/{clip}', media=self.media,
                        dive_number=a['dive_number'], score=a['score'],
                        difficulty=a['difficulty'], frames_labels=a['frames_labels'],
                        total_frames=n, has_steps=True, start_frame=None,
                        mask_dir=osp.join(mask_root, video, str(clip)) if mask_root else None)
            if self.media == 'frames':
                info['frame_dir'] = osp.join(self.data_prefix.get('img', ''), video, str(clip))
            else:
                info['filename'] = osp.join(self.data_prefix.get('video', ''), video,
                                            f'{clip}{self.video_ext}')
                info['start_frame'] = 0
            if coarse is not None and self.media == 'frames':
                if key not in coarse:
                    raise KeyError(f'{self.coarse_file}: no entry for {key!r}')
                start, end = coarse[key]
                if end - start + 1 != n:
                    raise ValueError(
                        f'{self.coarse_file}: {key!r} spans frames {start}..{end} '
                        f'({end - start + 1}) but {self.ann_file} labels {n} frames')
                info['start_frame'] = start
            infos[key] = info
        return infos

    def check_info(self, info: dict) -> None:
        """The clip's frames (or video) and masks exist; fills ``start_frame`` from the frame
        folder when no coarse file gave it."""
        if self.media == 'video':
            if self.check_files and not osp.isfile(info['filename']):
                raise FileNotFoundError(f'video file of {info["key"]!r} (listed in '
                                        f'{self.ann_file}) not found: {info["filename"]}')
        elif self.check_files or info['start_frame'] is None:
            folder = info['frame_dir']
            if not osp.isdir(folder):
                raise FileNotFoundError(f'frame folder of {info["key"]!r} (listed in '
                                        f'{self.ann_file}) not found: {folder}')
            if info['start_frame'] is None:
                numbers = numbered_frames(folder)
                n = info['total_frames']
                if len(numbers) != n or numbers[-1] - numbers[0] + 1 != n:
                    raise ValueError(
                        f'{folder}: {len(numbers)} numbered frames'
                        f'{f" ({numbers[0]}..{numbers[-1]})" if numbers else ""}, but '
                        f'{self.ann_file} labels {n} consecutive frames for {info["key"]!r}')
                info['start_frame'] = numbers[0]
        if self.check_files and info['mask_dir'] is not None and not osp.isdir(info['mask_dir']):
            raise FileNotFoundError(f'mask folder of {info["key"]!r} not found: '
                                    f'{info["mask_dir"]}')

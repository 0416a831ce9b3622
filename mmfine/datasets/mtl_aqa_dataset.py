"""MTL-AQA (CVPR 2019) in CoRe's layout, with FineDiving steps and FineDiving-HM masks where a
clip is also a FineDiving clip."""
import os.path as osp
import re
from typing import Dict, List, Optional, Tuple

from mmfine.registry import DATASETS
from .aqa_annotations import (AQAKey, load_coarse_frames, load_finediving_annotations,
                              load_mtl_aqa_annotations, load_mtl_aqa_split)
from .aqa_pair_dataset import AQAPairDataset
from .finediving_dataset import numbered_frames


@DATASETS.register_module()
class MTLAQADataset(AQAPairDataset):
    """MTL-AQA for contrastive-regression AQA (CoRe, FineParser section 4.3).

    Files (CoRe's ``MTL-AQA/info/``, layout in ``shared/data/mtl_aqa/PROVENANCE.md``)::

        final_annotations_dict_with_dive_number.pkl  {(1, 1): {'start_frame': 7377,
                                                        'end_frame': 7462, 'difficulty': 3.2,
                                                        'final_score': 88.0,
                                                        'dive_number': '407C', ...}, ...}
        train_split_0.pkl / test_split_0.pkl         [(1, 1), ...]
        <img>/<%02d video>/<%08d>.jpg                the untrimmed video's frames

    A clip is, as CoRe (``datasets/MTLPair.py``), the ``clip_len`` = 103 frames at positions
    ``end_frame - 103 .. end_frame - 1`` of the video folder's sorted frame list (the folder's
    frames must be consecutive numbers; position p is frame number ``first + p``); CoRe's
    training shift of the window (U[-3, 3]) is ``SampleAQAFrames(jitter='window')``, kept
    inside the video (``frame_bounds``). Keys become FineDiving keys ``('%02d', clip)``;
    exemplars are of the same difficulty (``exemplar_rule='difficulty'``, CoRe's
    ``usingDD``).

    With ``finediving_ann_file`` (and its coarse file), a clip that is a FineDiving clip (1369
    of the 1412 real ones) gets FineDiving's per-frame labels (``has_steps``: frames before /
    after FineDiving's trimmed window take its first / last label: take-off / entry) and, with
    ``data_prefix['mask']``, its FineDiving-HM masks, frames outside FineDiving's window marked
    invalid; the other clips have ``has_steps=False`` and no valid mask frame, so the TAP and
    SAP losses skip them. FineDiving frame number ``f`` is position ``f - finediving_frame_base``
    of the MTL-AQA folder: on the real files FineDiving's ``start_frame`` is usually MTL-AQA's
    + 1 and the end frames agree (PROVENANCE.md), i.e. FineDiving numbers are 1-based positions.

    Args:
        ann_file (str): ``final_annotations_dict_with_dive_number.pkl``.
        split_file (str): ``train_split_0.pkl`` or ``test_split_0.pkl``.
        data_prefix (dict): ``img`` (the ``<%02d>`` video folders) and optionally ``mask``
            (FineDiving-HM ``<video>/<clip>/%05d.jpg``). Defaults to ``dict(img='')``.
        clip_len (int): Defaults to 103.
        filename_tmpl (str): Defaults to ``'{:08d}.jpg'``.
        finediving_ann_file (str, optional): ``fine-grained_annotation_aqa.pkl``.
        finediving_coarse_file (str, optional): ``FineDiving_coarse_annotation.pkl`` (needed
            with ``finediving_ann_file``: the FineDiving frame numbers).
        finediving_frame_base (int): Defaults to 1.
        exemplar_rule (str): Defaults to ``'difficulty'``.
        **kwargs: :class:`AQAPairDataset` and BaseDataset arguments.
    """

    def __init__(self,
                 ann_file: str,
                 split_file: str,
                 data_prefix: Optional[Dict[str, str]] = None,
                 clip_len: int = 103,
                 filename_tmpl: str = '{:08d}.jpg',
                 finediving_ann_file: Optional[str] = None,
                 finediving_coarse_file: Optional[str] = None,
                 finediving_frame_base: int = 1,
                 exemplar_rule: str = 'difficulty',
                 **kwargs) -> None:
        if clip_len < 2:
            raise ValueError(f'clip_len must be >= 2, got {clip_len}')
        if finediving_ann_file and not finediving_coarse_file:
            raise ValueError('MTLAQADataset: finediving_ann_file needs finediving_coarse_file '
                             '(the FineDiving clips\' frame numbers)')
        self.clip_len = clip_len
        self.filename_tmpl = filename_tmpl
        self.finediving_ann_file = finediving_ann_file
        self.finediving_coarse_file = finediving_coarse_file
        self.finediving_frame_base = finediving_frame_base
        self._folders: Dict[str, Tuple[int, int]] = {}
        super().__init__(split_file=split_file, ann_file=ann_file,
                         data_prefix=data_prefix or dict(img=''), exemplar_rule=exemplar_rule,
                         **kwargs)

    def load_split_keys(self, path: str) -> List[AQAKey]:
        return load_mtl_aqa_split(path)

    def _frame_pattern(self) -> re.Pattern:
        head, _, tail = self.filename_tmpl.partition('{')
        tail = tail.partition('}')[2]
        return re.compile(f'^{re.escape(head)}(\\d+){re.escape(tail)}$')

    def folder_range(self, video: str) -> Tuple[int, int]:
        """(first, count) of a video folder's consecutive numbered frames (listed once)."""
        if video not in self._folders:
            folder = osp.join(self.data_prefix.get('img', ''), video)
            if not osp.isdir(folder):
                raise FileNotFoundError(f'frame folder of MTL-AQA video {video} (listed in '
                                        f'{self.ann_file}) not found: {folder}')
            nums = numbered_frames(folder, self._frame_pattern())
            if not nums:
                raise ValueError(f'{folder}: no frame named like {self.filename_tmpl!r}')
            if nums[-1] - nums[0] + 1 != len(nums):
                missing = next(a + 1 for a, b in zip(nums, nums[1:]) if b != a + 1)
                raise FileNotFoundError(
                    f'{folder}: frame {self.filename_tmpl.format(missing)} is missing (the '
                    'frames must be consecutive: CoRe indexes them by position)')
            self._folders[video] = (nums[0], len(nums))
        return self._folders[video]

    def load_infos(self) -> Dict[AQAKey, dict]:
        ann = load_mtl_aqa_annotations(self.ann_file)
        fine = coarse = None
        if self.finediving_ann_file:
            fine = load_finediving_annotations(self.finediving_ann_file)
            coarse = load_coarse_frames(self.finediving_coarse_file)
        mask_root = self.data_prefix.get('mask')
        infos = {}
        for key, a in ann.items():
            video, clip = key
            end = a['end_frame']
            if end < self.clip_len:
                raise ValueError(f'{self.ann_file}: entry {key!r}: end_frame {end} leaves no '
                                 f'room for the {self.clip_len}-frame window before it')
            info = dict(key=key, video_id=f'{video}/{clip}', media='frames',
                        dive_number=a['dive_number'], score=a['score'],
                        difficulty=a['difficulty'], total_frames=self.clip_len,
                        end_position=end, filename_tmpl=self.filename_tmpl,
                        frame_dir=osp.join(self.data_prefix.get('img', ''), video),
                        has_steps=False, mask_dir=None, mask_absent=mask_root is not None)
            if fine is not None and key in fine:
                if key not in coarse:
                    raise KeyError(f'{self.finediving_coarse_file}: no entry for {key!r}')
                start, stop = coarse[key]
                labels = fine[key]['frames_labels']
                if stop - start + 1 != len(labels):
                    raise ValueError(
                        f'{self.finediving_coarse_file}: {key!r} spans frames {start}..{stop} '
                        f'but {self.finediving_ann_file} labels {len(labels)} frames')
                info.update(has_steps=True, frames_labels=labels, fd_start=start)
                if mask_root is not None:
                    info.update(mask_dir=osp.join(mask_root, video, str(clip)),
                                mask_count=len(labels), mask_absent=False)
            infos[key] = info
        return infos

    def check_info(self, info: dict) -> None:
        """Frame numbers of the window from the video folder; the FineDiving alignment."""
        if 'start_frame' in info:
            return
        video = info['key'][0]
        first, count = self.folder_range(video)
        end = info['end_position']
        if end > count:
            raise ValueError(f'{self.ann_file}: entry {info["key"]!r}: end_frame {end} is past '
                             f'the {count} frames of {info["frame_dir"]}')
        info['start_frame'] = first + end - self.clip_len
        info['frame_bounds'] = (first, first + count - 1)
        if info['has_steps']:
            # FineDiving number f = position f - base = MTL frame number first + f - base
            info['labels_start'] = first + info['fd_start'] - self.finediving_frame_base
            if info['mask_dir'] is not None:
                if not osp.isdir(info['mask_dir']):
                    raise FileNotFoundError(f'mask folder of {info["key"]!r} not found: '
                                            f'{info["mask_dir"]}')
                info['mask_offset'] = self.finediving_frame_base - first

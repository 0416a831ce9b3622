"""Frame sampling and decoding of AQA clips (FineDiving / FineDiving-HM, MTL-AQA)."""
import os.path as osp
from typing import Dict, Sequence, Tuple

import cv2
import numpy as np
from mmcv.transforms import BaseTransform

from mmfine.registry import TRANSFORMS
from ..aqa_annotations import release_transitions
from ..finediving_dataset import numbered_files
from .loading import check_decoded_length, gather_frames, open_video, read_numbered_frames


@TRANSFORMS.register_module()
class SampleAQAFrames(BaseTransform):
    """``num_frames`` frames spread over the clip by linspace, and the two step transitions.

    As the FineParser release (``datasets/FineDiving_Pair.py``): with ``start`` / ``end`` the
    first / last frame number, ``end += randint(lo, hi)`` in training (``end_jitter``, the
    release's ``temporal_shift`` [-3, 0]), then ``frame_ids = linspace(start, end,
    num_frames).astype(int)`` (frames repeat in clips shorter than ``num_frames``; 489 real
    clips). ``jitter='window'`` shifts start and end together instead (CoRe's MTL-AQA
    ``temporal_shift`` [-3, 3]), kept inside ``frame_bounds`` (the video's first / last frame
    number) when the sample has them, else inside the clip. The transitions are computed on
    the sampled frames' labels (:func:`release_transitions`), in sampled-frame indices: ``t1``
    the first flight frame, ``t2`` the first entry frame. ``frames_labels`` cover the frame
    numbers from ``labels_start`` (default ``start_frame``); a frame outside them takes the
    nearest labelled frame's label (before the labelled dive: take-off; after it: entry).

    Required keys: ``total_frames``, ``start_frame``, ``has_steps``, ``frames_labels`` (when
    ``has_steps``), ``video_id``; optional ``labels_start``, ``frame_bounds``. Added keys:
    ``frame_inds`` (num_frames,) positions from the clip's first frame, ``frame_ids``
    (num_frames,) frame numbers, ``gt_transitions`` (2,) int64 (zeros when the clip has no
    step labels).

    Args:
        num_frames (int): Defaults to 96.
        end_jitter (Sequence[int]): inclusive range of the training shift. Defaults to
            (-3, 0).
        jitter (str): ``'end'`` (the last frame moves, the release; needs ``hi <= 0``) or
            ``'window'`` (the whole window moves). Defaults to ``'end'``.
        test_mode (bool): no jitter. Defaults to False.
    """

    def __init__(self, num_frames: int = 96, end_jitter: Sequence[int] = (-3, 0),
                 jitter: str = 'end', test_mode: bool = False) -> None:
        if num_frames < 2:
            raise ValueError(f'num_frames must be >= 2, got {num_frames}')
        if jitter not in ('end', 'window'):
            raise ValueError(f"jitter must be 'end' or 'window', got {jitter!r}")
        lo, hi = end_jitter
        if lo > hi or (jitter == 'end' and hi > 0):
            raise ValueError(f'end_jitter must be (lo, hi) with lo <= hi (and hi <= 0 for '
                             f"jitter='end'), got {end_jitter}")
        self.num_frames = num_frames
        self.end_jitter = (int(lo), int(hi))
        self.jitter = jitter
        self.test_mode = test_mode

    def transform(self, results: Dict) -> Dict:
        n, start = int(results['total_frames']), int(results['start_frame'])
        first, end = start, start + n - 1
        if not self.test_mode and self.end_jitter != (0, 0):
            shift = np.random.randint(self.end_jitter[0], self.end_jitter[1] + 1)
            if self.jitter == 'end':
                end += shift
            else:
                lo, hi = results.get('frame_bounds') or (start, start + n - 1)
                shift = int(np.clip(shift, lo - start, hi - end))
                first, end = first + shift, end + shift
        end = max(end, first + 1)
        ids = np.linspace(first, end, self.num_frames).astype(np.int64)
        results['frame_ids'] = ids
        results['frame_inds'] = ids - start
        if results.get('has_steps', False):
            labels = np.asarray(results['frames_labels'])
            pos = np.clip(ids - int(results.get('labels_start', start)), 0, len(labels) - 1)
            results['gt_transitions'] = np.array(
                release_transitions(labels[pos], results['video_id']), np.int64)
        else:
            results['gt_transitions'] = np.zeros(2, np.int64)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(num_frames={self.num_frames}, '
                f'end_jitter={self.end_jitter}, jitter={self.jitter!r}, '
                f'test_mode={self.test_mode})')


@TRANSFORMS.register_module()
class LoadAQAFrames(BaseTransform):
    """Decode the sampled frames (and FineDiving-HM masks) of an AQA clip.

    Frames: ``{frame_dir}/{filename_tmpl.format(frame_id)}`` (``media='frames'``, absolute
    numbers; ``filename_tmpl`` from the sample, default ``'{:05d}.jpg'``) or the
    ``frame_inds`` of a video file (decord). Masks (``mask_dir`` not None and ``with_mask``):

    - FineDiving: the folder must hold exactly one numbered jpg per frame of the clip (else an
      error naming the folder and both counts); frame ``i`` of the clip uses the ``i``-th mask
      in number order (with frame folders, the names must be the frames' names);
    - a sample with ``mask_offset`` (MTL-AQA clips that are FineDiving-HM clips): frame number
      ``f`` uses mask ``f + mask_offset``; the folder must hold ``mask_count`` masks, and the
      frames outside them get an empty mask marked invalid;
    - a sample with ``mask_absent`` (an MTL-AQA clip outside FineDiving-HM): empty masks, all
      invalid, so a batch mixing both kinds still stacks.

    A mask is read as one channel (``cv2.IMREAD_GRAYSCALE``: grey or RGB files alike,
    FineParser_CVPR2024#3) and, when its size differs from the frame's, resized bilinearly to
    it, so the later transforms move frames and masks together.

    Required keys: ``media``, ``frame_ids``, ``frame_inds``, ``frame_dir`` or ``filename``,
    ``mask_dir``, ``total_frames``, ``video_id``. Added keys: ``imgs`` (list of (H, W, 3)
    uint8 RGB), ``masks`` (list of (H, W) uint8) and ``mask_valid`` (list of bool), when
    loaded, ``img_shape``, ``original_shape``.

    Args:
        with_mask (bool): load masks when the sample has a mask folder. Defaults to True.
        num_threads (int): decord threads. Defaults to 1.
    """

    def __init__(self, with_mask: bool = True, num_threads: int = 1) -> None:
        self.with_mask = with_mask
        self.num_threads = num_threads

    def _frames(self, results: Dict) -> list:
        vid = results['video_id']
        if results['media'] == 'video':
            path = results['filename']
            reader = open_video(path, vid, self.num_threads)
            inds = np.asarray(results['frame_inds'], np.int64)
            check_decoded_length(results, path, inds, len(reader))
            return gather_frames(reader, inds)
        folder = results['frame_dir']
        if not osp.isdir(folder):
            raise FileNotFoundError(f'frame folder of {vid} not found: {folder}')
        return read_numbered_frames(folder, np.asarray(results['frame_ids']).tolist(), vid,
                                    results.get('filename_tmpl', '{:05d}.jpg'))

    @staticmethod
    def _read_mask(path: str, vid: str, size) -> np.ndarray:
        m = cv2.imread(path, cv2.IMREAD_GRAYSCALE)
        if m is None:
            raise FileNotFoundError(f'mask of {vid} missing or unreadable: {path}')
        w, h = size
        if m.shape != (h, w):
            m = cv2.resize(m, (w, h), interpolation=cv2.INTER_LINEAR)
        return m

    def _masks(self, results: Dict, size) -> Tuple[list, list]:
        folder, vid = results['mask_dir'], results['video_id']
        if not osp.isdir(folder):
            raise FileNotFoundError(f'mask folder of {vid} not found: {folder}')
        files = numbered_files(folder)
        numbers = [num for num, _ in files]
        offset = results.get('mask_offset')
        n = int(results['total_frames'] if offset is None else results['mask_count'])
        if len(numbers) != n:
            raise ValueError(f'{folder}: {len(numbers)} masks for the {n} frames of {vid} '
                             '(FineDiving-HM has one mask per frame)')
        if offset is not None:  # by frame number; frames outside the masks are invalid
            by_number = dict(files)
            cache, out, valid = {}, [], []
            empty = np.zeros(size[::-1], np.uint8)
            for f in np.asarray(results['frame_ids']).tolist():
                name = by_number.get(int(f) + int(offset))
                if name is None:
                    out.append(empty)
                    valid.append(False)
                    continue
                if name not in cache:
                    cache[name] = self._read_mask(osp.join(folder, name), vid, size)
                out.append(cache[name])
                valid.append(True)
            return out, valid
        if results['media'] == 'frames':
            first = int(results['frame_ids'][0] - results['frame_inds'][0])
            if numbers[0] != first or numbers[-1] != first + n - 1:
                raise ValueError(f'{folder}: masks {numbers[0]:05d}..{numbers[-1]:05d}.jpg '
                                 f'do not carry the names of the frames of {vid} '
                                 f'({first:05d}..{first + n - 1:05d}.jpg)')
        cache, out = {}, []
        for i in np.asarray(results['frame_inds']).tolist():
            if i not in cache:
                cache[i] = self._read_mask(osp.join(folder, files[i][1]), vid, size)
            out.append(cache[i])
        return out, [True] * len(out)

    def transform(self, results: Dict) -> Dict:
        imgs = self._frames(results)
        h, w = imgs[0].shape[:2]
        results['imgs'] = imgs
        if self.with_mask and results.get('mask_dir') is not None:
            results['masks'], results['mask_valid'] = self._masks(results, (w, h))
        elif self.with_mask and results.get('mask_absent', False):
            results['masks'] = [np.zeros((h, w), np.uint8)] * len(imgs)
            results['mask_valid'] = [False] * len(imgs)
        results['img_shape'] = results['original_shape'] = (h, w)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(with_mask={self.with_mask}, '
                f'num_threads={self.num_threads})')

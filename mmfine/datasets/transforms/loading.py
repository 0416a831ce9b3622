import os.path as osp
from collections import OrderedDict
from typing import Dict

import cv2
import numpy as np
from mmcv.transforms import BaseTransform

from mmfine.fileio.video_reader import centred_clip_frames
from mmfine.registry import TRANSFORMS


def open_video(path: str, video_id: str, num_threads: int = 1):
    """A decord ``VideoReader`` of ``path`` (a clear error naming the video when missing)."""
    import decord
    if not osp.isfile(path):
        raise FileNotFoundError(f'video file of {video_id!r} not found: {path}')
    return decord.VideoReader(path, num_threads=num_threads)


def check_decoded_length(results: Dict, path: str, inds: np.ndarray, length: int) -> None:
    """The 0-based frame indices ``inds`` exist in a file that decodes to ``length`` frames
    (``results`` names the video and its annotated ``total_frames``)."""
    if inds.max() >= length:
        raise ValueError(f"{path}: frame {int(inds.max()) + 1} of video "
                         f"{results['video_id']!r} requested, but the file decodes to "
                         f'{length} frames (nframes={results["total_frames"]})')


def gather_frames(reader, inds: np.ndarray) -> list:
    """Frames ``inds`` (0-based, repeats allowed) of a decord reader, each decoded once."""
    uniq, inverse = np.unique(inds, return_inverse=True)
    frames = reader.get_batch(uniq.tolist()).asnumpy()
    return [frames[i] for i in inverse]


def read_numbered_frames(folder: str, numbers, video_id: str,
                         filename_tmpl: str = '{:05d}.jpg') -> list:
    """RGB frames ``{folder}/{filename_tmpl.format(n)}`` for every number (repeats read
    once)."""
    imgs, cache = [], {}
    for f in numbers:
        if f not in cache:
            path = osp.join(folder, filename_tmpl.format(int(f)))
            img = cv2.imread(path, cv2.IMREAD_COLOR)
            if img is None:
                raise FileNotFoundError(
                    f'frame {int(f)} of video {video_id!r} missing or unreadable: {path}')
            cache[f] = cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
        imgs.append(cache[f])
    return imgs


@TRANSFORMS.register_module()
class SampleTubeClip(BaseTransform):
    """Sample a clip of ``clip_len`` frames centred on the sample's keyframe and cut every tube
    of the video to it.

    The keyframe sits at index ``clip_len // 2`` of the clip (as in the PoSTAL release); frames
    before 1 or after ``total_frames`` are replaced by the nearest valid frame.

    Required keys: ``total_frames``, ``keyframe``, ``tubes`` (list of ``{'label', 'boxes' (n, 5)}``).

    Added keys:

    - ``frame_ids`` (np.ndarray, (T,)): 1-based ACT frame numbers of the clip.
    - ``key_index`` (int): position of the keyframe in the clip.
    - ``gt_tube_boxes`` (np.ndarray, (N, T, 4) float32): tube boxes per clip frame (zeros where a
      tube does not cover the frame), pixels of the annotation ``resolution``.
    - ``gt_tube_valid`` (np.ndarray, (N, T) bool): whether tube n covers clip frame t.
    - ``gt_tube_labels`` (np.ndarray, (N,) int64).
    - ``clip_len``, ``num_clips`` (=1), ``frame_interval``.

    Args:
        clip_len (int): frames per clip. Defaults to 8.
        frame_interval (int): temporal stride between sampled frames. Defaults to 1.
        keep_uncovering_tubes (bool): keep tubes that cover no frame of the clip (all-invalid
            rows). Defaults to False.
    """

    def __init__(self, clip_len: int = 8, frame_interval: int = 1,
                 keep_uncovering_tubes: bool = False) -> None:
        if clip_len < 1 or frame_interval < 1:
            raise ValueError('clip_len and frame_interval must be >= 1')
        self.clip_len = clip_len
        self.frame_interval = frame_interval
        self.keep_uncovering_tubes = keep_uncovering_tubes

    def transform(self, results: Dict) -> Dict:
        key_index = self.clip_len // 2
        frame_ids = centred_clip_frames(results['keyframe'], self.clip_len,
                                        self.frame_interval, results['total_frames'])
        tubes = results['tubes']
        boxes = np.zeros((len(tubes), self.clip_len, 4), dtype=np.float32)
        valid = np.zeros((len(tubes), self.clip_len), dtype=bool)
        labels = np.array([t['label'] for t in tubes], dtype=np.int64)
        for n, tube in enumerate(tubes):
            tframes = tube['boxes'][:, 0].astype(np.int64)  # sorted by load_act_gt
            pos = np.searchsorted(tframes, frame_ids)
            pos_c = np.minimum(pos, len(tframes) - 1)
            hit = tframes[pos_c] == frame_ids
            boxes[n, hit] = tube['boxes'][pos_c[hit], 1:5]
            valid[n] = hit
        target = results.get('target', -1)
        if not self.keep_uncovering_tubes and len(tubes):
            keep = valid.any(axis=1)
            if target >= 0:
                keep[target] = True
                target = int(keep[:target].sum())
            boxes, valid, labels = boxes[keep], valid[keep], labels[keep]
            results['target'] = target
        results.update(
            frame_ids=frame_ids, key_index=key_index, gt_tube_boxes=boxes, gt_tube_valid=valid,
            gt_tube_labels=labels, clip_len=self.clip_len, num_clips=1,
            frame_interval=self.frame_interval)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(clip_len={self.clip_len}, '
                f'frame_interval={self.frame_interval}, '
                f'keep_uncovering_tubes={self.keep_uncovering_tubes})')


@TRANSFORMS.register_module()
class LoadFineSportsFrames(BaseTransform):
    """Decode the clip's frames from a video file (decord) or a frame folder (``{:05d}.jpg``).

    ACT frame ``f`` (1-based) is decoded index ``f - 1`` of a video and file ``{f:05d}.jpg`` of a
    frame folder. If the decoded size differs from the annotation ``resolution``, tube boxes are
    rescaled to the decoded size.

    Required keys: ``frame_ids``, ``media``, ``filename`` (video) or ``frame_dir`` (frames),
    ``video_id``, ``resolution``; optional ``gt_tube_boxes``.

    Added / modified keys: ``imgs`` (list of (H, W, 3) uint8 RGB), ``img_shape``,
    ``original_shape``, ``gt_tube_boxes`` (rescaled if needed).

    Args:
        num_threads (int): decord decoding threads. Defaults to 1.
        cache_videos (int): keep the fully decoded frames of up to this many videos in memory
            (per data-loader worker, least recently used dropped first) when clips of the same
            short videos are read again and again (dense clip sampling of short clips: the
            synthetic configs). 0 decodes only the clip's frames every time. Defaults to 0.
    """

    def __init__(self, num_threads: int = 1, cache_videos: int = 0) -> None:
        self.num_threads = num_threads
        self.cache_videos = cache_videos
        self._cache = OrderedDict()

    def _decode_video(self, results: Dict) -> list:
        path = results['filename']
        inds = results['frame_ids'].astype(np.int64) - 1
        if self.cache_videos and path in self._cache:
            self._cache.move_to_end(path)
            frames = self._cache[path]
            check_decoded_length(results, path, inds, len(frames))
            return [frames[i] for i in inds]
        reader = open_video(path, results['video_id'], self.num_threads)
        check_decoded_length(results, path, inds, len(reader))
        if self.cache_videos:
            frames = reader.get_batch(list(range(len(reader)))).asnumpy()
            self._cache[path] = frames
            while len(self._cache) > self.cache_videos:
                self._cache.popitem(last=False)
            return [frames[i] for i in inds]
        return gather_frames(reader, inds)

    def _decode_frames(self, results: Dict) -> list:
        return read_numbered_frames(results['frame_dir'], results['frame_ids'].tolist(),
                                    results['video_id'])

    def transform(self, results: Dict) -> Dict:
        if results['media'] == 'video':
            imgs = self._decode_video(results)
        else:
            imgs = self._decode_frames(results)
        h, w = imgs[0].shape[:2]
        res_h, res_w = results['resolution']
        if (h, w) != (res_h, res_w) and 'gt_tube_boxes' in results:
            scale = np.array([w / res_w, h / res_h, w / res_w, h / res_h], dtype=np.float32)
            results['gt_tube_boxes'] = results['gt_tube_boxes'] * scale
        results['imgs'] = imgs
        results['img_shape'] = (h, w)
        results['original_shape'] = (h, w)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(num_threads={self.num_threads}, '
                f'cache_videos={self.cache_videos})')

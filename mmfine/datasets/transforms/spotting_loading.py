"""Load a spotting clip (frame folder or video file), black frames outside the video."""
from typing import Dict, Optional, Sequence

import cv2
import numpy as np
from mmcv.transforms import BaseTransform

from mmfine.registry import TRANSFORMS
from .loading import check_decoded_length, gather_frames, open_video, read_numbered_frames


@TRANSFORMS.register_module()
class LoadSpottingClip(BaseTransform):
    """Read the frames ``[clip_start, clip_start + clip_len)`` of a video.

    Frames before 0 or from ``total_frames`` on are black (uint8 0), in training and in
    testing alike, so padded frames look the same to the model in both (E2E-Spot pads black
    before normalising in training but the mean colour at test, refs/spotting_facts.md
    section 7 item 8). A frame missing inside the video is an error naming the video and the
    file (E2E-Spot silently turns it into padding).

    Required keys: ``clip_start``, ``clip_len``, ``total_frames``, ``video_id`` and either
    ``frame_dir`` + ``filename_tmpl`` or ``filename`` (a video file). Added keys: ``imgs``
    (list of clip_len (H, W, 3) uint8 RGB), ``frame_valid`` (clip_len,) bool,
    ``img_shape``, ``original_shape``.

    Args:
        decode_size (Sequence[int], optional): ``(width, height)`` the frames are read at
            (videos: decoded at that size by decord; frame files: resized). Defaults to None
            (as stored).
        num_threads (int): decord threads. Defaults to 1.
    """

    def __init__(self, decode_size: Optional[Sequence[int]] = None, num_threads: int = 1) -> None:
        self.decode_size = None if decode_size is None else (int(decode_size[0]),
                                                             int(decode_size[1]))
        self.num_threads = num_threads

    def _read(self, results: Dict, inds: np.ndarray) -> list:
        vid = results['video_id']
        if 'filename' in results:
            import decord
            path = results['filename']
            open_video(path, vid)  # clear error when missing
            kw = {} if self.decode_size is None else dict(width=self.decode_size[0],
                                                          height=self.decode_size[1])
            reader = decord.VideoReader(path, num_threads=self.num_threads, **kw)
            check_decoded_length(results, path, inds, len(reader))
            return gather_frames(reader, inds)
        imgs = read_numbered_frames(results['frame_dir'], inds.tolist(), vid,
                                    results.get('filename_tmpl', '{:06d}.jpg'))
        if self.decode_size is not None:
            imgs = [cv2.resize(x, self.decode_size, interpolation=cv2.INTER_AREA)
                    if x.shape[1::-1] != self.decode_size else x for x in imgs]
        return imgs

    def transform(self, results: Dict) -> Dict:
        start, n = int(results['clip_start']), int(results['clip_len'])
        total = int(results['total_frames'])
        idx = np.arange(start, start + n)
        valid = (idx >= 0) & (idx < total)
        if not valid.any():
            raise ValueError(f"clip {start}..{start + n - 1} of video {results['video_id']!r} "
                             f'has no frame inside the video ({total} frames)')
        frames = self._read(results, idx[valid])
        shape = frames[0].shape
        if any(f.shape != shape for f in frames):
            raise ValueError(f"frames of video {results['video_id']!r} differ in size "
                             f'(first {shape[1]}x{shape[0]})')
        black = np.zeros(shape, np.uint8)
        it = iter(frames)
        results['imgs'] = [next(it) if ok else black for ok in valid.tolist()]
        results['frame_valid'] = valid
        results['img_shape'] = results['original_shape'] = shape[:2]
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(decode_size={self.decode_size}, '
                f'num_threads={self.num_threads})')

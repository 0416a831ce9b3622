"""Stream the frames of a long video: decode only what a window needs, at the model's size.

A 10-minute 1080p broadcast game is 15,000 frames of 6 MB each: it must never be decoded whole.
:class:`VideoStream` opens the file with decord at the size the model needs (decord resizes
while decoding), hands out frames by index with a bounded least-recently-used cache and
prefetches a few frames ahead, so sliding windows that advance frame by frame decode every frame
about once. :func:`sliding_window_starts` is the window layout every sliding-window inference
in mmfine uses.

Every decoding failure (missing, truncated or corrupt file, frames past the decodable end)
raises :class:`VideoReadError` with one line naming the file and the reason.
"""
import os.path as osp
from collections import OrderedDict
from typing import Iterator, Optional, Sequence, Tuple

import numpy as np


class VideoReadError(RuntimeError):
    """A video cannot be opened or decoded (message: file and reason, one line)."""


def _one_line(e: Exception) -> str:
    text = ' '.join(str(e).split())
    return text[:200] or type(e).__name__


class VideoStream:
    """Frames of a video file by index, decoded on demand at a fixed size.

    Args:
        path (str): video file (any container / codec decord's FFmpeg reads).
        size (tuple[int, int], optional): ``(w, h)`` to decode at. Defaults to the native size.
        cache_size (int): decoded frames kept (least recently used dropped first).
            Defaults to 64.
        prefetch (int): when a frame is missing, also decode up to this many frames after it
            (sequential decoding is much cheaper than seeking). Defaults to 16.
        num_threads (int): decord threads. Defaults to 1.

    Attributes:
        num_frames (int): frames in the file.
        fps (float): average frame rate (variable-rate videos: frames are addressed by index,
            the average rate is what an output video is written at).
        native_shape (tuple[int, int]): ``(h, w)`` of the file.
        shape (tuple[int, int]): ``(h, w)`` of the frames handed out.
    """

    def __init__(self, path: str, size: Optional[Tuple[int, int]] = None, cache_size: int = 64,
                 prefetch: int = 16, num_threads: int = 1) -> None:
        import decord
        if not osp.isfile(path):
            raise VideoReadError(f'{path}: video file not found')
        if cache_size < 1 or prefetch < 0:
            raise ValueError('cache_size must be >= 1 and prefetch >= 0')
        self.path = path
        self.cache_size = cache_size
        self.prefetch = min(prefetch, cache_size - 1)
        try:
            probe = decord.VideoReader(path, num_threads=1)
            self.num_frames = len(probe)
            self.fps = float(probe.get_avg_fps())
            self.native_shape = tuple(int(v) for v in probe[0].shape[:2])
            del probe
            if size is None or (int(size[1]), int(size[0])) == self.native_shape:
                self._reader = decord.VideoReader(path, num_threads=num_threads)
            else:
                w, h = (int(v) for v in size)
                if w < 1 or h < 1:
                    raise ValueError(f'decode size must be positive, got {size}')
                self._reader = decord.VideoReader(path, width=w, height=h,
                                                  num_threads=num_threads)
        except ValueError:
            raise
        except Exception as e:  # noqa: BLE001 (decord raises plain RuntimeErrors / DECORDError)
            raise VideoReadError(f'{path}: cannot open the video (not a video, truncated or '
                                 f'corrupt): {_one_line(e)}') from None
        if self.num_frames < 1:
            raise VideoReadError(f'{path}: the video has no frames')
        self.shape = self.native_shape if size is None else (int(size[1]), int(size[0]))
        self._cache = OrderedDict()

    def __len__(self) -> int:
        return self.num_frames

    def _decode(self, indices: Sequence[int]) -> np.ndarray:
        try:
            return self._reader.get_batch(list(indices)).asnumpy()
        except Exception as e:  # noqa: BLE001
            raise VideoReadError(
                f'{self.path}: cannot decode frames {indices[0]}..{indices[-1]} of '
                f'{self.num_frames} (file truncated or corrupt?): {_one_line(e)}') from None

    def get(self, indices: Sequence[int]) -> np.ndarray:
        """Frames by 0-based index.

        Args:
            indices (Sequence[int]): frame indices in ``[0, num_frames)``, any order, repeats
                allowed.

        Returns:
            np.ndarray: (n, h, w, 3) uint8 RGB.

        Raises:
            IndexError: an index outside the video.
            VideoReadError: decoding failed.
        """
        idx = [int(i) for i in indices]
        bad = [i for i in idx if not 0 <= i < self.num_frames]
        if bad:
            raise IndexError(f'{self.path}: frame index {bad[0]} outside [0, {self.num_frames})')
        missing = sorted({i for i in idx if i not in self._cache})
        if missing:
            want = set(missing)
            want.update(range(missing[-1] + 1,
                              min(missing[-1] + 1 + self.prefetch, self.num_frames)))
            want = sorted(want)[-self.cache_size:] if len(want) > self.cache_size else sorted(want)
            for i, frame in zip(want, self._decode(want)):
                self._cache[i] = frame
        out = []
        for i in idx:
            if i not in self._cache:  # more distinct frames asked than the cache holds
                self._cache[i] = self._decode([i])[0]
            self._cache.move_to_end(i)
            out.append(self._cache[i])
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return np.stack(out)

    def iter_frames(self) -> Iterator[Tuple[int, np.ndarray]]:
        """Every frame in order at :attr:`shape`, decoded sequentially, bypassing the cache.

        Decoded with OpenCV's sequential reader: decord's keeps decoding ahead of a slow
        consumer (an encoder writing each frame), which grew the process by about 1 GB on a
        30 s 720p video, while OpenCV stays flat (``benchmarks/video_inference_memory.py``).
        If OpenCV cannot open the file or stops early, the remaining frames come from decord
        in small batches.

        Yields:
            tuple: ``(0-based index, (h, w, 3) uint8 RGB frame)``.
        """
        import cv2
        h, w = self.shape
        cap = cv2.VideoCapture(self.path)
        i = 0
        try:
            while cap.isOpened() and i < self.num_frames:
                ok, frame = cap.read()
                if not ok:
                    break
                if frame.shape[:2] != (h, w):
                    frame = cv2.resize(frame, (w, h), interpolation=cv2.INTER_AREA)
                yield i, cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
                i += 1
        finally:
            cap.release()
        for start in range(i, self.num_frames, 4):  # what OpenCV could not read
            batch = self._decode(list(range(start, min(start + 4, self.num_frames))))
            for j, frame in enumerate(batch):
                yield start + j, frame


class ArrayStream:
    """The :class:`VideoStream` interface over frames already in memory ((T, H, W, 3) RGB)."""

    def __init__(self, frames: np.ndarray, fps: Optional[float] = None) -> None:
        frames = np.asarray(frames)
        if frames.ndim != 4 or frames.shape[-1] != 3 or len(frames) == 0:
            raise ValueError(f'expected (T, H, W, 3) frames, got shape {frames.shape}')
        self.frames, self.fps, self.path = frames, fps, '<array>'
        self.num_frames = len(frames)
        self.native_shape = self.shape = tuple(frames.shape[1:3])

    def __len__(self) -> int:
        return self.num_frames

    def get(self, indices: Sequence[int]) -> np.ndarray:
        return self.frames[np.asarray(indices, np.int64)]

    def iter_frames(self) -> Iterator[Tuple[int, np.ndarray]]:
        yield from enumerate(self.frames)


def sliding_window_starts(num_frames: int, window: int, stride: Optional[int] = None
                          ) -> np.ndarray:
    """Start frames of windows of ``window`` frames every ``stride`` frames covering a video.

    The last window ends at the last frame (it may overlap its predecessor more); a video
    shorter than one window gets one window starting at 0 (the caller pads it).

    Args:
        num_frames (int): frames in the video.
        window (int): frames per window.
        stride (int, optional): Defaults to ``window // 2`` (half overlap, as E2E-Spot).

    Returns:
        np.ndarray: (n,) int64 start frames, increasing.
    """
    if num_frames < 1 or window < 1:
        raise ValueError(f'num_frames and window must be >= 1, got {num_frames}, {window}')
    stride = max(window // 2, 1) if stride is None else stride
    if stride < 1:
        raise ValueError(f'stride must be >= 1, got {stride}')
    last = max(num_frames - window, 0)
    starts = np.arange(0, last + 1, stride, dtype=np.int64)
    if starts[-1] != last:
        starts = np.r_[starts, last]
    return starts

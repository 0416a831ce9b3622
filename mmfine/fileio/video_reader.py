"""Stream the frames of a long video: decode only what a window needs, at the model's size.

A 10-minute 1080p broadcast game is 15,000 frames of 6 MB each: it must never be decoded whole.
:class:`VideoStream` hands out frames by index at the size the model needs, through a bounded
least-recently-used cache. Sliding windows move forward, so frames ahead of the reader are
decoded sequentially (every frame about once, skipped frames only grabbed); frames behind it
(a window that looks back past the cache) are read by random access with decord, which also
gives the frame count, rate and size.

Why not decord for everything: its decoder thread keeps decoding ahead of a slow consumer
(a model step, an encoder writing each frame). Measured on this 2-core machine with a
2-minute 1280x720 video read at 400x224 in 7-frame windows: the process grew from 372 MB to
907 MB when each window was followed by 30 ms of other work (flat at 389 MB without it), and by
about 1 GB on a 30 s video written frame by frame; OpenCV's sequential reader stays flat
(``benchmarks/video_inference_memory.py``). :func:`sliding_window_starts` is the window layout
every sliding-window inference in mmfine uses.

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
        path (str): video file (any container / codec FFmpeg reads).
        size (tuple[int, int], optional): ``(w, h)`` of the frames handed out. Defaults to the
            native size.
        cache_size (int): decoded frames kept (least recently used dropped first).
            Defaults to 64.
        num_threads (int): decord threads for random access. Defaults to 1.

    Attributes:
        num_frames (int): frames in the file.
        fps (float): average frame rate (variable-rate videos: frames are addressed by index,
            the average rate is what an output video is written at).
        native_shape (tuple[int, int]): ``(h, w)`` of the file.
        shape (tuple[int, int]): ``(h, w)`` of the frames handed out.
    """

    def __init__(self, path: str, size: Optional[Tuple[int, int]] = None, cache_size: int = 64,
                 num_threads: int = 1) -> None:
        import decord
        if not osp.isfile(path):
            raise VideoReadError(f'{path}: video file not found')
        if cache_size < 1:
            raise ValueError('cache_size must be >= 1')
        self.path = path
        self.cache_size = cache_size
        self.num_threads = num_threads
        try:
            probe = decord.VideoReader(path, num_threads=1)
            self.num_frames = len(probe)
            self.fps = float(probe.get_avg_fps())
            self.native_shape = tuple(int(v) for v in probe[0].shape[:2])
            del probe
        except Exception as e:  # noqa: BLE001 (decord raises plain RuntimeErrors / DECORDError)
            raise VideoReadError(f'{path}: cannot open the video (not a video, truncated or '
                                 f'corrupt): {_one_line(e)}') from None
        if self.num_frames < 1:
            raise VideoReadError(f'{path}: the video has no frames')
        self._cache = OrderedDict()
        self._random = None  # decord reader at self.shape, opened on the first look back
        self._cap, self._next = None, 0  # sequential reader and the index it returns next
        self.set_size(size)

    def __len__(self) -> int:
        return self.num_frames

    def set_size(self, size: Optional[Tuple[int, int]]) -> None:
        """Hand out frames at ``(w, h)`` (None: native) from now on, e.g. once the native size
        read at opening has chosen it; only before any frame is decoded."""
        if self._cache or self._random is not None or self._cap is not None:
            raise RuntimeError(f'{self.path}: set_size after frames were decoded')
        if size is not None and (int(size[0]) < 1 or int(size[1]) < 1):
            raise ValueError(f'decode size must be positive, got {size}')
        self.shape = self.native_shape if size is None else (int(size[1]), int(size[0]))

    # ------------------------------------------------------------------ decoding
    def _open_sequential(self):
        """OpenCV's sequential reader, frames as stored (no automatic rotation: decord,
        which gives the size and the random-access frames, does not rotate either)."""
        import cv2
        cap = cv2.VideoCapture(self.path)
        if hasattr(cv2, 'CAP_PROP_ORIENTATION_AUTO'):
            cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 0)
        return cap

    def _fit(self, frame_bgr: np.ndarray) -> np.ndarray:
        import cv2
        h, w = self.shape
        if frame_bgr.shape[:2] != (h, w):
            shrink = h * w < frame_bgr.shape[0] * frame_bgr.shape[1]
            frame_bgr = cv2.resize(frame_bgr, (w, h),
                                   interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR)
        return cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2RGB)

    def _decode_random(self, indices: Sequence[int]) -> np.ndarray:
        """Frames by random access (decord), at :attr:`shape`."""
        import decord
        try:
            if self._random is None:
                h, w = self.shape
                kw = {} if self.shape == self.native_shape else dict(width=w, height=h)
                self._random = decord.VideoReader(self.path, num_threads=self.num_threads, **kw)
            return self._random.get_batch(list(indices)).asnumpy()
        except Exception as e:  # noqa: BLE001
            raise VideoReadError(
                f'{self.path}: cannot decode frames {indices[0]}..{indices[-1]} of '
                f'{self.num_frames} (file truncated or corrupt?): {_one_line(e)}') from None

    def _read_forward(self, wanted: Sequence[int]) -> dict:
        """Frames ``wanted`` (sorted, all >= the sequential position) read in order; frames in
        between are only grabbed. What OpenCV cannot read comes from decord."""
        out = {}
        if self._cap is None:
            self._cap, self._next = self._open_sequential(), 0
        for k, target in enumerate(wanted):
            ok = self._cap.isOpened()
            while ok and self._next < target:
                ok = self._cap.grab()
                self._next += ok
            if ok:
                ok, frame = self._cap.read()
            if not ok:  # OpenCV stops early (or cannot open it): decord for the rest
                self._cap.release()
                self._cap, self._next = None, self.num_frames
                rest = list(wanted[k:])
                out.update(zip(rest, self._decode_random(rest)))
                return out
            self._next += 1
            out[target] = self._fit(frame)
        return out

    def get(self, indices: Sequence[int]) -> np.ndarray:
        """Frames by 0-based index.

        Args:
            indices (Sequence[int]): frame indices in ``[0, num_frames)``, any order, repeats
                allowed (at most ``cache_size`` distinct ones per call stay cached).

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
        ahead = [i for i in missing if i >= self._next]
        behind = [i for i in missing if i < self._next]
        got = dict(zip(behind, self._decode_random(behind))) if behind else {}
        got.update(self._read_forward(ahead) if ahead else {})
        out = [self._cache[i] if i in self._cache else got[i] for i in idx]
        for i, frame in got.items():
            self._cache[i] = frame
        for i in idx:
            self._cache.move_to_end(i)
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return np.stack(out)

    def iter_frames(self) -> Iterator[Tuple[int, np.ndarray]]:
        """Every frame in order at :attr:`shape`, decoded sequentially, bypassing the cache.

        Yields:
            tuple: ``(0-based index, (h, w, 3) uint8 RGB frame)``.
        """
        cap = self._open_sequential()
        i = 0
        try:
            while cap.isOpened() and i < self.num_frames:
                ok, frame = cap.read()
                if not ok:
                    break
                yield i, self._fit(frame)
                i += 1
        finally:
            cap.release()
        for start in range(i, self.num_frames, 4):  # what OpenCV could not read
            batch = self._decode_random(list(range(start, min(start + 4, self.num_frames))))
            for j, frame in enumerate(batch):
                yield start + j, frame

    def close(self) -> None:
        """Release the decoders (also done when the stream is garbage-collected)."""
        if self._cap is not None:
            self._cap.release()
        self._cap, self._random, self._next = None, None, 0
        self._cache.clear()


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


def trim_heap() -> bool:
    """Return freed heap memory to the operating system (glibc ``malloc_trim``; a no-op
    elsewhere).

    A long streamed inference allocates large short-lived buffers (frames, clip tensors)
    between small long-lived ones (the detections kept for linking); glibc then keeps the
    freed pages, and the resident size crept up by about 200 MB over a 10-minute video
    (``benchmarks/video_inference_memory.py``). Called every few dozen batches, it keeps the
    peak flat; lowering glibc's mmap threshold did too, but made inference 40 % slower.

    Returns:
        bool: True if glibc's ``malloc_trim`` was called.
    """
    global _MALLOC_TRIM
    if _MALLOC_TRIM is None:
        try:
            import ctypes
            _MALLOC_TRIM = ctypes.CDLL('libc.so.6').malloc_trim
        except (OSError, AttributeError):
            _MALLOC_TRIM = False
    if not _MALLOC_TRIM:
        return False
    _MALLOC_TRIM(0)
    return True


_MALLOC_TRIM = None


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


def centred_clip_keyframes(num_frames: int, stride: int = 1) -> np.ndarray:
    """1-based keyframes of the clip-per-frame layout: every ``stride``-th frame from frame 1
    (the dataset's ``'frame'`` sampling and the streamed inference both use it).

    Returns:
        np.ndarray: (ceil(num_frames / stride),) int64.
    """
    if num_frames < 1 or stride < 1:
        raise ValueError(f'num_frames and stride must be >= 1, got {num_frames}, {stride}')
    return np.arange(1, num_frames + 1, stride, dtype=np.int64)


def centred_clip_frames(keyframe: int, clip_len: int, frame_interval: int,
                        num_frames: int) -> np.ndarray:
    """1-based frames of the clip centred on ``keyframe`` (at index ``clip_len // 2``, as the
    PoSTAL release); frames before 1 or after ``num_frames`` repeat the nearest valid one.

    Returns:
        np.ndarray: (clip_len,) int64.
    """
    offsets = (np.arange(clip_len) - clip_len // 2) * frame_interval
    return np.clip(int(keyframe) + offsets, 1, num_frames).astype(np.int64)

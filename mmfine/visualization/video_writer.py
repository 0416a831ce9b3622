"""Re-encode a video frame by frame with a drawing callback (streamed: one frame in memory)."""
import os
import os.path as osp
from typing import Callable, Optional

import cv2
import numpy as np

from mmfine.fileio import VideoStream


def write_annotated_video(path: str, out: str, draw: Callable[[int, np.ndarray], np.ndarray],
                          fps: Optional[float] = None) -> int:
    """Decode ``path`` sequentially at its own size, pass each frame through ``draw(index,
    rgb_frame) -> rgb_frame`` and write ``out`` (mp4v).

    Returns:
        int: frames written.
    """
    stream = VideoStream(path, cache_size=1)
    h, w = stream.native_shape
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    writer = cv2.VideoWriter(out, cv2.VideoWriter_fourcc(*'mp4v'), fps or stream.fps or 25.0,
                             (w, h))
    if not writer.isOpened():
        raise RuntimeError(f'OpenCV cannot write {out}')
    written = 0
    try:
        for i, frame in stream.iter_frames():
            writer.write(cv2.cvtColor(draw(i, frame), cv2.COLOR_RGB2BGR))
            written += 1
    finally:
        writer.release()
        stream.close()
    return written

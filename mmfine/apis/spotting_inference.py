"""Spot events in a video file of any length: streamed sliding windows, stitched scores,
E2E-Spot's suppression."""
import copy
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import Compose
from mmengine.registry import DefaultScope

from mmfine.evaluation.functional import WindowScoreStitcher, scores_to_events, spot_nms
from mmfine.fileio import VideoStream
from mmfine.fileio.video_reader import sliding_window_starts, trim_heap


def _test_steps(cfg: Config) -> Tuple[Compose, Optional[Tuple[int, int]], Optional[int]]:
    """The test pipeline after ``LoadSpottingClip``, its decode size and its crop height."""
    steps = copy.deepcopy(cfg.test_dataloader.dataset.pipeline)
    names = [s['type'] for s in steps]
    if 'LoadSpottingClip' not in names:
        raise ValueError(f'inference_spotter: the test pipeline has no LoadSpottingClip '
                         f'({names})')
    i = names.index('LoadSpottingClip')
    size = steps[i].get('decode_size')
    crop = next((s['size'] for s in steps[i + 1:] if s['type'] == 'ClipCrop'), None)
    crop_h = None if crop is None else (crop if isinstance(crop, int) else crop[1])
    with DefaultScope.overwrite_default_scope('mmfine'):
        return Compose(steps[i + 1:]), None if size is None else tuple(size), crop_h


def decode_size_for(native_shape: Tuple[int, int], cfg: Config,
                    height: Optional[int] = None) -> Tuple[int, int]:
    """The ``(w, h)`` a video is decoded at: the test pipeline's ``decode_size`` if set, else
    the aspect ratio kept at ``height`` (default: the test crop's height, e.g. 224, or the
    native height when there is no crop).

    Args:
        native_shape (tuple[int, int]): ``(h, w)`` of the file.
        cfg (Config): the model's config.
        height (int, optional): decode height.
    """
    _, size, crop_h = _test_steps(cfg)
    if size is not None and height is None:
        return size
    h = height or crop_h or native_shape[0]
    w = max(int(round(native_shape[1] * h / native_shape[0])), 1)
    if crop_h is not None:
        w = max(w, crop_h)
    return w, h


@torch.no_grad()
def inference_spotter(model: torch.nn.Module, video: str, batch_size: int = 4,
                      window_stride: Optional[int] = None, height: Optional[int] = None,
                      score_thr: float = 0.01, nms_window: Optional[int] = 1,
                      classes: Optional[Sequence[str]] = None) -> Dict:
    """Per-frame class scores and spotted events of a video file.

    The video is read through :class:`~mmfine.fileio.VideoStream` at the model's size
    (:func:`decode_size_for`): windows of ``clip_len`` frames every ``window_stride``
    (default half a window, E2E-Spot's test overlap; :func:`sliding_window_starts`), a video
    shorter than a window padded with black frames as in testing; the config's test
    transforms after ``LoadSpottingClip`` (e.g. the centre crop) on each window; the
    windows' softmax scores averaged per frame (:class:`WindowScoreStitcher`); every
    (frame, class) scoring >= ``score_thr``, then E2E-Spot's per-class suppression
    (:func:`spot_nms`, an event is dropped if a higher one of its class is within
    ``nms_window`` frames). Memory does not grow with the video: a bounded frame cache and an
    (N, K + 1) score buffer.

    Args:
        model (nn.Module): a :class:`~mmfine.models.Spotter` with ``cfg`` (see
            :func:`init_model`).
        video (str): video file.
        batch_size (int): windows per forward pass. Defaults to 4.
        window_stride (int, optional): Defaults to ``clip_len // 2``.
        height (int, optional): decode height (see :func:`decode_size_for`).
        score_thr (float): Defaults to 0.01.
        nms_window (int, optional): Defaults to 1 (FineDiving / FineGym; SoccerNet: 2);
            None: no suppression.
        classes (Sequence[str], optional): class names (default: the checkpoint's
            ``dataset_meta``, else the test dataset's class file).

    Returns:
        dict: ``scores`` (N, K + 1) float32, ``events`` (list of ``{'frame', 'label',
        'label_index', 'score', 'time'}``, by frame; ``time`` in seconds when the video has a
        frame rate), ``fps``, ``num_frames``, ``classes``, ``decode_size``.
    """
    cfg = model.cfg
    steps, _, _ = _test_steps(cfg)
    clip_len = int(model.clip_len or cfg.test_dataloader.dataset.get('clip_len', 100))
    classes = list(classes or (model.dataset_meta or {}).get('classes') or
                   _classes_of(cfg))
    stream = VideoStream(video, cache_size=2 * clip_len)
    size = decode_size_for(stream.native_shape, cfg, height)
    stream.set_size(size)
    N = stream.num_frames
    stitcher = None
    starts = sliding_window_starts(N, clip_len, window_stride or max(clip_len // 2, 1))
    device = next(model.parameters()).device
    for b in range(0, len(starts), batch_size):
        clips, firsts = [], []
        for s in starts[b:b + batch_size].tolist():
            idx = np.arange(s, s + clip_len)
            valid = idx < N
            frames = stream.get(idx[valid].tolist())
            pad = np.zeros((clip_len - len(frames),) + frames.shape[1:], np.uint8)
            res = steps(dict(imgs=list(np.concatenate([frames, pad])), frame_valid=valid,
                             gt_frame_labels=np.zeros(clip_len, np.int64), video_id=video,
                             clip_start=s, total_frames=N, event_frames=np.zeros(0, np.int64),
                             event_labels=np.zeros(0, np.int64),
                             img_shape=frames.shape[1:3]))
            clips.append(res['inputs'])
            firsts.append((s, int(valid.sum())))
        data = model.data_preprocessor(dict(inputs=clips, data_samples=None), False)
        scores = model.head.predict(model._forward(data['inputs'].to(device))).cpu().numpy()
        if stitcher is None:
            stitcher = WindowScoreStitcher(N, scores.shape[-1])
        for (s, n), sc in zip(firsts, scores):
            stitcher.add(s, sc[:n])
        if b // batch_size % 16 == 15:
            trim_heap()
    stream.close()
    scores = stitcher.result()
    return dict(scores=scores, events=events_from_scores(scores, classes, score_thr, nms_window,
                                                         stream.fps),
                fps=stream.fps, num_frames=N, classes=classes, decode_size=size)


def events_from_scores(scores: np.ndarray, classes: Sequence[str], score_thr: float = 0.01,
                       nms_window: Optional[int] = 1, fps: Optional[float] = None) -> List[Dict]:
    """Events of stitched (N, K + 1) scores: thresholded, suppressed, ordered by frame."""
    ev = scores_to_events(scores, score_thr)
    if nms_window is not None and len(ev['frames']):
        keep = spot_nms(ev['labels'], ev['frames'], ev['scores'], nms_window)
        ev = {k: v[keep] for k, v in ev.items()}
    order = np.lexsort((-ev['scores'], ev['frames']))
    out = []
    for i in order.tolist():
        f, k = int(ev['frames'][i]), int(ev['labels'][i])
        e = dict(frame=f, label=classes[k] if k < len(classes) else str(k), label_index=k,
                 score=round(float(ev['scores'][i]), 6))
        if fps and fps > 0:
            e['time'] = round(f / fps, 3)
        out.append(e)
    return out


def _classes_of(cfg: Config) -> List[str]:
    """The test dataset's class names, or none when its class file is not on this machine
    (events are then named by index)."""
    from mmfine.datasets import load_spotting_classes
    try:
        return load_spotting_classes(cfg.test_dataloader.dataset.class_file)
    except FileNotFoundError:
        return []

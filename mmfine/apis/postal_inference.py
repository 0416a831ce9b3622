"""PoSTAL inference on a video file: streamed clips -> frame detections -> tubes."""
import copy
import os.path as osp
from typing import Dict, List, Optional, Tuple, Union

import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import Compose
from mmengine.registry import DefaultScope

from mmfine.fileio.video_reader import (ArrayStream, VideoStream, centred_clip_keyframes,
                                        trim_heap)
from mmfine.registry import TASK_UTILS
from .model_init import init_model


def init_postal(config: Union[str, Config], checkpoint: Optional[str] = None,
                device: str = 'cpu') -> torch.nn.Module:
    """Build a PoSTAL model from a config and load a checkpoint (:func:`init_model`)."""
    return init_model(config, checkpoint, device)


def _split_pipeline(cfg: Config, input_size: Optional[Tuple[int, int]] = None) -> tuple:
    """The test pipeline before and after frame loading (frames come from the stream here).

    Returns:
        tuple: ``(pre, post, resize)``: the composed steps before ``LoadFineSportsFrames``, the
        composed steps after it, and the built first resize step after it (None if there is
        none). With ``input_size`` = ``(w, h)``, that resize is replaced (or a
        ``TubeResize(scale=input_size, keep_ratio=False)`` inserted) so the model sees
        ``input_size`` frames.
    """
    steps = copy.deepcopy(cfg.test_dataloader.dataset.pipeline)
    names = [s['type'] for s in steps]
    if 'LoadFineSportsFrames' not in names:
        raise ValueError('inference_postal: the test pipeline has no LoadFineSportsFrames step '
                         f'({names})')
    i = names.index('LoadFineSportsFrames')
    post = steps[i + 1:]
    for s in post:
        if s['type'] == 'PackFineSportsInputs':
            s['with_video_tubes'] = False
    if input_size is not None:
        resize = dict(type='TubeResize', scale=tuple(int(v) for v in input_size),
                      keep_ratio=False)
        if post and post[0]['type'] == 'TubeResize':
            post[0] = resize
        else:
            post.insert(0, resize)
    with DefaultScope.overwrite_default_scope('mmfine'):
        pre, rest = Compose(steps[:i]), Compose(post)
    first = rest.transforms[0] if rest.transforms else None
    return pre, rest, first if type(first).__name__ == 'TubeResize' else None


def decode_size(cfg: Config, native_shape: Tuple[int, int],
                input_size: Optional[Tuple[int, int]] = None) -> Tuple[int, int]:
    """``(w, h)`` at which to decode a ``native_shape`` = ``(h, w)`` video for this config.

    The size the config's first resize step after frame loading would produce from a
    native-size frame (so decoding at it makes that step a no-op), ``input_size`` if given,
    else the native size (a test pipeline without a resize feeds frames as they are).
    """
    _, _, resize = _split_pipeline(cfg, input_size)
    h, w = native_shape
    if resize is None:
        return int(w), int(h)
    return tuple(int(v) for v in resize._target_size(h, w))


def open_video(path: str, cfg: Config, input_size: Optional[Tuple[int, int]] = None,
               cache_size: Optional[int] = None) -> VideoStream:
    """A :class:`VideoStream` of ``path`` decoding at :func:`decode_size` of the config, with a
    cache that holds a clip of the config's test pipeline plus a batch of look-ahead."""
    if cache_size is None:
        span = 1
        for s in cfg.test_dataloader.dataset.pipeline:
            if s['type'] == 'SampleTubeClip':
                span = (s.get('clip_len', 8) - 1) * s.get('frame_interval', 1) + 1
        cache_size = span + 32
    stream = VideoStream(path, cache_size=cache_size)  # opened once: probe, then resize
    stream.set_size(decode_size(cfg, stream.native_shape, input_size))
    return stream


def config_linker(cfg: Config) -> dict:
    """The config's ``test_evaluator.linker`` (a :class:`TubeLinker` config; its defaults if
    the config has none)."""
    linker = dict(cfg.get('test_evaluator', {}).get('linker') or {})
    linker.setdefault('type', 'TubeLinker')
    return linker


@torch.no_grad()
def inference_postal(model: torch.nn.Module, video: Union[str, np.ndarray, VideoStream],
                     prompt: Optional[str] = None, frame_stride: int = 1, batch_size: int = 8,
                     linker: Optional[dict] = None,
                     input_size: Optional[Tuple[int, int]] = None) -> Dict:
    """Detect and link the prompted player's action tubes in a whole video, streamed.

    A clip is centred on every ``frame_stride``-th frame (the config's test pipeline); its
    frames are decoded from the file on demand, at the model's input size (the config's test
    resize, or ``input_size``), through a bounded cache: memory does not grow with the video.
    The detections of each clip's centre frame are that frame's detections, mapped back to the
    video's native pixels; they are linked into tubes with ``linker`` (default: the config's
    ``test_evaluator.linker``, else :class:`TubeLinker` defaults; its ``max_gap`` is raised to
    ``frame_stride - 1``, the frames between two clip centres).

    Args:
        model: from :func:`init_postal`.
        video (str | np.ndarray | VideoStream): a video file, an open stream (its size is
            used as decoded), or (T, H, W, 3) RGB frames already in memory.
        prompt (str, optional): "a player wearing a <colour> jersey number <n>"; None fills
            the prompt's words from the video (the release's test-time mode).
        frame_stride (int): Defaults to 1.
        batch_size (int): clips per forward pass. Defaults to 8.
        linker (dict, optional): :class:`TubeLinker` config.
        input_size (tuple[int, int], optional): ``(w, h)`` of the frames the model sees,
            overriding the config's test resize. Defaults to None.

    Returns:
        dict: ``frame_dets`` (``frame`` (K,) 1-based, ``label``, ``score``, ``box`` (K, 4)
        pixels of the native video), ``tubes`` (list of ``{'label', 'score', 'boxes' (n, 5)}``),
        ``num_frames``, ``resolution`` (native h, w), ``input_shape`` (h, w of the frames
        decoded), ``fps``, ``prompt``.

    Raises:
        VideoReadError: the file cannot be opened or decoded (one line: file and reason).
    """
    if isinstance(video, str):
        stream = open_video(video, model.cfg, input_size)
        video_id = osp.splitext(osp.basename(video))[0]
    elif isinstance(video, np.ndarray):
        stream, video_id = ArrayStream(video), 'video'
    else:
        stream, video_id = video, osp.splitext(osp.basename(video.path))[0]
    T = stream.num_frames
    H, W = stream.native_shape
    h, w = stream.shape
    pre, post, _ = _split_pipeline(model.cfg, input_size)
    device = next(model.parameters()).device
    dets = {k: [] for k in ('frame', 'label', 'score', 'box')}
    batch, done = [], [0]

    def flush():
        data = dict(inputs=[b['inputs'] for b in batch],
                    data_samples=[b['data_samples'] for b in batch])
        data = model.data_preprocessor(data, False)
        out = model.predict(data['inputs'].to(device), data['data_samples'],
                            prompts=[prompt] * len(batch))
        for s in out:
            for k in dets:  # copies: no view keeps a whole batch's tensors alive
                dets[k].append(s.pred_frame_dets[k].detach().cpu().numpy().copy())
        batch.clear()
        done[0] += 1
        if done[0] % 32 == 0:  # long videos: keep freed buffers from piling up (trim_heap)
            trim_heap()

    for key in centred_clip_keyframes(T, frame_stride):  # as FineSportsDataset's 'frame' mode
        res = pre(dict(video_id=video_id, media='video', total_frames=T, resolution=(H, W),
                       tubes=[], prompt=prompt, keyframe=int(key), target=-1, label=-1))
        res['imgs'] = list(stream.get(np.asarray(res['frame_ids'], np.int64) - 1))
        res['img_shape'] = res['original_shape'] = (h, w)  # boxes go back to (H, W) pixels
        batch.append(post(res))
        if len(batch) == batch_size:
            flush()
    if batch:
        flush()
    dets = {k: (np.concatenate(v) if v else np.zeros((0, 4) if k == 'box' else 0))
            for k, v in dets.items()}
    dets['box'] = dets['box'].reshape(-1, 4)
    linker = dict(config_linker(model.cfg) if linker is None else linker)
    linker.setdefault('type', 'TubeLinker')
    # with a clip every frame_stride frames the frames in between are not missed detections
    linker['max_gap'] = max(int(linker.get('max_gap', 0)), frame_stride - 1)
    tubes = TASK_UTILS.build(linker)(dets['frame'], dets['label'], dets['score'], dets['box'])
    return dict(frame_dets=dets, tubes=tubes, num_frames=T, resolution=(H, W),
                input_shape=(h, w), fps=stream.fps, prompt=prompt)


def tubes_to_json(result: Dict, classes: Optional[List[str]] = None) -> Dict:
    """JSON-serialisable tubes of :func:`inference_postal`."""
    tubes = []
    for t in result['tubes']:
        item = dict(label=int(t['label']), score=float(t['score']),
                    boxes=[[int(r[0])] + [round(float(v), 2) for v in r[1:]]
                           for r in t['boxes']])
        if classes is not None:
            item['class'] = classes[int(t['label'])]
        tubes.append(item)
    return dict(prompt=result['prompt'], num_frames=result['num_frames'],
                resolution=list(result['resolution']),
                input_shape=list(result.get('input_shape', result['resolution'])),
                fps=result['fps'], tubes=tubes)

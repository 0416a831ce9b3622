"""PoSTAL inference on a video file: sliding-window clips -> frame detections -> tubes."""
import copy
import os.path as osp
from typing import Dict, List, Optional, Union

import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import Compose
from mmengine.registry import DefaultScope
from mmengine.runner import load_checkpoint

from mmfine.registry import MODELS, TASK_UTILS


def init_postal(config: Union[str, Config], checkpoint: Optional[str] = None,
                device: str = 'cpu') -> torch.nn.Module:
    """Build a PoSTAL model from a config and load a checkpoint.

    The model gets ``cfg`` (the config) and ``dataset_meta`` (class names saved in the
    checkpoint by the training runner, else ``None``).
    """
    import mmfine.utils as mmfine_utils
    mmfine_utils.register_all_modules()
    cfg = Config.fromfile(config) if isinstance(config, str) else copy.deepcopy(config)
    with DefaultScope.overwrite_default_scope('mmfine'):
        model = MODELS.build(cfg.model)
    model.cfg = cfg
    model.dataset_meta = None
    if checkpoint is not None:
        ckpt = load_checkpoint(model, checkpoint, map_location='cpu')
        model.dataset_meta = ckpt.get('meta', {}).get('dataset_meta')
    return model.to(device).eval()


def _split_pipeline(cfg: Config) -> tuple:
    """The test pipeline before and after frame loading (frames come from memory here)."""
    steps = copy.deepcopy(cfg.test_dataloader.dataset.pipeline)
    names = [s['type'] for s in steps]
    if 'LoadFineSportsFrames' not in names:
        raise ValueError('inference_postal: the test pipeline has no LoadFineSportsFrames step '
                         f'({names})')
    i = names.index('LoadFineSportsFrames')
    for s in steps[i + 1:]:
        if s['type'] == 'PackFineSportsInputs':
            s['with_video_tubes'] = False
    with DefaultScope.overwrite_default_scope('mmfine'):
        return Compose(steps[:i]), Compose(steps[i + 1:])


def decode_video(path: str) -> tuple:
    """All frames of a video with decord: (T, H, W, 3) uint8 RGB and the frame rate."""
    import decord
    if not osp.isfile(path):
        raise FileNotFoundError(f'video not found: {path}')
    reader = decord.VideoReader(path, num_threads=1)
    frames = reader.get_batch(list(range(len(reader)))).asnumpy()
    return frames, float(reader.get_avg_fps())


@torch.no_grad()
def inference_postal(model: torch.nn.Module, video: Union[str, np.ndarray],
                     prompt: Optional[str] = None, frame_stride: int = 1, batch_size: int = 8,
                     linker: Optional[dict] = None) -> Dict:
    """Detect and link the prompted player's action tubes in a whole video.

    A clip is centred on every ``frame_stride``-th frame (the config's test pipeline); the
    detections of each clip's centre frame are that frame's detections; they are linked into
    tubes with ``linker`` (default: the config's ``test_evaluator.linker``, else
    :class:`TubeLinker` defaults).

    Args:
        model: from :func:`init_postal`.
        video (str | np.ndarray): a video file (decoded with decord) or (T, H, W, 3) RGB frames.
        prompt (str, optional): "a player wearing a <colour> jersey number <n>"; None fills
            the prompt's words from the video (the release's test-time mode).
        frame_stride (int): Defaults to 1.
        batch_size (int): clips per forward pass. Defaults to 8.
        linker (dict, optional): :class:`TubeLinker` config.

    Returns:
        dict: ``frame_dets`` (``frame`` (K,) 1-based, ``label``, ``score``, ``box`` (K, 4)
        pixels), ``tubes`` (list of ``{'label', 'score', 'boxes' (n, 5)}``), ``num_frames``,
        ``resolution`` (h, w), ``fps``, ``prompt``.
    """
    fps = None
    if isinstance(video, str):
        frames, fps = decode_video(video)
        video_id = osp.splitext(osp.basename(video))[0]
    else:
        frames, video_id = np.asarray(video), 'video'
    T, H, W = frames.shape[:3]
    pre, post = _split_pipeline(model.cfg)
    device = next(model.parameters()).device
    dets = {k: [] for k in ('frame', 'label', 'score', 'box')}
    batch = []

    def flush():
        data = dict(inputs=[b['inputs'] for b in batch],
                    data_samples=[b['data_samples'] for b in batch])
        data = model.data_preprocessor(data, False)
        out = model.predict(data['inputs'].to(device), data['data_samples'],
                            prompts=[prompt] * len(batch))
        for s in out:
            for k in dets:
                dets[k].append(s.pred_frame_dets[k].detach().cpu().numpy())
        batch.clear()

    for key in range(1, T + 1, frame_stride):
        res = pre(dict(video_id=video_id, media='video', total_frames=T, resolution=(H, W),
                       tubes=[], prompt=prompt, keyframe=key, target=-1, label=-1))
        res['imgs'] = [frames[int(f) - 1] for f in res['frame_ids']]
        res['img_shape'] = res['original_shape'] = (H, W)
        batch.append(post(res))
        if len(batch) == batch_size:
            flush()
    if batch:
        flush()
    dets = {k: (np.concatenate(v) if v else np.zeros((0, 4) if k == 'box' else 0))
            for k, v in dets.items()}
    dets['box'] = dets['box'].reshape(-1, 4)
    if linker is None:
        linker = dict(model.cfg.get('test_evaluator', {}).get('linker') or {})
        linker.setdefault('type', 'TubeLinker')
    tubes = TASK_UTILS.build(linker)(dets['frame'], dets['label'], dets['score'], dets['box'])
    return dict(frame_dets=dets, tubes=tubes, num_frames=T, resolution=(H, W), fps=fps,
                prompt=prompt)


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
                resolution=list(result['resolution']), fps=result['fps'], tubes=tubes)

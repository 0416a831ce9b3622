"""FineParser inference on a video file of one dive: the score voted by exemplars of its dive
number, the step transitions and the diver's mask per sampled frame."""
import copy
import os.path as osp
from typing import Dict, Optional, Tuple

import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import Compose
from mmengine.registry import DefaultScope

from mmfine.datasets import AQAPairDataset
from mmfine.fileio import VideoStream
from mmfine.registry import DATASETS


def build_exemplar_pool(cfg: Config, ann_file: Optional[str] = None,
                        split_file: Optional[str] = None,
                        num_voters: Optional[int] = None) -> AQAPairDataset:
    """The config's test dataset turned into the voter pool of a demo.

    Its exemplar split (default: the config's, i.e. the training split) becomes both the
    split and the pool, so only the pool's frames must exist; ``ann_file`` replaces the
    annotation file (e.g. a copy of ``fine-grained_annotation_aqa.pkl`` elsewhere).
    """
    ds = copy.deepcopy(cfg.test_dataloader.dataset)
    if ann_file is not None:
        ds['ann_file'] = ann_file
    if split_file is not None:
        ds['exemplar_split_file'] = split_file
    ds['split_file'] = ds['exemplar_split_file']
    ds.pop('holdout', None)
    ds['test_mode'] = True
    if num_voters is not None:
        ds['num_voters'] = num_voters
    with DefaultScope.overwrite_default_scope('mmfine'):
        return DATASETS.build(ds)


def _split_pipeline(cfg: Config) -> Tuple[Compose, Compose, Optional[Tuple[int, int]]]:
    """The test pipeline before / after ``LoadAQAFrames`` and the first resize after it."""
    steps = copy.deepcopy(cfg.test_dataloader.dataset.pipeline)
    names = [s['type'] for s in steps]
    if 'LoadAQAFrames' not in names:
        raise ValueError(f'inference_fineparser: the test pipeline has no LoadAQAFrames ({names})')
    i = names.index('LoadAQAFrames')
    resize = next((tuple(s['scale']) for s in steps[i + 1:] if s['type'] == 'ClipResize'), None)
    with DefaultScope.overwrite_default_scope('mmfine'):
        return Compose(steps[:i]), Compose(steps[i + 1:]), resize


@torch.no_grad()
def inference_fineparser(model: torch.nn.Module, video: str, dive_number: str,
                         pool: AQAPairDataset, difficulty: Optional[float] = None) -> Dict:
    """Score one dive.

    Only the test pipeline's sampled frames are decoded (e.g. 96 of the video), at the size of
    the config's resize; the voters are the pool's fixed choice for this video
    (:meth:`AQAPairDataset.voters`, keyed by the file name).

    Args:
        model: :func:`init_model` of a FineParser config.
        video (str): a video file holding one dive (start of the take-off to the entry).
        dive_number (str): e.g. ``'407c'`` (MTL-AQA pools: pass ``difficulty``).
        pool: :func:`build_exemplar_pool`.
        difficulty (float, optional): the group of a ``exemplar_rule='difficulty'`` pool.

    Returns:
        dict: ``score`` (float), ``voters`` (list of ``{key, score, delta, prediction}``),
        ``frame_ids`` (T,) the sampled frames (0-based), ``transitions`` (E, 2) in sampled
        frames, ``transition_frames`` (2,) video frames of the first voter's pair (the
        query's own decoding: the same for every voter), ``mask`` (T, h, w) float in [0, 1]
        or None, ``crop_bbox`` and ``input_size`` (w, h) of the frames the mask refers to,
        ``native_size`` (w, h).
    """
    cfg = model.cfg
    pre, post, resize = _split_pipeline(cfg)
    name = osp.splitext(osp.basename(video))[0]
    group = dive_number.lower() if pool.exemplar_rule == 'dive_number' else difficulty
    if group is None:
        raise ValueError(f'the exemplar pool groups by {pool.exemplar_rule}: give it')
    stream = VideoStream(video, size=resize, cache_size=1)  # decoded at the model's size
    native_h, native_w = stream.native_shape
    info = dict(key=('demo', name), video_id=name, media='video', filename=video,
                total_frames=stream.num_frames, start_frame=0, has_steps=False, mask_dir=None,
                score=0.0, dive_number=str(dive_number).lower(),
                difficulty=float(difficulty) if difficulty is not None else 0.0)
    results = pre(info)
    imgs = list(stream.get(results['frame_inds']))
    stream.close()
    results.update(imgs=imgs, img_shape=imgs[0].shape[:2], original_shape=(native_h, native_w))
    query = post(results)
    voters = [pool.pipeline(copy.deepcopy(v)) for v in pool.voters(group, info['key'])]
    sample = AQAPairDataset.merge(query, voters)
    out = model.test_step(dict(inputs=[sample['inputs']], data_samples=[sample['data_samples']]))
    s = out[0]
    deltas = s.pred_deltas.double().tolist()
    ys = s.voter_scores.double().tolist()
    frame_ids = np.asarray(results['frame_inds'], np.int64)
    tr = s.pred_transitions.numpy() if 'pred_transitions' in s else None
    return dict(
        score=float(s.pred_score),
        voters=[dict(key=list(k), score=y, delta=d, prediction=y + d)
                for k, y, d in zip(s.metainfo['exemplar_keys'], ys, deltas)],
        frame_ids=frame_ids,
        transitions=tr,
        transition_frames=frame_ids[tr[0]].tolist() if tr is not None else None,
        mask=s.pred_mask.numpy() if 'pred_mask' in s else None,
        crop_bbox=np.asarray(s.metainfo.get('crop_bbox', [0, 0, *imgs[0].shape[1::-1]])),
        input_size=tuple(int(v) for v in imgs[0].shape[1::-1]),
        native_size=(native_w, native_h))


def result_to_json(result: Dict) -> Dict:
    """The JSON-friendly part of :func:`inference_fineparser`'s result (no mask)."""
    tr = result['transitions']
    return dict(score=result['score'], voters=result['voters'],
                frame_ids=result['frame_ids'].tolist(),
                transitions=None if tr is None else np.asarray(tr).tolist(),
                transition_frames=result['transition_frames'])


def mask_on_frame(result: Dict, t: int, size: Tuple[int, int]) -> Optional[np.ndarray]:
    """The predicted mask of sampled frame ``t`` placed on a frame of ``size`` = (w, h): the
    crop window of the model's input mapped back through the resize (outside it: 0)."""
    if result['mask'] is None:
        return None
    import cv2
    w, h = size
    iw, ih = result['input_size']
    x1, y1, x2, y2 = (int(v) for v in result['crop_bbox'])
    canvas = np.zeros((ih, iw), np.float32)
    canvas[y1:y2, x1:x2] = result['mask'][t]
    return cv2.resize(canvas, (w, h), interpolation=cv2.INTER_LINEAR)


from typing import Dict, Sequence

import numpy as np
import torch
from mmaction.structures import ActionDataSample
from mmcv.transforms import BaseTransform
from mmengine.structures import InstanceData

from mmfine.registry import TRANSFORMS


@TRANSFORMS.register_module()
class PackFineSportsInputs(BaseTransform):
    """Pack a FineSports clip into ``inputs`` and an :class:`ActionDataSample`.

    Required keys: ``imgs`` (after ``FormatShape``: (num_clips, C, T, H, W) for ``'NCTHW'``),
    ``label``; optional ``gt_tube_boxes`` (N, T, 4), ``gt_tube_valid`` (N, T),
    ``gt_tube_labels`` (N,), ``frame_ids`` (T,), ``prompt``.

    The data sample carries:

    - ``gt_label``: the target's class (recognition), when ``label >= 0``;
    - ``gt_tubes`` (:obj:`InstanceData`): ``boxes`` (N, T, 4) float32, ``labels`` (N,) int64,
      ``valid`` (N, T) bool;
    - ``frame_ids`` (T,) int64 tensor, the 1-based frames of the clip;
    - ``gt_type_label`` (int64 tensor), the sub-action type, when the sample has
      ``type_label`` (the dataset's ``type_names``);
    - metainfo: ``meta_keys`` (``prompt`` is the prompt text or None) and, with
      ``with_video_tubes``, ``gt_video_tubes``: every ground-truth tube of the whole video
      (``tubes`` of the dataset, annotation pixels), for video-level evaluation.

    Args:
        meta_keys (Sequence[str]): keys copied to the metainfo when present.
        with_video_tubes (bool): add ``gt_video_tubes`` (test pipelines of frame-mAP /
            video-mAP evaluation). Defaults to False.
    """

    def __init__(self, meta_keys: Sequence[str] = (
            'video_id', 'keyframe', 'key_index', 'target', 'prompt', 'img_shape',
            'original_shape', 'resolution', 'scale_factor', 'crop_bbox', 'flip',
            'homography_matrix', 'total_frames'), with_video_tubes: bool = False) -> None:
        self.meta_keys = tuple(meta_keys)
        self.with_video_tubes = with_video_tubes

    def transform(self, results: Dict) -> Dict:
        if 'imgs' not in results:
            raise KeyError(f"{self!r}: no 'imgs' in the sample of {results.get('video_id')!r}")
        data_sample = ActionDataSample()
        if results.get('label', -1) is not None and results.get('label', -1) >= 0:
            data_sample.set_gt_label(int(results['label']))
        if 'gt_tube_boxes' in results:
            data_sample.gt_tubes = InstanceData(
                boxes=torch.from_numpy(np.asarray(results['gt_tube_boxes'], np.float32)),
                labels=torch.from_numpy(np.asarray(results['gt_tube_labels'], np.int64)),
                valid=torch.from_numpy(np.asarray(results['gt_tube_valid'], bool)))
        if results.get('type_label') is not None:
            data_sample.gt_type_label = torch.tensor(int(results['type_label']))
        if 'frame_ids' in results:
            data_sample.frame_ids = torch.from_numpy(np.asarray(results['frame_ids'], np.int64))
        data_sample.set_metainfo({k: results[k] for k in self.meta_keys if k in results})
        if self.with_video_tubes:
            if 'tubes' not in results:
                raise KeyError(f"{self!r}: with_video_tubes needs the dataset's 'tubes' "
                               f"(sample of {results.get('video_id')!r})")
            data_sample.set_metainfo(dict(gt_video_tubes=results['tubes']))
        imgs = np.ascontiguousarray(results['imgs'])
        return dict(inputs=torch.from_numpy(imgs), data_samples=data_sample)

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(meta_keys={self.meta_keys}, '
                f'with_video_tubes={self.with_video_tubes})')


@TRANSFORMS.register_module()
class PackPlayerInputs(BaseTransform):
    """Pack the player crops of :class:`CropPlayerClips` into ``inputs`` and a data sample.

    Required keys: ``imgs`` (after ``FormatShape``: (P, C, T, h, w)), ``player_colour``,
    ``player_number``, ``player_action``, ``player_centre``, ``player_index``.

    The data sample carries ``gt_players`` (:obj:`InstanceData` of P rows: ``colour``,
    ``number``, ``action`` (int64, -100 for padding), ``centre`` (P, 2) crop pixels,
    ``index`` (which player of the clip, -1 for padding)) and the metainfo ``meta_keys``.

    Args:
        meta_keys (Sequence[str]): keys copied to the metainfo when present.
    """

    def __init__(self, meta_keys: Sequence[str] = ('video_id', 'keyframe', 'img_shape',
                                                    'resolution')) -> None:
        self.meta_keys = tuple(meta_keys)

    def transform(self, results: Dict) -> Dict:
        if 'player_centre' not in results:
            raise KeyError(f"{self!r}: no player crops in the sample of "
                           f"{results.get('video_id')!r} (add CropPlayerClips)")
        sample = ActionDataSample()
        as_long = (lambda k: torch.from_numpy(np.asarray(results[k], np.int64)))
        sample.gt_players = InstanceData(
            colour=as_long('player_colour'), number=as_long('player_number'),
            action=as_long('player_action'), index=as_long('player_index'),
            centre=torch.from_numpy(np.asarray(results['player_centre'], np.float32)))
        sample.set_metainfo({k: results[k] for k in self.meta_keys if k in results})
        imgs = np.ascontiguousarray(results['imgs'])
        return dict(inputs=torch.from_numpy(imgs), data_samples=sample)

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(meta_keys={self.meta_keys})'


@TRANSFORMS.register_module()
class PackTALInputs(BaseTransform):
    """Pack a feature sequence into ``inputs`` (C, T) and an :class:`ActionDataSample`.

    Required keys: ``feature`` (C, T), ``feature_len``, ``video_name``, ``duration``; optional
    ``gt_segments`` (N, 2) seconds, ``gt_labels`` (N,), ``video_cls_scores`` (K,).

    The data sample carries ``gt_segments`` (N, 2) float32 seconds, ``gt_labels`` (N,) int64,
    ``video_cls_scores`` (K,) float32 if given, and the metainfo ``meta_keys``.

    Args:
        meta_keys (Sequence[str]): keys copied to the metainfo when present.
    """

    def __init__(self, meta_keys: Sequence[str] = (
            'video_name', 'duration', 'duration_frame', 'fps', 'feature_len')) -> None:
        self.meta_keys = tuple(meta_keys)

    def transform(self, results: Dict) -> Dict:
        if 'feature' not in results:
            raise KeyError(f"{self!r}: no 'feature' in the sample of "
                           f"{results.get('video_name')!r} (add LoadTemporalFeature)")
        sample = ActionDataSample()
        sample.gt_segments = torch.from_numpy(
            np.asarray(results.get('gt_segments', np.zeros((0, 2))), np.float32).reshape(-1, 2))
        sample.gt_labels = torch.from_numpy(
            np.asarray(results.get('gt_labels', np.zeros(0)), np.int64).reshape(-1))
        if results.get('video_cls_scores') is not None:
            sample.video_cls_scores = torch.from_numpy(
                np.asarray(results['video_cls_scores'], np.float32))
        sample.set_metainfo({k: results[k] for k in self.meta_keys if k in results})
        feat = np.ascontiguousarray(results['feature'], np.float32)
        return dict(inputs=torch.from_numpy(feat), data_samples=sample)

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(meta_keys={self.meta_keys})'


@TRANSFORMS.register_module()
class PackAQAInputs(BaseTransform):
    """Pack an AQA clip into ``inputs`` (C, T, H, W) uint8 and an :class:`ActionDataSample`.

    Required keys: ``imgs`` (list of T (H, W, 3) uint8 RGB), ``score``, ``gt_transitions``
    (2,), ``has_steps``, ``key``; optional ``masks`` (list of T (H, W) uint8) and
    ``mask_valid`` (list of T bool).

    The data sample carries ``gt_score`` (float32 scalar tensor), ``gt_transitions`` (2,)
    int64 (in sampled-frame indices; zeros when ``has_steps`` is False), ``gt_masks``
    (T, H, W) uint8 (0-255 as read; foreground is >= 128, the release's ``round(x / 255)``)
    and ``gt_mask_valid`` (T,) bool (False on frames without a ground-truth mask) when
    loaded, and the metainfo ``meta_keys`` (``key`` and ``has_steps`` always).

    Args:
        meta_keys (Sequence[str]): keys copied to the metainfo when present.
    """

    def __init__(self, meta_keys: Sequence[str] = (
            'video_id', 'dive_number', 'difficulty', 'total_frames', 'frame_ids', 'img_shape',
            'original_shape', 'flip', 'crop_bbox')) -> None:
        self.meta_keys = tuple(meta_keys)

    def transform(self, results: Dict) -> Dict:
        if 'imgs' not in results:
            raise KeyError(f"{self!r}: no 'imgs' in the sample of {results.get('video_id')!r} "
                           '(add LoadAQAFrames)')
        sample = ActionDataSample()
        sample.gt_score = torch.tensor(float(results['score']), dtype=torch.float32)
        sample.gt_transitions = torch.from_numpy(
            np.asarray(results['gt_transitions'], np.int64).reshape(2))
        if 'masks' in results:
            sample.gt_masks = torch.from_numpy(np.ascontiguousarray(np.stack(results['masks'])))
            valid = results.get('mask_valid', [True] * len(results['masks']))
            sample.gt_mask_valid = torch.tensor(list(valid), dtype=torch.bool)
        sample.set_metainfo(dict(key=results['key'], has_steps=bool(results['has_steps'])))
        sample.set_metainfo({k: results[k] for k in self.meta_keys if k in results})
        imgs = np.ascontiguousarray(np.stack(results['imgs']).transpose(3, 0, 1, 2))
        return dict(inputs=torch.from_numpy(imgs), data_samples=sample)

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(meta_keys={self.meta_keys})'


@TRANSFORMS.register_module()
class PackSpottingInputs(BaseTransform):
    """Pack a spotting clip into ``inputs`` (T, 3, H, W) uint8 and an :class:`ActionDataSample`.

    Required keys: ``imgs`` (list of T (H, W, 3) uint8 RGB), ``gt_frame_labels`` (T,),
    ``frame_valid`` (T,), ``video_id``, ``clip_start``, ``total_frames``, ``event_frames``,
    ``event_labels``.

    The data sample carries ``gt_frame_labels`` (T,) int64 (0 = background, class ids
    1-based) and the metainfo ``video_id``, ``clip_start``, ``num_frames``, ``frame_valid``,
    ``gt_events`` (``{'frames': (n,) int64, 'labels': (n,) int64}``: the whole video's events,
    for the metric) and the present ``meta_keys``.

    Args:
        meta_keys (Sequence[str]): keys copied to the metainfo when present.
    """

    def __init__(self, meta_keys: Sequence[str] = (
            'fps', 'window_index', 'num_windows', 'img_shape', 'original_shape', 'flip',
            'crop_bbox', 'game', 'half')) -> None:
        self.meta_keys = tuple(meta_keys)

    def transform(self, results: Dict) -> Dict:
        if 'imgs' not in results:
            raise KeyError(f"{self!r}: no 'imgs' in the sample of {results.get('video_id')!r} "
                           '(add LoadSpottingClip)')
        sample = ActionDataSample()
        sample.gt_frame_labels = torch.from_numpy(
            np.asarray(results['gt_frame_labels'], np.int64).reshape(-1))
        events = dict(frames=np.asarray(results['event_frames'], np.int64),
                      labels=np.asarray(results['event_labels'], np.int64))
        if 'event_visible' in results:  # SoccerNet: 1 shown, 0 not shown
            events['visibility'] = np.asarray(results['event_visible'], np.int64)
        sample.set_metainfo(dict(
            video_id=results['video_id'], clip_start=int(results['clip_start']),
            num_frames=int(results['total_frames']),
            frame_valid=np.asarray(results['frame_valid'], bool), gt_events=events))
        sample.set_metainfo({k: results[k] for k in self.meta_keys if k in results})
        imgs = np.ascontiguousarray(np.stack(results['imgs']).transpose(0, 3, 1, 2))
        return dict(inputs=torch.from_numpy(imgs), data_samples=sample)

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(meta_keys={self.meta_keys})'

"""PoSTAL: prompt-driven spatio-temporal action localization."""
from typing import Dict, List, Optional, Sequence, Union

import torch
from mmengine.model import BaseModel
from mmengine.structures import InstanceData
from torch import Tensor

from mmfine.registry import MODELS
from ..data_preprocessors import build_video_preprocessor


@MODELS.register_module()
class PoSTAL(BaseModel):
    """PoSTAL (and, without ``neck``, the TubeR-style detector it builds on).

    Paper: Xu et al., "FineSports: A Multi-person Hierarchical Sports Video Dataset for
    Fine-grained Action Understanding", CVPR 2024, Sec. 4; release:
    https://github.com/PKU-ICST-MIPL/FineSports_CVPR2024

    Data flow::

        clip (B, 1, 3, T, H, W) + prompts
          | data_preprocessor (normalise)           (B, 3, T, H, W)
          | backbone (CSN)                          f(X) (B, C, T', H', W')
          | neck: PTA (prompt fusion, type and      X_P (B, C_T, T', H', W'), type and
          |       contains-target classifiers)      contains logits
          | head: ATD (tube queries)                N tubes x T boxes, a class per tube
          v
        loss: ATD losses + PTA losses; predict: tubes of the clip and the detections of its
        keyframe (the centre frame), which the metric / demo link into video tubes.

    Prompts come from each sample's metainfo ``prompt``; ``predict`` also takes ``prompts`` to
    override them (e.g. "follow this player"). With the PTA's ``prompt_source='video'`` every
    sample gets the prompt's words filled from the video; otherwise a sample without a prompt
    gets none (context and type only).

    Args:
        backbone (dict): e.g. ``dict(type='CSN', ...)``.
        head (dict): :class:`ATDHead` config.
        neck (dict, optional): :class:`PTA` config; None gives the TubeR-style baseline.
        data_preprocessor (dict, optional): Defaults to mmaction2's ``ActionDataPreprocessor``
            with ImageNet mean / std and ``NCTHW``.
        init_cfg (dict, optional): Defaults to None.
    """

    def __init__(self,
                 backbone: dict,
                 head: dict,
                 neck: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        super().__init__(data_preprocessor=build_video_preprocessor(data_preprocessor),
                         init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)
        self.neck = MODELS.build(neck) if neck is not None else None
        self.head = MODELS.build(head)
        given = tuple(getattr(self.neck, 'head_inputs', ()))
        missing = [k for k in getattr(self.head, 'required_inputs', ()) if k not in given]
        if missing:
            raise ValueError(f'PoSTAL: the head {type(self.head).__name__} needs {missing} from '
                             f'the neck, which {type(self.neck).__name__} does not give (e.g. '
                             'ReferencePointATDHead needs a TargetMapPTA neck)')

    def head_inputs(self, outs: Dict) -> Dict:
        """The neck outputs the head declares in ``required_inputs`` (e.g. a target map)."""
        return {k: outs[k] for k in getattr(self.head, 'required_inputs', ())}

    @property
    def with_prompt(self) -> bool:
        return self.neck is not None

    def extract_feat(self, inputs: Tensor, prompts: Sequence[Optional[str]]) -> Dict:
        """Backbone (+ PTA).

        Args:
            inputs (Tensor): (B, 1, 3, T, H, W) or (B, 3, T, H, W).
            prompts (Sequence[str | None]): one per clip.

        Returns:
            dict: ``feats`` for the head and, with a PTA, ``type_logits``, ``contain_logits``.
        """
        if inputs.dim() == 6:
            if inputs.shape[1] != 1:
                raise ValueError(f'PoSTAL takes one clip per sample, got {inputs.shape[1]}')
            inputs = inputs[:, 0]
        feats = self.backbone(inputs)
        if isinstance(feats, (tuple, list)):
            feats = feats[-1]
        if self.neck is None:
            return dict(feats=feats)
        return self.neck(feats, prompts)

    @staticmethod
    def _prompts(data_samples: Sequence, prompts: Optional[Sequence] = None) -> List:
        if prompts is not None:
            if isinstance(prompts, str):
                prompts = [prompts] * len(data_samples)
            if len(prompts) != len(data_samples):
                raise ValueError(f'{len(prompts)} prompts for {len(data_samples)} samples')
            return list(prompts)
        return [s.metainfo.get('prompt') for s in data_samples]

    def forward(self, inputs: Tensor, data_samples: Optional[List] = None,
                mode: str = 'tensor', **kwargs):
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples, **kwargs)
        if mode == 'tensor':
            return self._forward(inputs, data_samples)
        raise RuntimeError(f'Invalid mode "{mode}". Only supports loss, predict and tensor mode')

    def _forward(self, inputs: Tensor, data_samples: Optional[List] = None):
        n = inputs.shape[0]
        prompts = (self._prompts(data_samples) if data_samples is not None else [None] * n)
        outs = self.extract_feat(inputs, prompts)
        return self.head(outs['feats'], **self.head_inputs(outs))

    def loss(self, inputs: Tensor, data_samples: List) -> Dict[str, Tensor]:
        """ATD losses and, with a PTA, its type and contains-target losses."""
        outs = self.extract_feat(inputs, self._prompts(data_samples))
        losses = self.head.loss(outs['feats'], data_samples, **self.head_inputs(outs))
        if self.neck is not None:
            losses.update(self.neck.loss(outs, data_samples))
        return losses

    def predict(self, inputs: Tensor, data_samples: List,
                prompts: Optional[Sequence[Optional[str]]] = None) -> List:
        """Tubes of each clip and the detections of its keyframe.

        Each data sample gets ``pred_clip_tubes`` (:obj:`InstanceData` with ``boxes`` (N, T, 4)
        pixels of the annotation resolution, ``scores``, ``labels``, ``cls_scores`` (N, K)),
        ``pred_frame_dets`` (``frame``, ``label``, ``score``, ``box`` of the keyframe: one row
        per tube and class with score >= ``test_cfg['score_thr']``, or per tube with
        ``per_class=False``) and, with a PTA, ``pred_type_scores`` (K_types,).

        Args:
            prompts (Sequence[str | None], optional): override the samples' prompts.
        """
        outs = self.extract_feat(inputs, self._prompts(data_samples, prompts))
        return self.predict_from_outs(outs, data_samples)

    def predict_from_outs(self, outs: Dict, data_samples: List) -> List:
        """:meth:`predict` on the outputs of :meth:`extract_feat` (for tools that also read
        those outputs, e.g. the target map, without running the network twice)."""
        contain = None
        if 'contain_logits' in outs:
            contain = outs['contain_logits'].softmax(-1)[:, 1]
        results = self.head.predict(outs['feats'], data_samples, contain,
                                    **self.head_inputs(outs))
        cfg = self.head.test_cfg
        for b, (sample, res) in enumerate(zip(data_samples, results)):
            sample.pred_clip_tubes = res
            sample.pred_frame_dets = self.keyframe_detections(
                res, sample, cfg['score_thr'], cfg['per_class'])
            if 'type_logits' in outs:
                sample.pred_type_scores = outs['type_logits'][b].softmax(-1)
        return data_samples

    @staticmethod
    def keyframe_detections(res: InstanceData, sample, score_thr: float,
                            per_class: bool = True) -> Dict[str, Tensor]:
        """Rows ``frame, label, score, box`` of the clip's keyframe."""
        k = sample.metainfo['key_index']
        frame = int(sample.frame_ids[k]) if 'frame_ids' in sample else int(
            sample.metainfo['keyframe'])
        box = res.boxes[:, k]  # [N, 4]
        if per_class:
            n_idx, labels = torch.nonzero(res.cls_scores >= score_thr, as_tuple=True)
            scores = res.cls_scores[n_idx, labels]
            box = box[n_idx]
        else:
            labels, scores = res.labels, res.scores
        return dict(frame=torch.full_like(scores, frame), label=labels, score=scores, box=box)

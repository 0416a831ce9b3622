"""The per-frame spotting model (E2E-Spot; UGL builds on it)."""
from typing import Dict, List, Optional, Union

import numpy as np
import torch
import torch.nn.functional as F
from mmengine.model import BaseModel
from torch import Tensor

from mmfine.registry import MODELS


@MODELS.register_module()
class Spotter(BaseModel):
    """Precise action spotting: per-frame K + 1 class scores of a clip.

    E2E-Spot (Hong et al., "Spotting Temporally Precise, Fine-Grained Events in Video", ECCV
    2022, https://arxiv.org/abs/2207.10213): a 2D CNN with temporal shift on every frame, a
    BiGRU over the clip, per-frame classification with a background class. ::

        inputs (B, T, 3, H, W)   normalised frames (SpottingDataPreprocessor; mixup in training)
          -> pad T to clip_len   (zeros = black frames; GSM / TSM need whole clips, as the
                                  release's padding in E2EModel)
          -> backbone            (B * T, 3, H, W) -> (B * T, D)   RegNetY + GSM
          -> reshape, unpad      (B, T, D)
          -> head                (B, T, K + 1) logits             BiGRU + FC
          loss:    CE against gt_frame_labels (B, T) or gt_soft_labels (B, T, K + 1) (mixup)
          predict: softmax; each data sample gets ``pred_scores`` (n, K + 1) float32 of its
                   frames inside the video (n = frame_valid.sum()), from frame
                   ``pred_start``; the metric / API stitch windows and extract events

    Args:
        backbone (dict): frame encoder config (``feat_dim`` attribute), e.g. ``RegNetY``.
        head (dict): ``SpottingHead`` config (``in_channels`` filled from the backbone).
        clip_len (int, optional): the backbone's clip length (default: its ``clip_len``, or
            none needed for a 2D backbone).
        data_preprocessor (dict, optional): Defaults to ``SpottingDataPreprocessor``.
        init_cfg (dict, optional): Defaults to None.
    """

    def __init__(self, backbone: Dict, head: Dict, clip_len: Optional[int] = None,
                 data_preprocessor: Optional[Dict] = None,
                 init_cfg: Optional[Dict] = None) -> None:
        super().__init__(data_preprocessor=data_preprocessor or dict(
            type='SpottingDataPreprocessor'), init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)
        head = dict(head)
        head.setdefault('in_channels', self.backbone.feat_dim)
        self.head = MODELS.build(head)
        self.clip_len = clip_len or getattr(self.backbone, 'clip_len', None)

    def extract_feat(self, inputs: Tensor) -> Tensor:
        """(B, T, 3, H, W) -> (B, T, D) frame features."""
        B, T = inputs.shape[:2]
        L = self.clip_len or T
        if T > L:
            raise ValueError(f'clips of {T} frames are longer than the model clip_len {L}')
        x = F.pad(inputs, (0, 0, 0, 0, 0, 0, 0, L - T)) if T < L else inputs  # [B, L, 3, H, W]
        feats = self.backbone(x.flatten(0, 1))  # [B * L, D]
        return feats.view(B, L, -1)[:, :T]  # [B, T, D]

    def _forward(self, inputs: Tensor, data_samples=None) -> Tensor:
        """(B, T, 3, H, W) -> (B, T, K + 1) logits."""
        return self.head(self.extract_feat(inputs))

    def loss(self, inputs: Tensor, data_samples: List) -> Dict[str, Tensor]:
        logits = self._forward(inputs)
        if 'gt_soft_labels' in data_samples[0]:
            target = torch.stack([s.gt_soft_labels for s in data_samples])  # [B, T, K + 1]
        else:
            target = torch.stack([s.gt_frame_labels for s in data_samples])  # [B, T]
        return self.head.loss(logits, target.to(logits.device))

    def predict(self, inputs: Tensor, data_samples: List) -> List:
        scores = self.head.predict(self._forward(inputs))  # [B, T, K + 1]
        for s, sc in zip(data_samples, scores):
            valid = np.asarray(s.metainfo.get('frame_valid', np.ones(len(sc), bool)), bool)
            first = int(np.argmax(valid))
            s.pred_scores = sc[torch.from_numpy(valid).to(sc.device)].cpu()
            s.set_metainfo(dict(pred_start=int(s.metainfo.get('clip_start', 0)) + first))
        return data_samples

    def forward(self, inputs: Tensor, data_samples: Optional[List] = None,
                mode: str = 'tensor') -> Union[Tensor, Dict, List]:
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self._forward(inputs)
        raise RuntimeError(f'Invalid mode "{mode}". Only supports loss, predict and tensor mode')


def convert_e2e_spot(state_dict: Dict[str, Tensor]) -> Dict[str, Tensor]:
    """E2E-Spot checkpoint names (``E2EModel.Impl``'s state dict, jhong93/e2e-spot-models
    ``checkpoint_XXX.pt``) -> :class:`Spotter` names.

    ``_features.`` (timm RegNet-Y with E2E-Spot's shift wrappers) -> ``backbone.``:
    ``sX.bY.conv1.net.`` -> ``sX.bY.conv1.`` and ``sX.bY.conv1.gsm.`` -> ``sX.bY.shift.``
    (the GSM's ``conv3D`` / ``bn``: :class:`~mmfine.models.layers.GateShift` reproduces the
    channel interleave, so no tensor is permuted); ``_pred_fine._gru.`` -> ``head.gru.``;
    ``_pred_fine._fc_out._fc_out.`` -> ``head.fc.``. A ``module.`` prefix (DataParallel) is
    dropped.

    Raises:
        KeyError: a key outside those (names it), e.g. a non-GRU temporal head.
    """
    out = {}
    for key, value in state_dict.items():
        k = key[len('module.'):] if key.startswith('module.') else key
        if k.startswith('_features.'):
            k = 'backbone.' + k[len('_features.'):]
            k = k.replace('.conv1.net.', '.conv1.').replace('.conv1.gsm.', '.shift.')
            if k.startswith('backbone.head.'):
                continue  # timm's classifier, replaced by the identity in E2E-Spot
        elif k.startswith('_pred_fine._gru.'):
            k = 'head.gru.' + k[len('_pred_fine._gru.'):]
        elif k.startswith('_pred_fine._fc_out._fc_out.'):
            k = 'head.fc.' + k[len('_pred_fine._fc_out._fc_out.'):]
        else:
            raise KeyError(f'convert_e2e_spot: {key!r} is not an E2E-Spot RegNet-Y + GRU '
                           'parameter')
        out[k] = value
    return out

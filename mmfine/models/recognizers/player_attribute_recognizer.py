"""Pretraining model of the synthetic PoSTAL backbone: name every player's attributes."""
from typing import Dict, List, Optional, Union

from mmengine.model import BaseModel
from torch import Tensor

from mmfine.registry import MODELS
from ..data_preprocessors import build_video_preprocessor


@MODELS.register_module()
class PlayerAttributeRecognizer(BaseModel):
    """A video backbone trained to name the jersey colour, number and action of every player.

    The synthetic FineSports benchmark's stand-in for Kinetics pretraining: PoSTAL's backbone
    is first trained here on player-centred clips, then loaded by the PoSTAL config through
    ``init_cfg=dict(type='Pretrained', checkpoint=..., prefix='backbone.')``, as the paper
    configs load the Kinetics CSN.

    Data flow::

        P player crops per sample (B, P, 3, T, h, w)
          | data_preprocessor (normalise)          (B, P, 3, T, h, w)
          | flatten players                        (B*P, 3, T, h, w)
          | backbone (the PoSTAL config's)         (B*P, C, T', h', w')
          | head: PlayerAttributeHead (features at each player's cell, linear readers)
          v
        colour / number / action logits per player; loss: CE per attribute;
        predict: ``pred_players`` on every data sample

    Args:
        backbone (dict): e.g. the synthetic PoSTAL config's ``model.backbone``.
        head (dict): :class:`PlayerAttributeHead` config.
        data_preprocessor (dict, optional): Defaults to mmaction2's ``ActionDataPreprocessor``
            with ImageNet mean / std and ``NCTHW``.
        init_cfg (dict, optional): Defaults to None.
    """

    def __init__(self, backbone: dict, head: dict, data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        super().__init__(data_preprocessor=build_video_preprocessor(data_preprocessor),
                         init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)
        self.head = MODELS.build(head)

    def extract_feat(self, inputs: Tensor) -> Tensor:
        """(B, P, 3, T, h, w) -> backbone features (B*P, C, T', h', w')."""
        if inputs.dim() != 6:
            raise ValueError('PlayerAttributeRecognizer takes (B, P, 3, T, h, w) player crops, '
                             f'got {tuple(inputs.shape)}')
        feats = self.backbone(inputs.flatten(0, 1))
        return feats[-1] if isinstance(feats, (tuple, list)) else feats

    def forward(self, inputs: Tensor, data_samples: Optional[List] = None,
                mode: str = 'tensor'):
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self.extract_feat(inputs)
        raise RuntimeError(f'Invalid mode "{mode}". Only supports loss, predict and tensor mode')

    def loss(self, inputs: Tensor, data_samples: List) -> Dict[str, Tensor]:
        """CE per attribute."""
        return self.head.loss(self.extract_feat(inputs), data_samples)

    def predict(self, inputs: Tensor, data_samples: List) -> List:
        """Data samples with ``pred_players`` (see :meth:`PlayerAttributeHead.predict`)."""
        return self.head.predict(self.extract_feat(inputs), data_samples)

"""Batching of variable-length feature sequences with masks."""
from typing import Dict, Optional

import torch
from mmengine.model import BaseDataPreprocessor

from mmfine.registry import MODELS


@MODELS.register_module()
class TemporalFeaturePreprocessor(BaseDataPreprocessor):
    """Stack (C, T_i) feature sequences into (B, C, T) with a (B, T) bool mask.

    Sequences are right-padded with ``pad_value`` to the longest in the batch, or to
    ``pad_to`` (a fixed length, e.g. 100 for rescaled features; a longer sequence is an error),
    rounded up to a multiple of ``size_divisor`` (so that every level of a 2x pyramid is an
    exact half).

    Args:
        pad_to (int, optional): fixed length. Defaults to None.
        size_divisor (int): Defaults to 1.
        pad_value (float): Defaults to 0.
    """

    def __init__(self, pad_to: Optional[int] = None, size_divisor: int = 1,
                 pad_value: float = 0.) -> None:
        super().__init__()
        self.pad_to = pad_to
        self.size_divisor = size_divisor
        self.pad_value = pad_value

    def forward(self, data: Dict, training: bool = False) -> Dict:
        """``{'inputs': [(C, T_i)], 'data_samples': [...]}`` -> ``{'inputs': (B, C, T),
        'masks': (B, T) bool, 'data_samples': [...]}`` on the model's device."""
        data = self.cast_data(data)
        feats = data['inputs']
        if isinstance(feats, torch.Tensor):
            feats = list(feats)
        lengths = [f.shape[-1] for f in feats]
        T = self.pad_to if self.pad_to is not None else max(lengths)
        if max(lengths) > T:
            raise ValueError(f'a feature sequence has {max(lengths)} steps, more than pad_to='
                             f'{self.pad_to}')
        T = -(-T // self.size_divisor) * self.size_divisor
        batch = feats[0].new_full((len(feats), feats[0].shape[0], T), self.pad_value)
        masks = torch.zeros(len(feats), T, dtype=torch.bool, device=batch.device)
        for i, f in enumerate(feats):
            batch[i, :, :f.shape[-1]] = f
            masks[i, :f.shape[-1]] = True
        return dict(inputs=batch.float(), masks=masks, data_samples=data.get('data_samples'))

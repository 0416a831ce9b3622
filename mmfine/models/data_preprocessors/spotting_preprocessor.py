"""Batching and normalisation of spotting clips, with E2E-Spot's mixup as a switch."""
from typing import Dict, Optional, Sequence

import torch
import torch.nn.functional as F
from mmengine.model import BaseDataPreprocessor

from mmfine.registry import MODELS


@MODELS.register_module()
class SpottingDataPreprocessor(BaseDataPreprocessor):
    """Stack (T, 3, H, W) uint8 clips into (B, T, 3, H, W) float, normalised; mixup in
    training when ``mixup_alpha`` is set.

    Normalisation: ``(x - mean) / std`` on 0-255 RGB (ImageNet's by default, as E2E-Spot's
    ``Normalize``); the black padding frames of :class:`LoadSpottingClip` are normalised the
    same way in training and testing.

    Mixup (E2E-Spot ``train_e2e.py``: on by default and, through its ``type=bool`` flag,
    impossible to turn off; here ``mixup_alpha=None`` turns it off): per clip
    ``lambda ~ Beta(alpha, alpha)`` (E2E-Spot: 0.2), the clip becomes ``lambda * x_i +
    (1 - lambda) * x_j`` of normalised frames and its per-frame targets the soft labels
    ``lambda * onehot(y_i) + (1 - lambda) * onehot(y_j)`` (``gt_soft_labels`` (T, K + 1) on
    each data sample, each row summing to 1). The partner ``j`` is the next clip of the batch
    (E2E-Spot draws a second random clip; both are independent uniform clips).

    Args:
        mean (Sequence[float]): RGB mean. Defaults to ImageNet's (123.675, 116.28, 103.53).
        std (Sequence[float]): RGB std. Defaults to (58.395, 57.12, 57.375).
        mixup_alpha (float, optional): Defaults to None (no mixup).
        num_classes (int, optional): K foreground classes (needed by mixup).
    """

    def __init__(self, mean: Sequence[float] = (123.675, 116.28, 103.53),
                 std: Sequence[float] = (58.395, 57.12, 57.375),
                 mixup_alpha: Optional[float] = None,
                 num_classes: Optional[int] = None) -> None:
        super().__init__()
        if mixup_alpha is not None and (mixup_alpha <= 0 or not num_classes):
            raise ValueError('mixup needs mixup_alpha > 0 and num_classes')
        self.register_buffer('mean', torch.tensor(mean, dtype=torch.float32).view(1, 1, 3, 1, 1),
                             persistent=False)
        self.register_buffer('std', torch.tensor(std, dtype=torch.float32).view(1, 1, 3, 1, 1),
                             persistent=False)
        self.mixup_alpha, self.num_classes = mixup_alpha, num_classes

    def forward(self, data: Dict, training: bool = False) -> Dict:
        """``{'inputs': [(T, 3, H, W)], 'data_samples': [...]}`` -> ``{'inputs': (B, T, 3, H,
        W) float32, 'data_samples': [...]}`` on the model's device."""
        data = self.cast_data(data)
        clips = data['inputs']
        x = (torch.stack(list(clips)) if not isinstance(clips, torch.Tensor) else clips).float()
        x = (x - self.mean) / self.std  # [B, T, 3, H, W]
        samples = data.get('data_samples')
        if training and self.mixup_alpha and samples:
            B = x.shape[0]
            y = torch.stack([s.gt_frame_labels for s in samples]).to(x.device)  # [B, T]
            onehot = F.one_hot(y, self.num_classes + 1).float()  # [B, T, K + 1]
            lam = torch.distributions.Beta(self.mixup_alpha, self.mixup_alpha).sample(
                (B,)).to(x.device)  # [B]
            j = torch.roll(torch.arange(B, device=x.device), -1)
            x = lam.view(B, 1, 1, 1, 1) * x + (1 - lam.view(B, 1, 1, 1, 1)) * x[j]
            soft = lam.view(B, 1, 1) * onehot + (1 - lam.view(B, 1, 1)) * onehot[j]
            for s, t in zip(samples, soft):
                s.gt_soft_labels = t
        return dict(inputs=x, data_samples=samples)

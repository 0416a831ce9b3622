"""E2E-Spot's temporal head: a bidirectional GRU over the frame features, per-frame K + 1
class scores."""
from typing import Dict, Optional

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import Tensor, nn

from mmfine.registry import MODELS

#: E2E-Spot's ``MAX_GRU_HIDDEN_DIM``
MAX_GRU_HIDDEN = 768


@MODELS.register_module()
class SpottingHead(BaseModule):
    """BiGRU + dropout + linear: (B, T, D) frame features -> (B, T, K + 1) logits.

    E2E-Spot (Hong et al., ECCV 2022, ``model/modules.py`` ``GRUPrediction``): one GRU layer,
    bidirectional, hidden ``min(D, 768)``, dropout 0.5, a linear layer to K + 1 (class 0 is
    the background). Loss: cross-entropy over K + 1 with class weights ``[1] + [fg_weight] *
    K`` (E2E-Spot's ``--fg_weight`` 5), with hard targets (B, T) as torch's weighted mean
    (divided by the targets' summed weights) or soft targets (B, T, K + 1) (mixup) as
    torch's probability-target CE (divided by B * T), exactly ``F.cross_entropy`` as the
    release calls it.

    Args:
        in_channels (int): D.
        num_classes (int): K foreground classes (the output has K + 1).
        hidden_dim (int, optional): Defaults to ``min(D, 768)``.
        num_layers (int): GRU layers. Defaults to 1 (``'deeper_gru'``: 3).
        dropout (float): Defaults to 0.5.
        fg_weight (float): Defaults to 5.0.
        loss_weight (float): Defaults to 1.0.
        init_cfg (dict, optional): Defaults to None.
    """

    def __init__(self, in_channels: int, num_classes: int, hidden_dim: Optional[int] = None,
                 num_layers: int = 1, dropout: float = 0.5, fg_weight: float = 5.0,
                 loss_weight: float = 1.0, init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        hidden = hidden_dim or min(in_channels, MAX_GRU_HIDDEN)
        self.num_classes, self.hidden_dim = num_classes, hidden
        self.gru = nn.GRU(in_channels, hidden, num_layers=num_layers, batch_first=True,
                          bidirectional=True)
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(2 * hidden, num_classes + 1)
        self.register_buffer('class_weight', torch.tensor(
            [1.0] + [float(fg_weight)] * num_classes), persistent=False)
        self.loss_weight = loss_weight

    def forward(self, feats: Tensor) -> Tensor:
        """(B, T, D) -> (B, T, K + 1) logits."""
        y, _ = self.gru(feats)  # [B, T, 2 * hidden]
        return self.fc(self.dropout(y))

    def loss(self, logits: Tensor, targets: Tensor) -> Dict[str, Tensor]:
        """Args:
            logits (Tensor): (B, T, K + 1).
            targets (Tensor): (B, T) int64 class ids or (B, T, K + 1) soft labels.

        Returns:
            dict: ``loss_cls``.
        """
        c = logits.shape[-1]
        flat = logits.reshape(-1, c).float()
        tgt = targets.reshape(-1, c).float() if targets.dim() == 3 else targets.reshape(-1)
        loss = F.cross_entropy(flat, tgt, weight=self.class_weight.to(flat))
        return dict(loss_cls=self.loss_weight * loss)

    def predict(self, logits: Tensor) -> Tensor:
        """(B, T, K + 1) logits -> (B, T, K + 1) softmax scores."""
        return logits.float().softmax(-1)

"""FineParser's fine-grained contrastive regression (FineReg)."""
from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import Tensor

from mmfine.registry import MODELS
from ..layers.aqa_blocks import MLP, CrossAttentionDecoder

SCORE_FORMULAS = ('release', 'paper')


@MODELS.register_module()
class FineRegHead(BaseModule):
    """Relative score of a query against an exemplar from their step-wise token pairs.

    Paper: Xu et al., "FineParser", CVPR 2024, Eq. 6 and 11; release ``tools/helper.py``
    (facts sheet 2.6). Per stream (V: the dynamic I3D tokens, S: the static SVE tokens) and
    step l, the query's tokens attend to the exemplar's (``D_12``) and the exemplar's to the
    query's (``D_21``); a regressor R maps every decoded token to a number, averaged over the
    step's tokens::

        for l in steps:  s_l = mean_tokens R_V(decoder_V[l](X_V^l, Z_V^l))   (B,)
        delta_V = sum_l lambda_l s_l / sum(lambda)     (the release's (3 s1 + 5 s2 + 2 s3) / 10)
        delta   = (delta_V + delta_S) / 2              score_formula='release' (helper.py)
                  delta_V + delta_S                    score_formula='paper'   (Eq. 6)
        delta  *= score_scale                          (1 in the release: raw score points)
        y_X     = delta_12 + y_Z

    ``score_scale`` (an option; the release regresses raw score points) lets the regressors
    work in units of ``score_scale`` points: their outputs are multiplied by it and L_Reg is
    the MSE in those units, ``MSE(delta / s, (y_X - y_Z) / s)``. Trained from scratch, the
    release's MLPs start with outputs near 0 and need many Adam steps to grow to pair
    differences of tens of points; meanwhile L_Reg sits at the variance of the differences.

    The release builds 4 decoders for 6 step x stream pairs: steps 1 and 2 share one decoder
    per stream (``decoder_of_step=(0, 0, 1)``); ``(0, 1, 2)`` gives one per step.

    Args:
        embed_dims (int): token width. Defaults to 64.
        num_heads (int): Defaults to 8.
        num_layers (int): cross-attention blocks per decoder. Defaults to 3.
        step_weights (Sequence[float]): lambda_l. Defaults to (3, 5, 2).
        decoder_of_step (Sequence[int]): decoder index of every step. Defaults to (0, 0, 1).
        with_static (bool): the S stream (SVE) exists. Defaults to True.
        score_formula (str): ``'release'`` or ``'paper'``. Defaults to ``'release'``.
        score_scale (float): score points per regressor unit (see above). Defaults to 1.0
            (the release).
        loss_weight (float): weight of L_Reg. Defaults to 1.0.
        init_cfg (dict, optional): Defaults to None.
    """

    def __init__(self,
                 embed_dims: int = 64,
                 num_heads: int = 8,
                 num_layers: int = 3,
                 step_weights: Sequence[float] = (3, 5, 2),
                 decoder_of_step: Sequence[int] = (0, 0, 1),
                 with_static: bool = True,
                 score_formula: str = 'release',
                 score_scale: float = 1.0,
                 loss_weight: float = 1.0,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if not score_scale > 0:
            raise ValueError(f'score_scale must be > 0, got {score_scale}')
        if score_formula not in SCORE_FORMULAS:
            raise ValueError(f'score_formula must be one of {SCORE_FORMULAS}, got '
                             f'{score_formula!r}')
        if len(step_weights) != len(decoder_of_step):
            raise ValueError(f'step_weights {tuple(step_weights)} and decoder_of_step '
                             f'{tuple(decoder_of_step)} must have one entry per step')
        if sorted(set(decoder_of_step)) != list(range(max(decoder_of_step) + 1)):
            raise ValueError(f'decoder_of_step must use decoders 0..n-1, got {decoder_of_step}')
        self.step_weights = tuple(float(w) for w in step_weights)
        self.decoder_of_step = tuple(decoder_of_step)
        self.with_static, self.score_formula = with_static, score_formula
        self.score_scale = float(score_scale)
        self.loss_weight = loss_weight
        self.embed_dims = embed_dims
        n_dec = max(decoder_of_step) + 1
        dec = (lambda: nn.ModuleList([CrossAttentionDecoder(embed_dims, num_heads, num_layers)
                                      for _ in range(n_dec)]))
        self.decoders_v = dec()
        self.regressor_v = MLP([embed_dims, 256, 64, 1])
        if with_static:
            self.decoders_s = dec()
            self.regressor_s = MLP([embed_dims, 256, 64, 1])

    @property
    def num_steps(self) -> int:
        return len(self.step_weights)

    def _stream(self, decoders: nn.ModuleList, regressor: nn.Module, q: List[Tensor],
                kv: List[Tensor]) -> Tensor:
        total = 0.
        for l, w in enumerate(self.step_weights):
            decoded = decoders[self.decoder_of_step[l]](q[l], kv[l])  # [B, n_l, D]
            total = total + w * regressor(decoded).mean((1, 2))  # [B]
        return total / sum(self.step_weights)

    def relative_score(self, v_q: List[Tensor], v_z: List[Tensor],
                       s_q: Optional[List[Tensor]] = None,
                       s_z: Optional[List[Tensor]] = None) -> Tensor:
        """delta of the queries against the exemplars (B,).

        Args:
            v_q, v_z (list[Tensor]): per step, (B, n_V, D) dynamic tokens of query / exemplar.
            s_q, s_z (list[Tensor], optional): per step, (B, n_S, D) static tokens.
        """
        for name, toks in (('v_q', v_q), ('v_z', v_z)) + (
                (('s_q', s_q), ('s_z', s_z)) if self.with_static else ()):
            if toks is None or len(toks) != self.num_steps:
                raise ValueError(f'FineRegHead: {name} needs {self.num_steps} steps of tokens')
        delta = self._stream(self.decoders_v, self.regressor_v, v_q, v_z)
        if self.with_static:
            delta_s = self._stream(self.decoders_s, self.regressor_s, s_q, s_z)
            delta = (delta + delta_s) / 2 if self.score_formula == 'release' else delta + delta_s
        return delta * self.score_scale

    def forward(self, v_x: List[Tensor], v_z: List[Tensor], s_x: Optional[List[Tensor]] = None,
                s_z: Optional[List[Tensor]] = None) -> Tuple[Tensor, Tensor]:
        """(delta_12, delta_21): the query against the exemplar and back, each (B,)."""
        return (self.relative_score(v_x, v_z, s_x, s_z),
                self.relative_score(v_z, v_x, s_z, s_x))

    def loss(self, delta_12: Tensor, delta_21: Tensor, y_x: Tensor,
             y_z: Tensor) -> Dict[str, Tensor]:
        """L_Reg = MSE(delta_12, y_X - y_Z) + MSE(delta_21, y_Z - y_X) (the release; the
        paper's Eq. 11 is the first term), in units of ``score_scale`` points."""
        s = self.score_scale
        y_x, y_z = y_x.float() / s, y_z.float() / s
        loss = (F.mse_loss(delta_12.float() / s, y_x - y_z) +
                F.mse_loss(delta_21.float() / s, y_z - y_x))
        return dict(loss_reg=self.loss_weight * loss)

    @staticmethod
    def predict(deltas: Tensor, exemplar_scores: Tensor) -> Tensor:
        """Multi-exemplar voting (Eq. 12): mean over voters of ``delta_j + y_Zj``, in float64
        (at scores near 100 one float32 step is 8e-6).

        Args:
            deltas (Tensor): (E,) or (B, E).
            exemplar_scores (Tensor): same shape.
        """
        return (deltas.double() + exemplar_scores.double()).mean(-1)

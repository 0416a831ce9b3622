"""ATD head whose tube queries start at the PTA's target map (an mmfine addition)."""
from typing import Dict, Optional, Tuple

import torch
from torch import Tensor

from mmfine.registry import MODELS
from ..layers import cell_centres
from .atd_head import ATDHead


@MODELS.register_module()
class ReferencePointATDHead(ATDHead):
    """:class:`ATDHead` with reference points from :class:`~mmfine.models.TargetMapPTA`.

    Not in the paper (the small synthetic configs use it to train on a CPU budget). Given
    ``target_map`` (B, H'W'), a distribution over positions of where the prompted target is,
    the queries start from the memory features at its most likely position (frame t's
    queries from the time step covering t), and the box centres are predicted as offsets (in
    inverse sigmoid space) from that position's centre, as reference points do in
    Deformable / DAB-DETR.

    Data flow (in addition to :class:`ATDHead`'s)::

        target_map (B, H'W') --argmax--> cell c
        query (B, N*T, D) = memory[t'(t), c] for every tube n and frame t
        reference (B, 2) = centre of c;   boxes = sigmoid(MLP(hs) + [logit(ref), 0, 0])

    Args:
        **kwargs: :class:`ATDHead` arguments.
    """

    required_inputs = ('target_map', )

    def pre_decoder(self, memory: Tensor, grid: Tuple[int, int, int],
                    target_map: Optional[Tensor] = None) -> Dict[str, Tensor]:
        """Queries from the memory at the map's most likely position.

        The query of tube n on frame t is the memory of that position at the feature time
        step covering frame t (t' = t * T' // T), so the queries carry the target's
        appearance over time; ``reference`` (B, 2) is that position's centre (cx, cy).
        """
        if target_map is None:
            raise ValueError('ReferencePointATDHead needs the target map of a TargetMapPTA '
                             '(model.neck.type=TargetMapPTA)')
        out = super().pre_decoder(memory, grid)
        T, H, W = grid
        # the most likely position (the map carries no gradient, so nothing is lost by the
        # hard choice; a soft average would land between two look-alike players)
        cell = target_map.argmax(-1)  # [B]
        steps = torch.arange(T, device=memory.device) * H * W  # [T']
        idx = (steps[None] + cell[:, None])  # [B, T'] token index of the cell at each step
        content = memory.gather(1, idx[..., None].expand(-1, -1, memory.shape[-1]))  # [B,T',D]
        frame_step = torch.arange(self.num_frames, device=memory.device) * T // self.num_frames
        out['query'] = content[:, frame_step].repeat(1, self.num_queries, 1)  # [B, N*T, D]
        out['reference'] = cell_centres((H, W), memory.device)[cell]  # [B, 2]
        return out

    def forward_box_branch(self, hs: Tensor, dec_in: Dict[str, Tensor]) -> Tensor:
        """Box centres as offsets from the reference point; (L, B, N, T, 4) cxcywh."""
        L, B = hs.shape[:2]
        reg = self.fc_reg(hs).view(L, B, self.num_queries, self.num_frames, 4)
        ref = torch.logit(dec_in['reference'].clamp(1e-4, 1 - 1e-4)).view(1, B, 1, 1, 2)
        return torch.cat([reg[..., :2] + ref, reg[..., 2:]], -1).sigmoid()

"""PoSTAL's prompt-driven target action encoder (PTA)."""
import os.path as osp
import re
from typing import Dict, List, Optional, Sequence

import torch
import torch.nn as nn
from mmengine.model import BaseModule
from torch import Tensor

from mmfine.registry import MODELS
from ..layers import box_centre_cell


def _norm_name(name: str) -> str:
    return re.sub(r'[^0-9a-z]', '', name.lower())


@MODELS.register_module()
class PTA(BaseModule):
    """Prompt-driven target action encoder of PoSTAL.

    Paper: Xu et al., "FineSports: A Multi-person Hierarchical Sports Video Dataset for
    Fine-grained Action Understanding", CVPR 2024, Sec. 4.

    Data flow (B clips, video features f(X) of C channels on a T' x H' x W' grid)::

        f(X) (B, C, T', H', W') --pool--> type_fc ----> ~y logits (B, K_types)
          |                           \\--> contain_fc -> contains-target logits (B, 2)
          |                                              (from the fused features by default)
          |  prompt "a player wearing a <colour> jersey number <n>"
          |     -> slots [colour words, number words]  (or, prompt_source='video', one token
          |        projected from f(X) per slot, as the release fills them at test time)
          |  text = B([CLS] ctx.. colour ctx.. number ctx.. softmax(~y) @ E_types [SEP])
          v                                                       (B, L, D_text)
        x = W_in f(X) (B, T'H'W', C')   Q = W_Q x, K = W_K text, V = W_V text
        X_P = g(A V + x)  (B, C_T, T', H', W')

    The sub-action type token is predicted from the video (never taken from the ground
    truth); its ground truth for ``loss_type`` is the video id's folder (``BallDelivered/..``)
    matched to ``type_names`` ignoring case, spaces and punctuation.

    Args:
        text_encoder (dict): :class:`TextEncoder` config.
        in_channels (int): C of f(X).
        embed_dims (int): C', the attention width. Defaults to 256.
        out_channels (int): C_T of X_P. Defaults to 256.
        num_heads (int): Defaults to 8.
        type_names (Sequence[str]): sub-action type names (their word embeddings form the type
            token).
        type_tokens (int): wordpieces per type token (names padded with [PAD] / cut).
            Defaults to 5 (the release).
        prompt_pattern (str): regex with one group per slot, in slot order. Defaults to the
            FineSports prompt.
        descriptive_words (bool): insert the prompt's colour / number words; False is the
            ablation "without descriptive words" (only context and type). Defaults to True.
        prompt_source (str): ``'given'`` (the sample's prompt; samples without one fall back to
            ``'video'``) or ``'video'`` (fill the slots from the video, as the release does at
            test time). Defaults to ``'given'``.
        contain_input (str): ``'fused'`` (X_P averaged over all positions, prompt-aware),
            ``'video'`` (f(X), the release's FC_bi) or ``'target'`` (X_P averaged under the
            predicted target map, i.e. the features where the prompted player is; needs
            ``loss_target_map``). Defaults to ``'fused'``.
        loss_type (dict): Defaults to CE, weight 1.
        loss_contain (dict): Defaults to CE over 2 logits, weight 1.
        loss_target_map (dict, optional): an auxiliary training loss that is not in the paper:
            a 1x1 projection of X_P (averaged over time) scores every spatial position, and a
            CE over the H' x W' positions asks for the cell holding the centre of the target's
            keyframe box (clips that contain the target only). It gives the prompt fusion a
            dense signal early in training (used by the small synthetic configs to train on a
            CPU budget). Defaults to None (off).
        init_cfg (dict, optional): Defaults to None.
    """

    DEFAULT_PATTERN = r'^\s*a player wearing an? (.+?) jersey number (.+?)\s*$'

    def __init__(self,
                 text_encoder: dict,
                 in_channels: int,
                 type_names: Sequence[str],
                 embed_dims: int = 256,
                 out_channels: int = 256,
                 num_heads: int = 8,
                 type_tokens: int = 5,
                 prompt_pattern: str = DEFAULT_PATTERN,
                 descriptive_words: bool = True,
                 prompt_source: str = 'given',
                 contain_input: str = 'fused',
                 loss_type: dict = dict(type='mmdet.CrossEntropyLoss', loss_weight=1.0),
                 loss_contain: dict = dict(type='mmdet.CrossEntropyLoss', loss_weight=1.0),
                 loss_target_map: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if prompt_source not in ('given', 'video'):
            raise ValueError(f"prompt_source must be 'given' or 'video', got {prompt_source!r}")
        if contain_input not in ('fused', 'video', 'target'):
            raise ValueError("contain_input must be 'fused', 'video' or 'target', got "
                             f'{contain_input!r}')
        if contain_input == 'target' and loss_target_map is None:
            raise ValueError("contain_input='target' needs loss_target_map (the target map "
                             'it pools under)')
        if not type_names:
            raise ValueError('PTA needs type_names')
        self.text_encoder = MODELS.build(text_encoder)
        d_text = self.text_encoder.embed_dims
        self.type_names = list(type_names)
        self._type_index = {_norm_name(n): i for i, n in enumerate(self.type_names)}
        self.prompt_pattern = re.compile(prompt_pattern)
        self.num_slots = self.prompt_pattern.groups
        self.descriptive_words = descriptive_words
        self.prompt_source = prompt_source
        self.contain_input = contain_input
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.register_buffer('type_embeds', self._type_embeddings(type_tokens),
                             persistent=False)  # [K, E, D_text], derived from the frozen encoder
        self.type_fc = nn.Linear(in_channels, len(self.type_names))
        self.contain_fc = nn.Linear(in_channels if contain_input == 'video' else out_channels, 2)
        self.slot_fill = nn.Linear(in_channels, d_text)  # release: colour/number from video
        self.video_proj = nn.Conv3d(in_channels, embed_dims, 1)
        self.cross_attn = nn.MultiheadAttention(embed_dims, num_heads, kdim=d_text,
                                                vdim=d_text, batch_first=True)
        self.out_proj = nn.Linear(embed_dims, out_channels)  # g
        self.loss_type = MODELS.build(loss_type)
        self.loss_contain = MODELS.build(loss_contain)
        self.loss_target_map = None
        if loss_target_map is not None:
            self.loss_target_map = MODELS.build(loss_target_map)
            self.target_map = nn.Linear(out_channels, 1)

    @torch.no_grad()
    def _type_embeddings(self, n_tokens: int) -> Tensor:
        enc = self.text_encoder
        pad = enc.word_embedding_layer(torch.tensor([enc.tokenizer.pad_token_id]))[0]
        out = []
        for emb in enc.word_embeddings(self.type_names):
            emb = emb[:n_tokens]
            out.append(torch.cat([emb, pad.expand(n_tokens - len(emb), -1)], 0))
        return torch.stack(out).clone()

    # ------------------------------------------------------------------ prompts
    def parse_prompt(self, prompt: str) -> List[str]:
        """Descriptive words of a prompt (one string per slot)."""
        m = self.prompt_pattern.match(prompt)
        if m is None:
            raise ValueError(f'PTA: prompt {prompt!r} does not match the prompt pattern '
                             f'{self.prompt_pattern.pattern!r} (e.g. "a player wearing a white '
                             'jersey number 35")')
        return list(m.groups())

    def type_label(self, video_id: str) -> int:
        """Sub-action type of a video from its folder (``'BallDelivered/00002_1'``)."""
        folder = osp.basename(osp.dirname(video_id))
        idx = self._type_index.get(_norm_name(folder))
        if idx is None:
            raise ValueError(f'PTA: the folder {folder!r} of video {video_id!r} is none of the '
                             f'configured type_names {self.type_names}')
        return idx

    def _slots(self, prompts: Sequence[Optional[str]], pooled: Tensor) -> List[List[Tensor]]:
        if not self.descriptive_words:
            return [[] for _ in prompts]
        fill = self.slot_fill(pooled)  # [B, D_text]
        slots = []
        for b, prompt in enumerate(prompts):
            if self.prompt_source == 'given' and prompt is not None:
                slots.append(self.text_encoder.word_embeddings(self.parse_prompt(prompt)))
            else:
                slots.append([fill[b:b + 1]] * self.num_slots)
        return slots

    # ------------------------------------------------------------------ forward
    def forward(self, feats: Tensor, prompts: Sequence[Optional[str]]) -> Dict[str, Tensor]:
        """Fuse the prompt into the video features.

        Args:
            feats (Tensor): f(X), (B, C, T', H', W').
            prompts (Sequence[str | None]): one prompt per clip (None: filled from the video).

        Returns:
            dict: ``feats`` X_P (B, C_T, T', H', W'), ``type_logits`` (B, K_types),
            ``contain_logits`` (B, 2); with ``loss_target_map`` also ``target_map_logits``
            (B, H'W') and ``target_map`` (their softmax, detached).
        """
        B, _, T, H, W = feats.shape
        if len(prompts) != B:
            raise ValueError(f'PTA: {len(prompts)} prompts for {B} clips')
        pooled = feats.mean((2, 3, 4))  # [B, C]
        type_logits = self.type_fc(pooled)  # [B, K]
        tail = torch.einsum('bk,ked->bed', type_logits.softmax(-1), self.type_embeds)
        text, text_mask = self.text_encoder(self._slots(prompts, pooled), tail)  # [B, L, Dt]
        x = self.video_proj(feats).flatten(2).transpose(1, 2)  # [B, T'H'W', C']
        attended, _ = self.cross_attn(x, text, text, key_padding_mask=~text_mask)
        fused = self.out_proj(attended + x)  # [B, T'H'W', C_T]
        out = dict(type_logits=type_logits)
        if self.loss_target_map is not None:
            per_pos = self.target_map(fused).view(B, T, H * W)  # [B, T', H'W']
            out['target_map_logits'] = per_pos.mean(1)  # [B, H'W']
            # where the prompted target is, for the ATD's reference points (no gradient: the
            # map is trained by its own loss)
            out['target_map'] = out['target_map_logits'].detach().softmax(-1)
        if self.contain_input == 'target':  # the features where the target is, over T'
            w = out['target_map'].repeat(1, T).view(B, 1, T * H * W) / T
            contain_in = torch.bmm(w, fused)[:, 0]  # [B, C_T]
        else:
            contain_in = fused.mean(1) if self.contain_input == 'fused' else pooled
        out['contain_logits'] = self.contain_fc(contain_in)
        out['feats'] = fused.transpose(1, 2).reshape(B, self.out_channels, T, H, W)
        return out

    # ------------------------------------------------------------------ losses
    def loss(self, outs: Dict[str, Tensor], data_samples: Sequence) -> Dict[str, Tensor]:
        """Sub-action type CE and contains-target CE.

        The clip contains the target when a ground-truth tube covers its keyframe
        (``key_index``).
        """
        dev = outs['type_logits'].device
        types = torch.tensor([self.type_label(s.metainfo['video_id']) for s in data_samples],
                             device=dev)
        contain = torch.tensor([int(self.contains_target(s)) for s in data_samples],
                               device=dev)
        losses = dict(loss_type=self.loss_type(outs['type_logits'], types),
                      loss_contain=self.loss_contain(outs['contain_logits'], contain))
        if self.loss_target_map is not None:
            losses['loss_target_map'] = self._target_map_loss(outs, data_samples)
        return losses

    def _target_map_loss(self, outs: Dict[str, Tensor], data_samples: Sequence) -> Tensor:
        logits = outs['target_map_logits']  # [B, H'W']
        _, _, H, W = outs['feats'].shape[1:]
        rows, cells = [], []
        for b, s in enumerate(data_samples):
            k = s.metainfo['key_index']
            valid = s.gt_tubes.valid[:, k]
            if not valid.any():
                continue
            rows.append(b)
            cells.append(box_centre_cell(s.gt_tubes.boxes[valid][0, k].tolist(),
                                         s.metainfo['img_shape'], (H, W)))
        if not rows:
            return logits.sum() * 0
        return self.loss_target_map(logits[rows], torch.tensor(cells, device=logits.device))

    @staticmethod
    def contains_target(data_sample) -> bool:
        """Whether a ground-truth tube covers the sample's keyframe."""
        valid = data_sample.gt_tubes.valid  # [M, T]
        return bool(valid.shape[0] and valid[:, data_sample.metainfo['key_index']].any())

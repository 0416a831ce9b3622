"""PoSTAL's prompt-driven target action encoder (PTA)."""
import re
from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmengine.model import BaseModule
from torch import Tensor

from mmfine.registry import MODELS


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
          |        projected from f(X) per slot, as the release fills them at test time;
          |        prompt_source='given' and no prompt: no slots)
          |  text = B([CLS] ctx.. colour ctx.. number ctx.. softmax(~y) @ E_types [SEP])
          v                                                       (B, L, D_text)
        x = W_in f(X) (B, T'H'W', C')   Q = W_Q x, K = W_K text, V = W_V text
        X_P = g(A V + x)  (B, C_T, T', H', W')

    The sub-action type token is predicted from the video (never taken from the ground
    truth); its ground truth for ``loss_type`` is the data sample's ``gt_type_label`` (set by
    :class:`~mmfine.datasets.FineSportsDataset` from the video's folder, ``BallDelivered/..``,
    when the dataset is given the same ``type_names``).

    This is the paper's module. The synthetic configs' additions (a target-map loss, the
    contains-target decision under that map, reference points for the ATD) live in the
    subclass :class:`TargetMapPTA`.

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
        prompt_source (str): ``'given'`` (the sample's prompt; a sample without one gets no
            descriptive words, as the ablation) or ``'video'`` (fill the slots from the video
            with a learnt projection ``slot_fill``, as the release does at test time; only
            this mode builds it, so every parameter gets a gradient). Defaults to ``'given'``.
        contain_input (str): ``'fused'`` (X_P averaged over all positions, prompt-aware) or
            ``'video'`` (f(X), the release's FC_bi). Defaults to ``'fused'``.
        loss_type (dict): Defaults to CE, weight 1.
        loss_contain (dict): Defaults to CE over 2 logits, weight 1.
        init_cfg (dict, optional): Defaults to None.
    """

    DEFAULT_PATTERN = r'^\s*a player wearing an? (.+?) jersey number (.+?)\s*$'
    CONTAIN_INPUTS = ('fused', 'video')
    #: extra inputs this neck hands to the head (see :class:`TargetMapPTA`)
    head_inputs = ()

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
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if prompt_source not in ('given', 'video'):
            raise ValueError(f"prompt_source must be 'given' or 'video', got {prompt_source!r}")
        if contain_input not in self.CONTAIN_INPUTS:
            raise ValueError(f'{type(self).__name__}: contain_input must be one of '
                             f'{self.CONTAIN_INPUTS}, got {contain_input!r}')
        if not type_names:
            raise ValueError('PTA needs type_names')
        self.text_encoder = MODELS.build(text_encoder)
        d_text = self.text_encoder.embed_dims
        self.type_names = list(type_names)
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
        if prompt_source == 'video':  # the release: colour / number words from the video
            self.slot_fill = nn.Linear(in_channels, d_text)
        self.video_proj = nn.Conv3d(in_channels, embed_dims, 1)
        self.cross_attn = nn.MultiheadAttention(embed_dims, num_heads, kdim=d_text,
                                                vdim=d_text, batch_first=True)
        self.out_proj = nn.Linear(embed_dims, out_channels)  # g
        self.loss_type = MODELS.build(loss_type)
        self.loss_contain = MODELS.build(loss_contain)

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

    def _slots(self, prompts: Sequence[Optional[str]], pooled: Tensor) -> List[List[Tensor]]:
        if not self.descriptive_words:
            return [[] for _ in prompts]
        if self.prompt_source == 'video':
            fill = self.slot_fill(pooled)  # [B, D_text]
            return [[fill[b:b + 1]] * self.num_slots for b in range(len(prompts))]
        return [self.text_encoder.word_embeddings(self.parse_prompt(p)) if p is not None
                else [] for p in prompts]

    # ------------------------------------------------------------------ forward
    def forward(self, feats: Tensor, prompts: Sequence[Optional[str]]) -> Dict[str, Tensor]:
        """Fuse the prompt into the video features.

        Args:
            feats (Tensor): f(X), (B, C, T', H', W').
            prompts (Sequence[str | None]): one prompt per clip (None: no descriptive words,
                or the video-filled ones with ``prompt_source='video'``).

        Returns:
            dict: ``feats`` X_P (B, C_T, T', H', W'), ``type_logits`` (B, K_types),
            ``contain_logits`` (B, 2) (subclasses add their own outputs).
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
        out['contain_logits'] = self.contain_fc(
            self.contain_features(fused, pooled, (T, H, W), out))
        out['feats'] = fused.transpose(1, 2).reshape(B, self.out_channels, T, H, W)
        return out

    def contain_features(self, fused: Tensor, pooled: Tensor, grid: Tuple[int, int, int],
                         out: Dict[str, Tensor]) -> Tensor:
        """The input of the contains-target classifier.

        Args:
            fused (Tensor): X_P flattened, (B, T'H'W', C_T).
            pooled (Tensor): f(X) averaged, (B, C).
            grid (tuple[int, int, int]): (T', H', W').
            out (dict): the outputs so far (a subclass may add to it).

        Returns:
            Tensor: (B, C_T) (``'fused'``) or (B, C) (``'video'``).
        """
        return fused.mean(1) if self.contain_input == 'fused' else pooled

    # ------------------------------------------------------------------ losses
    def loss(self, outs: Dict[str, Tensor], data_samples: Sequence) -> Dict[str, Tensor]:
        """Sub-action type CE and contains-target CE.

        The type label is each sample's ``gt_type_label``; the clip contains the target when a
        ground-truth tube covers its keyframe (``key_index``).
        """
        dev = outs['type_logits'].device
        types = torch.tensor([self.type_label_of(s) for s in data_samples], device=dev)
        contain = torch.tensor([int(self.contains_target(s)) for s in data_samples],
                               device=dev)
        return dict(loss_type=self.loss_type(outs['type_logits'], types),
                    loss_contain=self.loss_contain(outs['contain_logits'], contain))

    def type_label_of(self, data_sample) -> int:
        """The sample's ``gt_type_label`` (checked against ``type_names``)."""
        label = data_sample.get('gt_type_label')
        if label is None:
            raise KeyError(f"PTA: the sample of {data_sample.metainfo.get('video_id')!r} has "
                           'no gt_type_label: give the dataset the same type_names as the PTA '
                           '(FineSportsDataset(type_names=...))')
        label = int(label)
        if not 0 <= label < len(self.type_names):
            raise ValueError(f'PTA: gt_type_label {label} of '
                             f"{data_sample.metainfo.get('video_id')!r} is outside the "
                             f'{len(self.type_names)} type_names')
        return label

    @staticmethod
    def contains_target(data_sample) -> bool:
        """Whether a ground-truth tube covers the sample's keyframe."""
        valid = data_sample.gt_tubes.valid  # [M, T]
        return bool(valid.shape[0] and valid[:, data_sample.metainfo['key_index']].any())

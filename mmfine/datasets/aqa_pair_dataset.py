"""Query / exemplar pairing of the contrastive-regression AQA datasets (FineDiving, MTL-AQA)."""
import copy
import zlib
from typing import Callable, Dict, List, Optional, Sequence, Union

import numpy as np
import torch
from mmengine.dataset import BaseDataset

from .aqa_annotations import AQAKey

EXEMPLAR_RULES = ('dive_number', 'difficulty')


def holdout_keys(keys: Sequence[AQAKey], ratio: float, seed: int,
                 groups: Optional[Dict[AQAKey, object]] = None) -> set:
    """A deterministic held-out part of a split (validation inside the training split).

    Every key gets a number from ``crc32(seed, key)``; keys are held out in that order until
    ``round(ratio * len(keys))`` are. With ``groups`` (key -> dive number), a key is skipped
    when holding it out would leave its group without a clip in the rest (the held-out clips
    need exemplars of their group). The choice depends on neither the order of the split file
    nor the number of processes.
    """
    if not 0 < ratio < 1:
        raise ValueError(f'holdout ratio must be in (0, 1), got {ratio}')
    order = sorted(keys, key=lambda k: (zlib.crc32(f'{seed}|{k[0]}|{k[1]}'.encode()), k))
    left = {}
    for k in keys:
        g = groups[k] if groups is not None else None
        left[g] = left.get(g, 0) + 1
    held, want = set(), int(round(ratio * len(order)))
    for k in order:
        if len(held) == want:
            break
        g = groups[k] if groups is not None else None
        if groups is not None and left[g] <= 1:
            continue
        held.add(k)
        left[g] -= 1
    return held


class AQAPairDataset(BaseDataset):
    """Base of the AQA datasets whose samples are a query plus exemplars of the same group.

    Subclasses implement :meth:`load_infos` (key -> data info, with at least ``key``,
    ``video_id``, ``score``, ``dive_number``, ``difficulty``) and name the split files. A
    sample is the query and, run through the same pipeline one by one:

    - training: one exemplar drawn uniformly at random (the worker's numpy RNG) from the
      exemplar pool entries of the query's group, the query itself excluded unless it is the
      group's only member (as the FineParser release);
    - test: ``num_voters`` voters of the group from the exemplar pool, chosen once from
      ``voter_seed`` and the query's key (a fixed permutation of the group), so they are the
      same at every evaluation, in any sample order and on any number of processes (the
      release re-draws them at every validation); fewer when the group is smaller.

    The packed sample: ``inputs`` (1 + E, C, T, H, W), the query first, and the query's data
    sample with ``exemplar_scores`` (E,), ``exemplar_transitions`` (E, 2),
    ``exemplar_has_steps`` (E,), ``exemplar_masks`` (E, T, H, W) and ``exemplar_mask_valid`` (E, T)
    (when masks are loaded) and
    the metainfo ``exemplar_keys``.

    Args:
        split_file (str): keys of this dataset's split.
        exemplar_split_file (str, optional): keys of the exemplar / voter pool. Defaults to
            ``split_file`` (training); test configs give the training split.
        exemplar_rule (str): the group: ``'dive_number'`` (FineDiving, the release) or
            ``'difficulty'`` (MTL-AQA, as CoRe). Defaults to ``'dive_number'``.
        num_voters (int): E at test. Defaults to 10.
        voter_seed (int): Defaults to 0.
        holdout (dict, optional): ``dict(ratio=0.1, seed=0, part='train' | 'val')``: keep
            only the training part or only the held-out part of ``split_file`` (validation
            inside the training split, never on test; a dive number's last clip is never
            held out, so every held-out clip has exemplars). The exemplar pool never holds the
            held-out part. Defaults to None.
        pipeline (Sequence[dict | callable]): transforms. Defaults to ().
        test_mode (bool): voters instead of one random exemplar. Defaults to False.
        **kwargs: :class:`mmengine.dataset.BaseDataset` arguments.
    """

    def __init__(self,
                 split_file: str,
                 exemplar_split_file: Optional[str] = None,
                 exemplar_rule: str = 'dive_number',
                 num_voters: int = 10,
                 voter_seed: int = 0,
                 holdout: Optional[dict] = None,
                 pipeline: Sequence[Union[dict, Callable]] = (),
                 test_mode: bool = False,
                 **kwargs) -> None:
        if exemplar_rule not in EXEMPLAR_RULES:
            raise ValueError(f'exemplar_rule must be one of {EXEMPLAR_RULES}, got '
                             f'{exemplar_rule!r}')
        if num_voters < 1:
            raise ValueError(f'num_voters must be >= 1, got {num_voters}')
        if holdout is not None:
            holdout = dict(holdout)
            if holdout.get('part') not in ('train', 'val'):
                raise ValueError("holdout needs part='train' or part='val', got "
                                 f'{holdout.get("part")!r}')
        self.split_file = split_file
        self.exemplar_split_file = exemplar_split_file or split_file
        self.exemplar_rule = exemplar_rule
        self.num_voters = num_voters
        self.voter_seed = voter_seed
        self.holdout = holdout
        super().__init__(pipeline=list(pipeline), test_mode=test_mode, **kwargs)

    # ------------------------------------------------------------------ to implement
    def load_infos(self) -> Dict[AQAKey, dict]:
        """Every annotated clip: key -> data info."""
        raise NotImplementedError

    def load_split_keys(self, path: str) -> List[AQAKey]:
        """Keys of a split file."""
        raise NotImplementedError

    def check_info(self, info: dict) -> None:
        """Check a data info's files (called for the split's and the pool's clips)."""

    # ------------------------------------------------------------------ building
    def group_of(self, info: dict):
        return info[self.exemplar_rule]

    def _pick(self, keys: List[AQAKey], infos: Dict[AQAKey, dict], path: str) -> List[dict]:
        out = []
        for k in keys:
            if k not in infos:
                raise KeyError(f'{path}: key {k!r} has no entry in {self.ann_file}')
            out.append(infos[k])
        return out

    def load_data_list(self) -> List[dict]:
        infos = self.load_infos()
        keys = self.load_split_keys(self.split_file)
        pool_keys = self.load_split_keys(self.exemplar_split_file)
        if self.holdout is not None:
            ratio, seed = self.holdout.get('ratio', 0.1), self.holdout.get('seed', 0)
            groups = {k: self.group_of(infos[k]) for k in set(keys) | set(pool_keys)
                      if k in infos}
            held = holdout_keys(keys, ratio, seed, groups)
            keys = [k for k in keys if (k in held) == (self.holdout['part'] == 'val')]
            pool_held = holdout_keys(pool_keys, ratio, seed, groups) \
                if self.exemplar_split_file != self.split_file else held
            pool_keys = [k for k in pool_keys if k not in pool_held]
        data_list = self._pick(keys, infos, self.split_file)
        pool = self._pick(pool_keys, infos, self.exemplar_split_file)
        for info in data_list + pool:
            self.check_info(info)
        self._pool = pool
        self._groups: Dict[object, List[int]] = {}
        for i, info in enumerate(pool):
            self._groups.setdefault(self.group_of(info), []).append(i)
        for info in data_list:
            if self.group_of(info) not in self._groups:
                raise ValueError(
                    f'{self.ann_file}: {self.exemplar_rule} {self.group_of(info)!r} of '
                    f'{info["video_id"]} has no clip in the exemplar split '
                    f'{self.exemplar_split_file}: no exemplar to compare it with')
        return data_list

    # ------------------------------------------------------------------ exemplars
    def exemplar_infos(self, idx: int) -> List[dict]:
        """The exemplar (training) or voters (test) of sample ``idx``."""
        info = self.get_data_info(idx)
        if not self.test_mode:
            others = self._others(self.group_of(info), info['key'])
            return [self._pool[others[np.random.randint(len(others))]]]
        return self.voters(self.group_of(info), info['key'])

    def _others(self, group, key: AQAKey) -> List[int]:
        """Pool indices of the group's clips but ``key`` (all of them when it is alone)."""
        members = self._groups[group]
        return [i for i in members if self._pool[i]['key'] != tuple(key)] or members

    def voters(self, group, key: AQAKey) -> List[dict]:
        """The ``num_voters`` voters of a query of ``group`` named ``key`` (any key, e.g. a
        demo video's): a permutation of the group's pool clips (the query itself left out
        unless it is alone) fixed by ``voter_seed`` and the key."""
        if group not in self._groups:
            raise KeyError(f'{self.exemplar_rule} {group!r} has no clip in the exemplar split '
                           f'{self.exemplar_split_file} (known: {sorted(self._groups)})')
        others = self._others(group, key)
        seed = zlib.crc32(f'{self.voter_seed}|{key[0]}|{key[1]}'.encode())
        order = np.random.default_rng(seed).permutation(len(others))
        return [self._pool[others[j]] for j in order[:self.num_voters]]

    def prepare_data(self, idx: int) -> dict:
        query = self.pipeline(self.get_data_info(idx))
        exemplars = [self.pipeline(copy.deepcopy(e)) for e in self.exemplar_infos(idx)]
        return self.merge(query, exemplars)

    @staticmethod
    def merge(query: dict, exemplars: List[dict]) -> dict:
        """Query + exemplars -> one sample (see the class docstring)."""
        sample = query['data_samples']
        ex = [e['data_samples'] for e in exemplars]
        inputs = torch.stack([query['inputs']] + [e['inputs'] for e in exemplars])
        sample.exemplar_scores = torch.stack([e.gt_score for e in ex])
        sample.exemplar_transitions = torch.stack([e.gt_transitions for e in ex])
        sample.exemplar_has_steps = torch.tensor([bool(e.has_steps) for e in ex])
        if 'gt_masks' in sample and all('gt_masks' in e for e in ex):
            sample.exemplar_masks = torch.stack([e.gt_masks for e in ex])
            sample.exemplar_mask_valid = torch.stack([e.gt_mask_valid for e in ex])
        sample.set_metainfo(dict(exemplar_keys=[e.key for e in ex]))
        return dict(inputs=inputs, data_samples=sample)

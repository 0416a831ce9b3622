"""How fast can a PoSTAL backbone learn to read the prompted player's jersey from scratch?

PoSTAL can only follow "a player wearing a red jersey number 23" when the video features at
that player's position tell its colour and number apart from its look-alikes'. This probe
isolates that step: it builds the config's backbone, initialised as the config says (the
synthetic PoSTAL config: the pretrained player-attribute backbone through its ``init_cfg``;
``--cfg-options model.backbone.init_cfg=None``: fresh weights) or from ``--checkpoint``,
and trains it, with two linear readers, to name the colour and the number of the prompted
player from the backbone features (averaged over time) at the grid cell holding the centre of
the player's keyframe box. Supervision comes from the clip's own prompt and ground-truth tube,
so it runs on the real FineSports files as well as on the synthetic ones.

Training samples: ``--keyframes`` keyframes inside every ground-truth tube of the training
split; test samples: the centre keyframe of every test tube; both through the config's test
pipeline (no augmentation). It prints, every ``--eval-interval`` iterations, the mean training
losses and the test accuracy of each reader next to chance (1 / vocabulary size).

Usage::

    python tools/analysis_tools/postal_identity_probe.py CONFIG [--iters 1200] \
        [--eval-interval 200] [--batch-size 8] [--lr 1e-3] [--out curve.json] \
        [--cfg-options model.backbone.base_channels=8 ...]
"""
import argparse
import json
import os.path as osp
import re
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from mmengine.config import Config, DictAction  # noqa: E402
from mmengine.dataset import pseudo_collate  # noqa: E402
from mmengine.registry import DefaultScope  # noqa: E402
from mmengine.runner import load_checkpoint  # noqa: E402

from mmfine.datasets import build_split_dataset  # noqa: E402
from mmfine.models.layers import box_centre_cell  # noqa: E402
from mmfine.models.necks.pta import PTA  # noqa: E402
from mmfine.registry import MODELS  # noqa: E402
from mmfine.utils import register_all_modules  # noqa: E402


def build_split(cfg: Config, split: str, keyframes: int, cache_videos: int = None):
    """Tube-keyframe samples of a split through the config's test pipeline (with
    ``cache_videos``, the loader keeps that many decoded videos in memory)."""
    pipeline = [dict(t) for t in cfg.test_pipeline]
    for t in pipeline:
        if cache_videos is not None and t['type'] == 'LoadFineSportsFrames':
            t['cache_videos'] = cache_videos
    return build_split_dataset(cfg, split, pipeline, sample_mode='tube',
                               keyframes_per_tube=keyframes, test_mode=False,
                               frame_stride=None)


def identity(info: dict, pattern: re.Pattern, where: str) -> tuple:
    """(colour, number) words of the prompt of a sample (its data info or metainfo)."""
    prompt = info.get('prompt')
    m = pattern.match(prompt or '')
    if m is None or pattern.groups != 2:
        raise ValueError(f'{where}: the prompt {prompt!r} of video '
                         f"{info.get('video_id')!r} does not name a colour and a "
                         f'number (pattern {pattern.pattern!r})')
    return m.group(1), m.group(2)


class Probe:
    """Backbone + data preprocessor + linear colour / number readers at the target's cell."""

    def __init__(self, cfg: Config, colours: list, numbers: list, checkpoint: str = None):
        with DefaultScope.overwrite_default_scope('mmfine'):
            self.backbone = MODELS.build(cfg.model.backbone)
            self.preprocessor = MODELS.build(cfg.model.data_preprocessor)
        self.backbone.init_weights()
        if checkpoint:
            load_checkpoint(self.backbone, checkpoint, map_location='cpu',
                            revise_keys=[(r'^backbone\.', '')])
        self.colours, self.numbers = colours, numbers
        self.readers = None

    def cell_features(self, items: list, pattern: re.Pattern):
        """Features (B, C) at each target's keyframe cell and the (colour, number) labels."""
        data = self.preprocessor(pseudo_collate(items), False)
        x = data['inputs']
        feats = self.backbone(x[:, 0] if x.dim() == 6 else x)
        feats = (feats[-1] if isinstance(feats, (tuple, list)) else feats).mean(2)  # B C H W
        H, W = feats.shape[-2:]
        if self.readers is None:
            self.readers = nn.ModuleList([nn.Linear(feats.shape[1], len(self.colours)),
                                          nn.Linear(feats.shape[1], len(self.numbers))])
        rows, colour, number = [], [], []
        for b, s in enumerate(data['data_samples']):
            k = s.metainfo['key_index']
            cell = box_centre_cell(s.gt_tubes.boxes[s.gt_tubes.valid[:, k]][0, k].tolist(),
                                   s.metainfo['img_shape'], (H, W))
            rows.append(feats[b, :, cell // W, cell % W])
            c, n = identity(s.metainfo, pattern, 'postal_identity_probe')
            colour.append(self.colours.index(c) if c in self.colours else -100)
            number.append(self.numbers.index(n) if n in self.numbers else -100)
        return torch.stack(rows), torch.tensor(colour), torch.tensor(number)


def run(cfg: Config, iters: int = 1200, eval_interval: int = 200, batch_size: int = 8,
        lr: float = 1e-3, keyframes: int = 4, seed: int = 0, checkpoint: str = None,
        cache_videos: int = None, log=print) -> dict:
    """Train the probe; returns the learning curve (see the module docstring)."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    pattern = re.compile((cfg.model.get('neck') or {}).get('prompt_pattern', PTA.DEFAULT_PATTERN))
    train = build_split(cfg, 'train', keyframes, cache_videos)
    test = build_split(cfg, 'test', 1, cache_videos)
    words = [identity(d, pattern, cfg.train_dataloader.dataset.get('prompt_file'))
             for d in map(train.get_data_info, range(len(train)))]
    if not words:
        raise ValueError('postal_identity_probe: no training tubes in '
                         f"{cfg.train_dataloader.dataset.get('ann_file')}")
    colours = sorted({c for c, _ in words})
    numbers = sorted({n for _, n in words})
    probe = Probe(cfg, colours, numbers, checkpoint)
    probe.cell_features([train[0]], pattern)  # builds the readers (feature width)
    params = list(probe.backbone.parameters()) + list(probe.readers.parameters())
    optim = torch.optim.AdamW(params, lr=lr, weight_decay=1e-4)

    def evaluate():
        probe.backbone.eval()
        hits, n = np.zeros(2), 0
        with torch.no_grad():
            for i in range(0, len(test), batch_size):
                f, yc, yn = probe.cell_features([test[j] for j in range(
                    i, min(i + batch_size, len(test)))], pattern)
                hits += [int((probe.readers[0](f).argmax(-1) == yc).sum()),
                         int((probe.readers[1](f).argmax(-1) == yn).sum())]
                n += len(yc)
        probe.backbone.train()
        return hits / max(n, 1)

    curve, hist, t0 = [], [], time.time()
    for it in range(1, iters + 1):
        idx = rng.choice(len(train), min(batch_size, len(train)), replace=False)
        f, yc, yn = probe.cell_features([train[int(i)] for i in idx], pattern)
        l_c = F.cross_entropy(probe.readers[0](f), yc)
        l_n = F.cross_entropy(probe.readers[1](f), yn)
        optim.zero_grad()
        (l_c + l_n).backward()
        optim.step()
        hist.append((l_c.item(), l_n.item()))
        if it % eval_interval == 0 or it == iters:
            acc = evaluate()
            row = dict(iter=it, seconds=round(time.time() - t0, 1),
                       loss_colour=float(np.mean([h[0] for h in hist])),
                       loss_number=float(np.mean([h[1] for h in hist])),
                       test_colour_acc=float(acc[0]), test_number_acc=float(acc[1]))
            hist = []
            curve.append(row)
            log(f"iter {it:5d}  {row['seconds']:7.1f} s  loss colour {row['loss_colour']:.3f}"
                f"  number {row['loss_number']:.3f}  test acc colour "
                f"{row['test_colour_acc']:.3f}  number {row['test_number_acc']:.3f}")
    return dict(curve=curve, colours=colours, numbers=numbers, train_samples=len(train),
                test_samples=len(test), chance_colour=1 / len(colours),
                chance_number=1 / len(numbers), iters=iters, batch_size=batch_size, lr=lr)


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('config')
    p.add_argument('--checkpoint', default=None, help='start from a PoSTAL checkpoint')
    p.add_argument('--iters', type=int, default=1200)
    p.add_argument('--eval-interval', type=int, default=200)
    p.add_argument('--batch-size', type=int, default=8)
    p.add_argument('--lr', type=float, default=1e-3)
    p.add_argument('--keyframes', type=int, default=4, help='training keyframes per tube')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--cache-videos', type=int, default=None,
                   help='decoded videos kept in memory (default: the test pipeline\'s value)')
    p.add_argument('--threads', type=int, default=None, help='torch CPU threads')
    p.add_argument('--out', default=None, help='write the curve as json')
    p.add_argument('--cfg-options', nargs='+', action=DictAction, default=None)
    args = p.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    register_all_modules()
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    res = run(cfg, args.iters, args.eval_interval, args.batch_size, args.lr, args.keyframes,
              args.seed, args.checkpoint, args.cache_videos)
    print(f"{res['train_samples']} training / {res['test_samples']} test samples; chance: "
          f"colour {res['chance_colour']:.3f}, number {res['chance_number']:.3f}")
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(res, f, indent=1)


if __name__ == '__main__':
    main()

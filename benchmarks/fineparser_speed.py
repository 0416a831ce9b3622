"""FineParser on CPU: test-time voting with cached exemplar features vs the release's
recomputation for every pair, and training iterations/s + peak memory of two configs.

    python benchmarks/fineparser_speed.py [--queries 6] [--voters 10] [--train-iters 3]
        [--skip-paper] [--ab-rounds 3]

Voting: ``--queries`` queries of one dive number, each scored against the same ``--voters``
voters (as the fixed voters of the test split), with the small synthetic config's model
(random weights, eval mode) on random clips. *Cached*: :meth:`FineParser.predict` (the query's
per-video features once, every voter's once for all queries). *Per pair*: what the release
does, the whole network on (query, voter) for every pair, both videos recomputed. Both give
the same scores (printed: the largest difference; in float32 the two paths batch the videos
differently, which moves the last bits of the convolutions, so it is also checked in
float64).

Training: one ``train_step`` per iteration at batch 2 (pairs), after a warm-up step, for the
small synthetic config and the paper config (full-size I3Ds, ResNet-34, 96 frames at
112 x 112, random weights: no download); peak memory is the process's maximum resident set
after each (the paper config runs second, so its figure includes the small one's).

SAP up-sampling: the small config's training step with SAP's transposed convolutions run by
``F.conv_transpose3d`` (im2col on CPU) and by :class:`SubPixelConvTranspose3d` (a 2x2x2
convolution + pixel shuffle, the default), and with M_fuse folded (the fuse weights in the up1
kernels, the default) or computed from the four 16-channel maps M_up1_j and a 1x1x1
convolution (the release), alternated ``--ab-rounds`` times in one process on the same model
(the machine's speed drifts; the best round of each is printed).
"""
import argparse
import copy
import os
import os.path as osp
import platform
import sys
import time

import torch

from _common import REPO, peak_rss_mb  # noqa: E402 (puts the repository on sys.path)
SMALL = 'configs/fineparser/fineparser_i3d-tiny_1xb4-14e_finediving-hm-synthetic.py'
PAPER = 'configs/fineparser/fineparser_i3d-r34_4xb2-acc2-400e_finediving-hm.py'


def build(config: str):
    from mmengine.config import Config
    from mmengine.registry import DefaultScope

    from mmfine.registry import MODELS
    cfg = Config.fromfile(osp.join(REPO, config))
    for key in ('tap_backbone', 'sap', 'sve'):  # random weights: nothing to download
        if cfg.model.get(key) is not None:
            cfg.model[key]['init_cfg'] = None
    with DefaultScope.overwrite_default_scope('mmfine'):
        return cfg, MODELS.build(cfg.model)


def clip_shape(cfg):
    T = cfg.train_dataloader.dataset.pipeline[0].num_frames
    crop = cfg.train_dataloader.dataset.pipeline[4].size
    return T, crop


def sample(T, hw, E, score=70.0, keys=None, seed=0):
    from mmaction.structures import ActionDataSample
    g = torch.Generator().manual_seed(seed)
    s = ActionDataSample()
    s.gt_score = torch.tensor(score)
    s.gt_transitions = torch.tensor([T // 4, 3 * T // 4])
    s.exemplar_scores = torch.linspace(50, 90, E)
    s.exemplar_transitions = torch.tensor([[T // 4, 3 * T // 4]] * E)
    s.exemplar_has_steps = torch.ones(E, dtype=torch.bool)
    m = torch.zeros(T, hw, hw, dtype=torch.uint8)
    m[:, hw // 4:hw // 2, hw // 3:hw // 2] = 255
    s.gt_masks = m
    s.exemplar_masks = m[None].repeat(E, 1, 1, 1)
    s.set_metainfo(dict(key=('q', seed), has_steps=True,
                        exemplar_keys=keys or [('z', j) for j in range(E)]))
    x = torch.randint(0, 255, (1 + E, 3, T, hw, hw), generator=g).to(torch.uint8)
    return x, s


def per_pair_scores(model, inputs, s) -> torch.Tensor:
    """The release's test: the whole network on every (query, voter) pair."""
    E = inputs.shape[0] - 1
    deltas = []
    for j in range(E):
        feats = model.video_features(inputs[[0, 1 + j]])
        feats.pop('masks', None)
        q = {k: v[:1] for k, v in feats.items()}
        z = {k: v[1:] for k, v in feats.items()}
        t_q = t_z = None
        if model.tap_head is not None:
            t_q, t_z = model.tap_head.predict(q['probs']), model.tap_head.predict(z['probs'])
        d12, _ = model.finereg(*model.step_tokens(q, z, t_q, t_z))
        deltas.append(d12[0])
    return model.finereg.predict(torch.stack(deltas), s.exemplar_scores.float())


def voting(args, num_queries: int, dtype=torch.float32):
    cfg, model = build(SMALL)
    model.eval().to(dtype)
    T, hw = clip_shape(cfg)
    queries = [sample(T, hw, args.voters, seed=i) for i in range(num_queries)]
    voters = queries[0][0][1:]  # the same voters (same keys, same clips) for every query
    queries = [(torch.cat([x[:1], voters]), s) for x, s in queries]

    def prepared(x, s):
        data = model.data_preprocessor(dict(inputs=[x], data_samples=[copy.deepcopy(s)]))
        data['inputs'] = data['inputs'].to(dtype)
        return data

    with torch.no_grad():
        t0 = time.perf_counter()
        cached = [float(model(**prepared(x, s), mode='predict')[0].pred_score)
                  for x, s in queries]
        t_cached = time.perf_counter() - t0
        t0 = time.perf_counter()
        pairs = [float(per_pair_scores(model, prepared(x, s)['inputs'][0], s))
                 for x, s in queries]
        t_pairs = time.perf_counter() - t0
    diff = max(abs(a - b) for a, b in zip(cached, pairs))
    return t_cached, t_pairs, diff


def trainer(config: str):
    """The config's model in train mode, after one warm-up step at batch 2, and a function
    returning the it/s of ``iters`` more steps on the same batch."""
    from mmengine.optim import build_optim_wrapper
    cfg, model = build(config)
    model.train()
    T, hw = clip_shape(cfg)
    batch = [sample(T, hw, 1, seed=i) for i in range(2)]
    data = dict(inputs=[x for x, _ in batch], data_samples=[s for _, s in batch])
    optim = build_optim_wrapper(model, dict(cfg.optim_wrapper, accumulative_counts=1))
    model.train_step(copy.deepcopy(data), optim)

    def timed(iters: int) -> float:
        t0 = time.perf_counter()
        for _ in range(iters):
            model.train_step(copy.deepcopy(data), optim)
        return iters / (time.perf_counter() - t0)

    return model, timed, (T, hw)


def training(config: str, iters: int):
    _, timed, shape = trainer(config)
    return timed(iters), peak_rss_mb(), shape


def upsampling_ab(iters: int, rounds: int):
    """Training it/s of the small config (best round) with SAP's transposed convolutions run
    natively or as sub-pixel convolutions, and with M_fuse folded (the default) or computed
    from the M_up1 maps as the release."""
    from mmfine.models.layers import SubPixelConvTranspose3d
    model, timed, _ = trainer(SMALL)
    ups = [m for m in model.modules() if isinstance(m, SubPixelConvTranspose3d)]
    variants = {'native, folded fuse': (False, True), 'sub-pixel, folded fuse': (True, True),
                'sub-pixel, unfolded fuse (release)': (True, False)}
    best = dict.fromkeys(variants, 0.0)
    for _ in range(rounds):
        for name, (subpixel, fold_fuse) in variants.items():
            for m in ups:
                m.subpixel = subpixel
            model.sap.fold_fuse = fold_fuse
            best[name] = max(best[name], timed(iters))
    return best


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--queries', type=int, default=6)
    p.add_argument('--voters', type=int, default=10)
    p.add_argument('--train-iters', type=int, default=3)
    p.add_argument('--skip-paper', action='store_true', help='only the small config')
    p.add_argument('--ab-rounds', type=int, default=3,
                   help='rounds of the native / sub-pixel up-sampling comparison (0: skip)')
    args = p.parse_args()
    from mmfine.utils import register_all_modules
    register_all_modules()
    torch.manual_seed(0)
    print(f'machine: {platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}, '
          f'threads {torch.get_num_threads()}')
    t_cached, t_pairs, diff = voting(args, args.queries)
    _, _, diff64 = voting(args, 2, torch.float64)
    rows = [(f'voting, {args.queries} queries x E = {args.voters}: cached features (s)',
             f'{t_cached:.2f}'),
            ('voting: whole network per pair, the release (s)', f'{t_pairs:.2f}'),
            ('speed-up of the cache (x)', f'{t_pairs / t_cached:.1f}'),
            ('largest |score difference|, float32', f'{diff:.2e}'),
            ('largest |score difference|, float64 (2 queries)', f'{diff64:.2e}')]
    for name, config in (('small synthetic', SMALL), ('paper', PAPER)):
        if name == 'paper' and args.skip_paper:
            continue
        its, rss, (T, hw) = training(config, args.train_iters)
        rows += [(f'training iterations/s, batch 2, {name} ({T} frames at {hw} px)',
                  f'{its:.3f}'),
                 (f'peak RSS after the {name} training steps (MB)', f'{rss:.0f}')]
    if args.ab_rounds:
        ab = upsampling_ab(args.train_iters, args.ab_rounds)
        rows += [(f'training it/s, small, SAP up-sampling {k} (best of {args.ab_rounds})',
                  f'{v:.3f}') for k, v in ab.items()]
        rows.append(('speed-up of the sub-pixel up-sampling (x)',
                     f'{ab["sub-pixel, folded fuse"] / ab["native, folded fuse"]:.2f}'))
        unfolded = ab['sub-pixel, unfolded fuse (release)']
        rows.append(('speed-up of the folded fuse (x)',
                     f'{ab["sub-pixel, folded fuse"] / unfolded:.2f}'))
    print(f'{"measure":<88}{"value":>12}')
    for name, val in rows:
        print(f'{name:<88}{val:>12}')


if __name__ == '__main__':
    main()

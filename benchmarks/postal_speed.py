"""PoSTAL on CPU: training iterations/s, inference clips/s, peak memory, and the share of test
time spent on tube linking + frame-/video-mAP.

    python benchmarks/postal_speed.py [--config CONFIG] [--iters 30] [--num-test 8] [--seed 0]

A small synthetic FineSports set is generated into a temporary folder (``--num-train`` /
``--num-test`` clips of 32 frames, the synthetic config's generator options). Training: the
config's train pipeline, batch size, optimizer (incl. gradient clipping) and model, timed over
``--iters`` steps after 3 warm-up steps. Test: the config's test pipeline on every frame of the
test clips, then ``FrameVideoMAPMetric`` (process + linking + metric computation); the share is
metric time / (data + model + metric time). Peak memory is the process's maximum resident set.
The training step is timed with the config's optimizer wrapper and, when that is not plain
float32 (the synthetic config's bfloat16 autocast), with a float32 ``OptimWrapper`` as well,
in alternating blocks on the same batches.
"""
import argparse
import os
import os.path as osp
import platform
import sys
import tempfile
import time

import torch

from _common import REPO, peak_rss_mb  # noqa: E402 (puts the repository on sys.path)
DEFAULT = 'configs/postal/postal_tiny_1xb8-4x2-2e_finesports-synthetic.py'


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--config', default=DEFAULT)
    p.add_argument('--iters', type=int, default=30)
    p.add_argument('--num-train', type=int, default=16)
    p.add_argument('--num-test', type=int, default=8)
    p.add_argument('--seed', type=int, default=0)
    args = p.parse_args()

    from mmengine.config import Config
    from mmengine.dataset import pseudo_collate
    from mmengine.optim import build_optim_wrapper
    from mmengine.registry import DefaultScope
    from mmengine.runner import set_random_seed

    from mmfine.registry import DATASETS, METRICS, MODELS
    from mmfine.utils import register_all_modules
    sys.path.insert(0, osp.join(REPO, 'tools/data/finesports'))
    from generate_synthetic_finesports import generate

    register_all_modules()
    set_random_seed(args.seed)
    cfg = Config.fromfile(osp.join(REPO, args.config))
    tmp = tempfile.mkdtemp(prefix='postal_speed_')
    generate(tmp, args.num_train, args.num_test, seed=args.seed, num_numbers=10,
             acting_lookalikes=True)

    def dataset(loader):
        d = cfg[loader].dataset.copy()
        d.update(ann_file=f'{tmp}/FineSports-GT.pkl', prompt_file=f'{tmp}/prompts_with_color.json',
                 data_prefix=dict(video=f'{tmp}/videos'))
        return DATASETS.build(d)

    with DefaultScope.overwrite_default_scope('mmfine'):
        model = MODELS.build(cfg.model)
        train_set = dataset('train_dataloader')
        test_set = dataset('test_dataloader')
        optim = build_optim_wrapper(model, cfg.optim_wrapper)
        metric = METRICS.build(cfg.test_evaluator)
    metric.dataset_meta = test_set.metainfo
    bs = cfg.train_dataloader.batch_size
    n_params = sum(p.numel() for p in model.parameters() if p.requires_grad)

    # ---------------------------------------------------------------- training
    model.train()
    gen = torch.Generator().manual_seed(args.seed)
    order = torch.randperm(len(train_set), generator=gen).tolist()

    def batch(i):
        idx = [order[(i * bs + k) % len(order)] for k in range(bs)]
        return pseudo_collate([train_set[j] for j in idx])

    # the config's optimizer wrapper (bfloat16 autocast for the synthetic config) and plain
    # float32, timed in alternating blocks of the same batches so that a drift of the
    # machine's speed hits both alike
    fp32_cfg = dict(cfg.optim_wrapper, type='OptimWrapper')
    optims = {cfg.optim_wrapper.get('type', 'OptimWrapper'): optim}
    if fp32_cfg['type'] not in optims:
        optims['OptimWrapper'] = build_optim_wrapper(model, fp32_cfg)
    for i in range(3):
        for o in optims.values():
            model.train_step(batch(i), o)
    t_data = 0.0
    t_step = dict.fromkeys(optims, 0.0)
    block = max(1, args.iters // 3)
    for i in range(3, 3 + args.iters):
        t0 = time.perf_counter()
        data = batch(i)
        t_data += time.perf_counter() - t0
        for name in (list(optims) if (i - 3) // block % 2 == 0 else list(optims)[::-1]):
            t1 = time.perf_counter()
            model.train_step(data, optims[name])
            t_step[name] += time.perf_counter() - t1
    train_rss = peak_rss_mb()
    main_name = list(optims)[0]

    # ---------------------------------------------------------------- test
    model.eval()
    tbs = cfg.test_dataloader.batch_size
    t_model = t_metric = 0.0
    n_clips = 0
    with torch.no_grad():
        for s in range(0, len(test_set), tbs):
            t0 = time.perf_counter()
            data = pseudo_collate([test_set[j] for j in range(s, min(s + tbs, len(test_set)))])
            outs = model.test_step(data)
            t1 = time.perf_counter()
            metric.process(data, [o.to_dict() for o in outs])
            t2 = time.perf_counter()
            t_model += t1 - t0
            t_metric += t2 - t1
            n_clips += len(outs)
        t0 = time.perf_counter()
        res = metric.compute_metrics(metric.results)
        t_metric += time.perf_counter() - t0
    total = t_model + t_metric

    print(f'machine: {platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}, '
          f'threads {torch.get_num_threads()}, seed {args.seed}')
    print(f'config: {args.config} ({n_params:,} trainable parameters)')
    print(f'{"measure":<84}{"value":>10}')
    rows = [(f'training iterations/s (batch {bs}, model step only, {name})',
             f'{args.iters / t:.2f}') for name, t in t_step.items()]
    rows += [
        (f'training iterations/s (batch {bs}, incl. data loading in-process, {main_name})',
         f'{args.iters / (t_step[main_name] + t_data):.2f}'),
        ('peak RSS after training steps (MB)', f'{train_rss:.0f}'),
        (f'inference clips/s (batch {tbs}, incl. decoding, {n_clips} clips)',
         f'{n_clips / t_model:.2f}'),
        ('linking + frame/video-mAP time (s)', f'{t_metric:.3f}'),
        ('linking + metric share of test time (%)', f'{100 * t_metric / total:.2f}'),
        ('peak RSS after test (MB)', f'{peak_rss_mb():.0f}'),
    ]
    for name, val in rows:
        print(f'{name:<84}{val:>10}')
    print('metrics (untrained-length run, not a result):',
          {k: round(v, 4) for k, v in res.items()})


if __name__ == '__main__':
    main()

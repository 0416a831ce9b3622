"""Speed of BMN proposal generation + Soft-NMS (mmfine vs mmaction2) and of training steps.

    python benchmarks/tal_speed.py [--num-videos 1000] [--seed 0] [--quick] [--paper]

Part 1, post-processing: uniform random start / end probabilities and confidence maps (T = 100)
for ``--num-videos`` videos; mmfine's ``BMNPostProcessor`` handles them as one batch, mmaction2
1.2.0 runs ``BMN.predict`` (its candidate loops + ``post_processing`` with Soft-NMS) video by
video (its ``_forward`` is replaced by a lookup of the same maps). Both keep 100 proposals per
video. Rows:

- ``D = 100``: mmaction2's native setting (its loops have no maximum duration);
- ``D = 50``: the FineAction setting; mmaction2 gets the same maps with rows d >= 50 set to 0,
  so it enumerates extra zero-score candidates (they never reach its top 100 here: the printed
  difference checks it), which costs it some time.

Max |difference| is over segments (seconds) and scores of all kept proposals.

Part 2, training: iterations/s and peak memory (resident set of a fresh process, and the growth
during the steps) of one training step at batch 8 on CPU for the plain BMN and the multi-scale
BMN, from the synthetic configs (``--paper``: the paper configs, 4096-d features).
"""
import argparse
import json
import os
import platform
import subprocess
import sys
import time

import numpy as np
import torch

from _common import REPO, peak_rss_mb  # noqa: E402 (puts the repository on sys.path)
DURATION, FRAMES, INTERVAL = 40.0, 1600, 16


def ours(start, end, bm, top_k=100, chunk=250):
    from mmfine.models.task_modules import BMNPostProcessor
    post = BMNPostProcessor(top_k=top_k)
    dur = FRAMES // INTERVAL * INTERVAL / FRAMES * DURATION
    out = []
    for i in range(0, len(start), chunk):
        for p in post(start[i:i + chunk], end[i:i + chunk], bm[i:i + chunk]):
            seg = torch.stack([p['segments'][:, 0].clamp(min=0), p['segments'][:, 1].clamp(max=1)],
                              1) * dur
            out.append(torch.cat([seg, p['scores'][:, None]], 1).numpy())
    return out


def theirs(start, end, bm, top_k=100):
    from mmaction.models.localizers.bmn import BMN
    from mmaction.structures import ActionDataSample
    T = start.shape[1]
    model = BMN(temporal_dim=T, boundary_ratio=0.5, num_samples=2, num_samples_per_bin=1,
                feat_dim=4, soft_nms_alpha=0.4, soft_nms_low_threshold=0.5,
                soft_nms_high_threshold=0.9, post_process_top_k=top_k, hidden_dim_1d=4,
                hidden_dim_2d=4, hidden_dim_3d=4)
    full = torch.zeros(len(start), 2, T, T)
    full[:, :, :bm.shape[2]] = bm  # rows d >= D stay 0
    sample = [ActionDataSample(metainfo=dict(video_name='v', duration_second=DURATION,
                                             duration_frame=FRAMES))]
    x = torch.zeros(1, 4, T)
    out = []
    for b in range(len(start)):
        model._forward = lambda _x, b=b: (full[b:b + 1], start[b:b + 1], end[b:b + 1])
        props = model.predict(x, sample)[0]['proposal_list']
        out.append(np.array([[*p['segment'], p['score']] for p in props]))
    return out


def post_rows(args):
    rows = []
    g = torch.Generator().manual_seed(args.seed)
    n, T = args.num_videos, 100
    for D in (100, 50):
        start, end = torch.rand(n, T, generator=g), torch.rand(n, T, generator=g)
        bm = torch.rand(n, 2, D, T, generator=g)
        t0 = time.perf_counter()
        a = ours(start, end, bm)
        t_ours = time.perf_counter() - t0
        t0 = time.perf_counter()
        b = theirs(start, end, bm)
        t_ref = time.perf_counter() - t0
        same_len = all(len(x) == len(y) for x, y in zip(a, b))
        diff = max(np.abs(x - y).max() for x, y in zip(a, b)) if same_len else float('inf')
        rows.append((f'proposals + Soft-NMS, {n} videos, T={T}, D={D}', t_ours, t_ref, diff))
    return rows


def train_child(cfg_path, iters):
    """Run in a fresh process: time ``iters`` training steps at batch 8, report memory."""
    from mmengine.config import Config
    from mmengine.registry import DefaultScope
    from mmaction.structures import ActionDataSample

    from mmfine.registry import MODELS
    from mmfine.utils import register_all_modules
    register_all_modules(init_default_scope=False)
    cfg = Config.fromfile(cfg_path)
    with DefaultScope.overwrite_default_scope('mmfine'):
        model = MODELS.build(cfg.model)
    model.train()
    opt = torch.optim.AdamW(model.parameters(), 1e-4)
    c_in = cfg.model.neck.in_channels if cfg.model.get('neck') else cfg.model.head.in_channels
    g = torch.Generator().manual_seed(0)
    samples = []
    for i in range(8):
        s = ActionDataSample(metainfo=dict(video_name=f'v{i}', duration=50.0))
        s.gt_segments = torch.tensor([[5.0, 8.0], [20.0, 21.0], [30.0, 45.0]])
        s.gt_labels = torch.tensor([0, 1, 2])
        samples.append(s)
    data = dict(inputs=[torch.randn(c_in, 100, generator=g) for _ in range(8)],
                data_samples=samples)

    def step():
        d = model.data_preprocessor(data, True)
        loss = sum(model(**d, mode='loss').values())
        opt.zero_grad()
        loss.backward()
        opt.step()

    step()  # warm-up
    rss0 = peak_rss_mb()
    t0 = time.perf_counter()
    for _ in range(iters):
        step()
    dt = time.perf_counter() - t0
    peak = peak_rss_mb()
    params = sum(p.numel() for p in model.parameters())
    print(json.dumps(dict(it_s=iters / dt, peak_mb=peak, after_warmup_mb=rss0, params=params)))


def train_rows(args):
    names = ('bmn_i3d-rgb-flow_2xb8-100x4096-9e_fineaction.py',
             'multiscale-bmn_i3d-rgb-flow_2xb8-100x4096-9e_fineaction.py') if args.paper else \
        ('bmn_tiny_1xb8-100x64-20e_fineaction-synthetic.py',
         'multiscale-bmn_tiny_1xb8-100x64-20e_fineaction-synthetic.py')
    rows = []
    for name in names:
        cfg = os.path.join(REPO, 'configs/fineaction', name)
        out = subprocess.run([sys.executable, __file__, '--train-child', cfg,
                              '--iters', str(args.iters)], capture_output=True, text=True,
                             cwd=REPO, check=True).stdout
        rows.append((name, json.loads(out.strip().splitlines()[-1])))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--num-videos', type=int, default=1000)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--iters', type=int, default=10, help='timed training steps')
    parser.add_argument('--quick', action='store_true', help='100 videos, 3 steps')
    parser.add_argument('--paper', action='store_true', help='train rows with the paper configs')
    parser.add_argument('--train-child', help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.train_child:
        return train_child(args.train_child, args.iters)
    if args.quick:
        args.num_videos, args.iters = 100, 3
    import mmfine  # noqa: F401  (mmaction2 import shims)
    print(f'machine: {platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}, '
          f'threads {torch.get_num_threads()}, seed {args.seed}')
    print(f'{"post-processing":<48}{"ours s":>9}{"mmaction2 s":>13}{"ratio":>8}{"max |diff|":>12}')
    for name, t_ours, t_ref, diff in post_rows(args):
        print(f'{name:<48}{t_ours:>9.2f}{t_ref:>13.2f}{t_ref / t_ours:>8.1f}{diff:>12.2e}')
    print(f'\n{"training step, batch 8 (CPU)":<62}{"it/s":>7}{"peak RSS MB":>13}'
          f'{"growth MB":>11}{"params":>11}')
    for name, r in train_rows(args):
        print(f'{name:<62}{r["it_s"]:>7.2f}{r["peak_mb"]:>13.0f}'
              f'{r["peak_mb"] - r["after_warmup_mb"]:>11.0f}{r["params"]:>11,}')


if __name__ == '__main__':
    main()

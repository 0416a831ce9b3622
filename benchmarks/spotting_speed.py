"""E2E-Spot on CPU: streamed sliding-window inference speed, the time outside the network,
peak memory against the video length, and training iterations/s + peak memory.

    python benchmarks/spotting_speed.py [--fps 10] [--short-min 1] [--long-min 10]
        [--train-iters 2] [--skip-long]

Inference: :func:`mmfine.apis.inference_spotter` (decode through ``VideoStream`` at the
model's size, 100-frame windows every 50, centre 224 crop, stitching, E2E-Spot's suppression)
with the RegNet-Y 200MF + GSM + BiGRU FineDiving config (random weights: no download) on a
generated 480 x 270 video of ``--short-min`` minutes at ``--fps``. "Network" is the time
inside the model's forward passes; the rest (decoding, resizing, cropping, batching,
stitching, suppression) is reported as its share of the total. Each video length runs in its
own process, so its peak resident memory is its own (``--long-min`` against
``--short-min``: flat means the streamed reader and the score buffer do not grow with the
video). The per-frame (N, K + 1) score buffer is the only thing that grows: 4 bytes x 5
classes x N.

Training: ``train_step`` iterations (after one warm-up step) of the same config at batch 2
(200 frames of 224 x 224; the paper's batch 8 needs about 4x the memory) and of the small
synthetic config at its batch 4, with mixup, the peak memory measured in a fresh process each.
"""
import argparse
import json
import os
import os.path as osp
import platform
import subprocess
import sys
import time

from _common import REPO, peak_rss_mb  # noqa: E402 (puts the repository on sys.path)
PAPER = 'configs/spotting/e2e-spot_regnety-200mf-gsm-gru_1xb8-50e_finediving.py'
SMALL = 'configs/spotting/e2e-spot_regnety-tiny-gsm-gru_1xb4-9e_finediving-synthetic.py'


def make_video(path: str, minutes: float, fps: float, size=(480, 270)) -> int:
    """A moving-square video, written frame by frame."""
    import cv2
    import numpy as np
    n = int(round(minutes * 60 * fps))
    w = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'mp4v'), fps, size)
    bg = np.full((size[1], size[0], 3), 90, np.uint8)
    for i in range(n):
        img = bg.copy()
        x = int((i * 7) % (size[0] - 40))
        cv2.rectangle(img, (x, 100), (x + 40, 160), (40 + i % 200, 180, 60), -1)
        w.write(img)
    w.release()
    return n


def build(config: str):
    from mmengine.config import Config

    from mmfine.apis import init_model
    cfg = Config.fromfile(osp.join(REPO, config))
    cfg.model.backbone.init_cfg = None
    return init_model(cfg, None)


def run_inference(video: str, config: str) -> dict:
    import torch

    from mmfine.apis import inference_spotter
    torch.manual_seed(0)
    model = build(config)
    inside = [0.0]
    forward = model._forward

    def timed(*a, **k):
        t = time.perf_counter()
        out = forward(*a, **k)
        inside[0] += time.perf_counter() - t
        return out

    model._forward = timed
    t0 = time.perf_counter()
    res = inference_spotter(model, video, batch_size=4)
    total = time.perf_counter() - t0
    return dict(frames=res['num_frames'], seconds=total, network=inside[0],
                fps=res['num_frames'] / total, outside_share=1 - inside[0] / total,
                events=len(res['events']), peak_rss_mb=peak_rss_mb(),
                decode_size=list(res['decode_size']))


def run_training(config: str, batch: int, iters: int) -> dict:
    import torch
    from mmaction.structures import ActionDataSample
    torch.manual_seed(0)
    model = build(config).train()
    cfg = model.cfg
    T = cfg.train_dataloader.dataset.clip_len
    crop = next((s['size'] for s in cfg.train_dataloader.dataset.pipeline
                 if s['type'] == 'ClipCrop'), 224)
    K = model.head.num_classes
    from mmengine.optim import build_optim_wrapper
    optim = build_optim_wrapper(model, cfg.optim_wrapper)

    def batch_data():
        samples = []
        for _ in range(batch):
            s = ActionDataSample()
            s.gt_frame_labels = torch.randint(0, K + 1, (T,))
            samples.append(s)
        return dict(inputs=[torch.randint(0, 255, (T, 3, crop, crop), dtype=torch.uint8)
                            for _ in range(batch)], data_samples=samples)

    model.train_step(batch_data(), optim)  # warm-up
    t0 = time.perf_counter()
    for _ in range(iters):
        model.train_step(batch_data(), optim)
    dt = (time.perf_counter() - t0) / iters
    return dict(batch=batch, frames=batch * T, size=crop, s_per_iter=dt, it_per_s=1 / dt,
                peak_rss_mb=peak_rss_mb())


def child(args) -> dict:
    """Run one measurement in a fresh process and return its JSON line."""
    env = dict(os.environ, PYTHONPATH=REPO)
    out = subprocess.run([sys.executable, __file__, '--child', json.dumps(args)], env=env,
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--fps', type=float, default=10)
    p.add_argument('--short-min', type=float, default=1)
    p.add_argument('--long-min', type=float, default=10)
    p.add_argument('--train-iters', type=int, default=2)
    p.add_argument('--skip-long', action='store_true')
    p.add_argument('--work', default='work_dirs/spotting_speed')
    p.add_argument('--child', default=None, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        job = json.loads(args.child)
        from mmfine.utils import register_all_modules
        register_all_modules()
        res = (run_inference(job['video'], job['config']) if job['kind'] == 'infer' else
               run_training(job['config'], job['batch'], job['iters']))
        print(json.dumps(res))
        return
    import torch
    os.makedirs(args.work, exist_ok=True)
    print(f'machine: {platform.machine()} {platform.processor() or ""}, {os.cpu_count()} CPUs, '
          f'torch {torch.__version__}, {torch.get_num_threads()} threads')
    rows = []
    for minutes in [args.short_min] + ([] if args.skip_long else [args.long_min]):
        video = osp.join(args.work, f'video_{minutes:g}min.mp4')
        if not osp.isfile(video):
            make_video(video, minutes, args.fps)
        r = child(dict(kind='infer', video=video, config=PAPER))
        rows.append((f'{minutes:g} min', r))
    print('\nInference, RegNet-Y 200MF + GSM + BiGRU, 224 x 224 centre crop, windows of 100 '
          'every 50, batch 4:')
    print('| video | frames | decoded at | total s | network s | frames/s | outside the '
          'network | peak RSS MB |')
    print('|---|---|---|---|---|---|---|---|')
    for name, r in rows:
        print(f"| {name} at {args.fps:g} fps | {r['frames']} | {r['decode_size'][0]}x"
              f"{r['decode_size'][1]} | {r['seconds']:.1f} | {r['network']:.1f} | "
              f"{r['fps']:.1f} | {100 * r['outside_share']:.1f} % | {r['peak_rss_mb']:.0f} |")
    print('\nTraining (train_step, random clips, mixup):')
    print('| config | batch | frames / iteration | s / iteration | it/s | peak RSS MB |')
    print('|---|---|---|---|---|---|')
    for name, cfg, batch in (('RegNet-Y 200MF (FineDiving)', PAPER, 2),
                             ('tiny (synthetic)', SMALL, 4)):
        r = child(dict(kind='train', config=cfg, batch=batch, iters=args.train_iters))
        print(f"| {name} | {batch} | {r['frames']} at {r['size']} px | {r['s_per_iter']:.2f} | "
              f"{r['it_per_s']:.3f} | {r['peak_rss_mb']:.0f} |")


if __name__ == '__main__':
    main()

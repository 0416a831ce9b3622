"""Peak memory and speed of the PoSTAL demo path on long 1280x720 videos: streamed vs whole.

Generates 25-fps 1280x720 mp4 videos (moving players on a court, OpenCV ``mp4v``) of the given
lengths (default 30 s, 2 min, 10 min; kept in ``--work-dir`` and reused), then runs, each in a
fresh process so that its peak resident memory (``ru_maxrss``) is its own:

* ``streamed``: ``demo/postal_demo.py``'s path (:func:`demo.postal_demo.run`): clips decoded on
  demand at the model's input size through :class:`mmfine.fileio.VideoStream`, the annotated
  video written frame by frame in a second streamed pass;
* ``whole video`` (the path before the streaming reader, on the shortest video only): every
  frame decoded at its native size into memory, the model run on that array, every frame
  copied and drawn, then written.

The model is the small synthetic PoSTAL config with random weights run at the paper's
400x224 input size (``--input-size``); weights do not change memory or speed. A clip is
centred on every ``--frame-stride``-th frame (default 8, to keep the 10-minute run in
minutes on 2 cores; every frame is still decoded and written). Frames/s = video frames /
wall time of the run after the model is built.

Usage::

    python benchmarks/video_inference_memory.py [--lengths 30 120 600] [--frame-stride 8]
"""
import argparse
import json
import os
import os.path as osp
import platform
import subprocess
import sys
import time

import numpy as np

from _common import REPO, peak_rss_mb  # noqa: E402 (puts the repository on sys.path)
CONFIG = osp.join(REPO, 'configs/postal/postal_tiny_1xb8-4x2-2e_finesports-synthetic.py')
PROMPT = 'a player wearing a white jersey number 3'


def make_video(path: str, seconds: float, fps: float = 25.0, size=(1280, 720)) -> str:
    """A court with ten moving players, written frame by frame (constant memory)."""
    import cv2
    if osp.isfile(path):
        return path
    w, h = size
    rng = np.random.RandomState(0)
    n = int(round(seconds * fps))
    start = rng.rand(10, 2) * [w - 60, h - 120]
    speed = (rng.rand(10, 2) - 0.5) * 6
    colors = rng.randint(0, 255, (10, 3)).tolist()
    court = np.zeros((h, w, 3), np.uint8)
    court[:] = (60, 120, 170)
    cv2.line(court, (w // 2, 0), (w // 2, h), (255, 255, 255), 3)
    tmp = path + '.part.mp4'
    writer = cv2.VideoWriter(tmp, cv2.VideoWriter_fourcc(*'mp4v'), fps, (w, h))
    for t in range(n):
        frame = court.copy()
        pos = (start + speed * t) % [w - 60, h - 120]
        for (x, y), c in zip(pos.astype(int), colors):
            cv2.rectangle(frame, (x, y), (x + 40, y + 100), c, -1)
        writer.write(frame)
    writer.release()
    os.replace(tmp, path)
    return path


def build_model():
    from mmfine.apis import init_postal
    return init_postal(CONFIG)


def child(mode: str, video: str, out: str, frame_stride: int, input_size) -> dict:
    """One measured run in this process; prints its JSON result."""
    import torch
    torch.set_num_threads(max(os.cpu_count() or 1, 1))
    model = build_model()
    t0 = time.perf_counter()
    if mode == 'streamed':
        from demo.postal_demo import run
        data = run(model, video, PROMPT, out, score_thr=0.3, frame_stride=frame_stride,
                   input_size=input_size)
        frames = data['num_frames']
    else:  # the path before the streaming reader: the whole video in memory, twice
        import cv2
        import decord

        from mmfine.apis import inference_postal
        reader = decord.VideoReader(video, num_threads=1)
        frames_all = reader.get_batch(list(range(len(reader)))).asnumpy()  # [T, H, W, 3]
        result = inference_postal(model, frames_all, prompt=PROMPT, frame_stride=frame_stride,
                                  input_size=input_size)
        annotated = frames_all.copy()
        for t in result['tubes']:
            for row in t['boxes']:
                x1, y1, x2, y2 = (int(v) for v in row[1:])
                cv2.rectangle(annotated[int(row[0]) - 1], (x1, y1), (x2, y2), (255, 0, 0), 1)
        h, w = annotated.shape[1:3]
        writer = cv2.VideoWriter(out, cv2.VideoWriter_fourcc(*'mp4v'), 25.0, (w, h))
        for f in annotated:
            writer.write(cv2.cvtColor(f, cv2.COLOR_RGB2BGR))
        writer.release()
        frames = len(frames_all)
    seconds = time.perf_counter() - t0
    peak_mb = peak_rss_mb()
    res = dict(mode=mode, frames=frames, seconds=seconds, fps=frames / seconds,
               peak_rss_mb=peak_mb)
    print('RESULT ' + json.dumps(res))
    return res


def measure(mode: str, video: str, out: str, frame_stride: int, input_size) -> dict:
    cmd = [sys.executable, osp.abspath(__file__), '--child', mode, video, out,
           '--frame-stride', str(frame_stride), '--input-size', *map(str, input_size)]
    env = dict(os.environ, HF_HUB_OFFLINE='1', TRANSFORMERS_OFFLINE='1')
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith('RESULT ')]
    if proc.returncode != 0 or not lines:
        tail = (proc.stdout + proc.stderr)[-2000:]
        return dict(mode=mode, error=f'exit {proc.returncode}: {tail}')
    return json.loads(lines[-1][len('RESULT '):])


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--lengths', type=float, nargs='+', default=[30, 120, 600],
                   help='video lengths in seconds')
    p.add_argument('--frame-stride', type=int, default=8)
    p.add_argument('--input-size', type=int, nargs=2, default=[400, 224], metavar=('W', 'H'))
    p.add_argument('--work-dir', default=osp.join(REPO, 'work_dirs', 'video_inference_memory'))
    p.add_argument('--skip-whole', action='store_true', help='skip the whole-video path')
    p.add_argument('--child', nargs=3, metavar=('MODE', 'VIDEO', 'OUT'), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        child(*args.child, args.frame_stride, tuple(args.input_size))
        return None
    os.makedirs(args.work_dir, exist_ok=True)
    print(f'machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; '
          f'model: {osp.basename(CONFIG)} (random weights) at '
          f'{args.input_size[0]}x{args.input_size[1]}, clip every {args.frame_stride} frames')
    rows = []
    for i, sec in enumerate(sorted(args.lengths)):
        t0 = time.perf_counter()
        video = make_video(osp.join(args.work_dir, f'court_{int(sec)}s_1280x720.mp4'), sec)
        print(f'video {osp.basename(video)} ready ({time.perf_counter() - t0:.0f} s)',
              flush=True)
        out = osp.join(args.work_dir, f'out_{int(sec)}s.mp4')
        modes = ['streamed'] + (['whole video'] if i == 0 and not args.skip_whole else [])
        for mode in modes:
            r = measure('streamed' if mode == 'streamed' else 'whole', video, out,
                        args.frame_stride, args.input_size)
            r['length'] = sec
            r['mode'] = mode
            rows.append(r)
            print(json.dumps(r), flush=True)
    print('\n| video | path | frames | peak RSS (MB) | frames/s |')
    print('|---|---|---|---|---|')
    for r in rows:
        if 'error' in r:
            print(f"| {r['length']:.0f} s | {r['mode']} | - | failed: "
                  f"{r['error'].splitlines()[-1][:80]} | - |")
            continue
        print(f"| {r['length']:.0f} s | {r['mode']} | {r['frames']} | {r['peak_rss_mb']:.0f} | "
              f"{r['fps']:.1f} |")
    streamed = [r for r in rows if r['mode'] == 'streamed' and 'error' not in r]
    if len(streamed) >= 2:
        lo, hi = streamed[0]['peak_rss_mb'], streamed[-1]['peak_rss_mb']
        print(f'\nstreamed peak memory, longest vs shortest video: {hi / lo - 1:+.1%} '
              f'(target within 10 %); largest {max(r["peak_rss_mb"] for r in streamed):.0f} MB '
              '(target < 3000 MB)')
    return rows


if __name__ == '__main__':
    main()

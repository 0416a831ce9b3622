"""Write a synthetic spotting dataset in the REAL E2E-Spot format, driven by the real FineDiving labels.

Every clip takes one real entry of E2E-Spot's FineDiving ``{train,val,test}.json`` (a seeded
subset of each split): its frame count, its event frames and classes and its dive number. A
diver is drawn (the same drawing as the synthetic FineDiving-HM, ``mmfine/testing/
synthetic_diver.py``) whose phase changes exactly at the labelled frames: before the first
event the take-off on the board, from each event on the phase of the event's class, until the
next event. The four FineDiving classes look different, by the body's shape and its suit colour
(:data:`PHASE_STYLES`): ``Som(s).Tuck`` a compact rotating ball, ``Som(s).Pike`` a rotating
body folded at 90 degrees, ``Twist(s)`` a straight body whose width oscillates, ``Entry`` the
body vertical under the board's end going into the water with a splash. So an event can only
be found at the frame where the diver's look changes.

Extending it (the scene-entity issue): a class name missing from :data:`PHASE_STYLES` raises;
add its style there; an entity is drawn by a function of the frame state (the ``extras`` hook
of :func:`render_clip`).

Layout (E2E-Spot's, ``README.md`` "Using your own data")::

    OUT/class.txt                     the real class names, one per line (ids 1-based)
    OUT/{train,val,test}.json         [{video, num_frames, num_events, events: [{frame, label,
                                        comment}], fps: -1, width, height, _source_info}]
    OUT/frames/<video>/%06d.jpg       frames, 0-based (``--format frames``, the default)
    OUT/videos/<video>.mp4            one video per clip (``--format video``, 25 fps)

Usage::

    python tools/data/spotting/generate_synthetic_spotting.py data/spotting_synthetic \\
        [--labels ../shared/data/finediving] [--num-train 600 --num-val 150 --num-test 250] \\
        [--size 64] [--seed 0] [--format frames|video]
"""
import argparse
import json
import math
import os
import os.path as osp
import shutil
import sys
import time
from multiprocessing import Pool

import cv2
import numpy as np

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))))

from mmfine.testing.synthetic_diver import (SUIT, PoolScene, draw_diver,  # noqa: E402
                                            draw_splash, hide_under_water, parse_dive)

#: look of the phase that starts at an event of each class: (position, twisting, suit colour)
PHASE_STYLES = {
    'Som(s).Tuck': ('c', False, (240, 200, 40)),
    'Som(s).Pike': ('b', False, (40, 170, 60)),
    'Twist(s)': ('a', True, (170, 60, 210)),
    'Entry': ('a', False, SUIT),
}
TAKE_OFF_SUIT = (90, 90, 90)


def clip_phases(num_frames: int, events: list) -> list:
    """The phase label of every frame: None before the first event, then the class of the last
    event at or before the frame."""
    out, current = [], None
    by_frame = {}
    for e in events:
        by_frame[int(e['frame'])] = e['label']
    for i in range(num_frames):
        current = by_frame.get(i, current)
        out.append(current)
    return out


def render_clip(task) -> int:
    """Render one clip; returns its frame count.

    ``task``: ``(out, entry, size, seed, fmt)`` with ``entry`` one E2E-Spot json entry.
    """
    out, entry, size, seed, fmt = task
    rng = np.random.default_rng(seed)
    n = int(entry['num_frames'])
    events = sorted(entry['events'], key=lambda e: e['frame'])
    for e in events:
        if e['label'] not in PHASE_STYLES:
            raise ValueError(f"{entry['video']}: no drawing style for class {e['label']!r} "
                             f'(add it to PHASE_STYLES)')
    phase = clip_phases(n, events)
    dive = (entry.get('_source_info') or {}).get('action_type', '107b')
    direction, half_soms, _, _ = parse_dive(dive)
    scene = PoolScene(rng, size)
    H, W, bg = scene.H, scene.W, scene.image
    entry_x = scene.board_x + 0.25 * W
    height = float(rng.uniform(0.10, 0.25)) * H
    flight_start = int(events[0]['frame']) if events else n
    entry_frames = [int(e['frame']) for e in events if e['label'] == 'Entry']
    flight_end = entry_frames[0] if entry_frames else n
    writer = None
    if fmt == 'video':
        writer = cv2.VideoWriter(osp.join(out, 'videos', entry['video'] + '.mp4'),
                                 cv2.VideoWriter_fourcc(*'mp4v'), 25, (W, H))
    else:
        fdir = osp.join(out, 'frames', entry['video'])
        os.makedirs(fdir, exist_ok=True)
    for i in range(n):
        img = bg.copy()
        mask = np.zeros((H, W), np.uint8)
        label = phase[i]
        if label is None:  # take-off: stand, crouch and jump on the board
            p = i / max(flight_start, 1)
            cx, cy = scene.board_x - 0.06 * W, scene.board_y - 0.12 * H
            cy -= height * max(0.0, p - 0.5)
            draw_diver(img, mask, cx, cy, 0.15 * direction * p, 'a', 1.0, min(H, W),
                       TAKE_OFF_SUIT)
        elif label != 'Entry':  # flight: a parabola to the water, rotating
            pos, twisting, suit = PHASE_STYLES[label]
            p = (i - flight_start) / max(flight_end - flight_start, 1)
            cx = scene.board_x - 0.06 * W + (entry_x - scene.board_x + 0.06 * W) * p
            y0, y1 = scene.board_y - 0.12 * H - height * 0.5, scene.water_y - 0.12 * H
            cy = y0 + (y1 - y0) * p - 4 * height * p * (1 - p)
            angle = direction * (0.15 + math.pi * half_soms * p)
            width = 0.35 + 0.65 * abs(math.cos(3 * math.pi * p)) if twisting else 1.0
            draw_diver(img, mask, cx, cy, angle, pos, width, min(H, W), suit)
        else:  # entry: head first into the water, then the splash
            p = (i - flight_end) / max(n - flight_end, 1)
            cy = scene.water_y - 0.10 * H + p * 0.35 * H
            draw_diver(img, mask, entry_x, cy, math.pi, 'a', 1.0, min(H, W),
                       PHASE_STYLES['Entry'][2])
            hide_under_water(img, mask, bg, scene.water_y)
            draw_splash(img, mask, entry_x, scene.water_y,
                        0.15 * W * math.sin(math.pi * min(1.0, 0.2 + p * 1.5)))
        bgr = cv2.cvtColor(img, cv2.COLOR_RGB2BGR)
        if writer is not None:
            writer.write(bgr)
        else:
            cv2.imwrite(osp.join(fdir, f'{i:06d}.jpg'), bgr, [cv2.IMWRITE_JPEG_QUALITY, 95])
    if writer is not None:
        writer.release()
    return n


def generate(out: str, labels: str, num: dict, size: int = 64, seed: int = 0,
             fmt: str = 'frames', workers: int = 2) -> dict:
    """Write the dataset; returns a summary (clips per split, frames, seconds)."""
    from mmfine.datasets import load_spotting_classes, load_spotting_json
    t0 = time.time()
    classes = load_spotting_classes(osp.join(labels, 'class.txt'))
    rng = np.random.default_rng(seed)
    os.makedirs(osp.join(out, 'videos' if fmt == 'video' else 'frames'), exist_ok=True)
    shutil.copyfile(osp.join(labels, 'class.txt'), osp.join(out, 'class.txt'))
    tasks, summary = [], {}
    for split in ('train', 'val', 'test'):
        path = osp.join(labels, f'{split}.json')
        load_spotting_json(path, classes)  # validates the real file
        with open(path) as f:
            entries = json.load(f)
        k = num.get(split, 0)
        if k and k < len(entries):
            entries = [entries[i] for i in np.sort(rng.choice(len(entries), k, replace=False))]
        kept = []
        for e in entries:
            e = dict(e, width=size, height=size)
            kept.append(e)
            tasks.append((out, e, size, seed * 100003 + len(tasks), fmt))
        with open(osp.join(out, f'{split}.json'), 'w') as f:
            json.dump(kept, f, indent=1)
        summary[split] = len(kept)
    if workers <= 1:
        frames = sum(map(render_clip, tasks))
    else:
        with Pool(workers) as pool:
            frames = sum(pool.imap_unordered(render_clip, tasks, chunksize=8))
    return dict(summary, frames=frames, seconds=time.time() - t0)


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('out')
    default = osp.join(osp.dirname(osp.abspath(__file__)), '..', '..', '..', '..', 'shared',
                       'data', 'finediving')
    p.add_argument('--labels', default=osp.normpath(default),
                   help="folder of the real E2E-Spot FineDiving class.txt and {train,val,test}.json")
    p.add_argument('--num-train', type=int, default=600, help='0: every entry')
    p.add_argument('--num-val', type=int, default=150)
    p.add_argument('--num-test', type=int, default=250)
    p.add_argument('--size', type=int, default=64, help='frame side in pixels')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--format', choices=('frames', 'video'), default='frames')
    p.add_argument('--workers', type=int, default=os.cpu_count() or 1)
    args = p.parse_args()
    info = generate(args.out, args.labels,
                    dict(train=args.num_train, val=args.num_val, test=args.num_test),
                    args.size, args.seed, args.format, args.workers)
    print(f"{args.out}: {info['train']} train + {info['val']} val + {info['test']} test clips, "
          f"{info['frames']} frames, {info['seconds']:.1f} s")


if __name__ == '__main__':
    main()

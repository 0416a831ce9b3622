"""Write a synthetic FineDiving-HM dataset in the REAL layout, driven by the real FineDiving labels.

Every clip takes one real entry of ``fine-grained_annotation_aqa.pkl`` (or a seeded subset, less
the test clips whose dive number has no training clip in it): its
dive number, difficulty, frame count, absolute frame numbers (coarse pickle) and per-frame
sub-action labels. A diver is drawn whose phases change exactly at the real transitions
(take-off until the first flight frame, flight until the first entry frame, then the entry):

- the dive number is visible: the group (forward / back / reverse / inward rotate the other
  way or start facing away), the number of half somersaults (rotation during the flight),
  the position (straight = one long body, pike = folded at 90 degrees, tuck = a short ball)
  and twists (5xxx: the body's width oscillates, half a period per half twist);
- the execution quality e in [0, 1] (seeded per clip) is visible: the take-off height, the
  tilt of the body at entry and the splash size;
- the score is ``difficulty x 3 x 10 x e`` (the real scores are difficulty x the judges' sum),
  so within one dive number the score can only be read from the frames.

Masks are exactly the diver's pixels plus the splash (what FineDiving-HM annotates).

Layout (as the FineParser release expects it)::

    OUT/Annotations/fine-grained_annotation_aqa.pkl   {(video, clip): [dive, score, DD,
                                                       steps_transit_frames, frames_labels]}
    OUT/Annotations/FineDiving_coarse_annotation.pkl  {(video, clip): {action_type, start_frame,
                                                       end_frame, dive_score, difficulty,
                                                       judge_scores}}
    OUT/Annotations/train_split.pkl, test_split.pkl   the real splits, restricted to the subset
    OUT/FINADiving_MTL_256s/<video>/<clip>/%05d.jpg   frames (absolute frame numbers)
    OUT/diving_mask_annotation/<video>/<clip>/%05d.jpg masks (one per frame, grey)
    OUT/synthetic_meta.pkl                             execution quality per clip (debugging)

Usage::

    python tools/data/finediving/generate_synthetic_finediving.py data/finediving_synthetic \\
        --ann-root ../shared/data/finediving_aqa [--num-clips 900] [--size 64] [--seed 0]
"""
import argparse
import math
import os
import os.path as osp
import pickle
import sys
import time
from multiprocessing import Pool

import cv2
import numpy as np

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))))

from mmfine.testing.synthetic_diver import (PoolScene, draw_diver, draw_splash,  # noqa: E402
                                            hide_under_water, parse_dive)


def phases(labels: np.ndarray):
    """Index of the first flight frame and of the first entry frame (release rule)."""
    from mmfine.datasets import release_transitions
    return release_transitions(labels)


def render_clip(task):
    (out, video, clip, dive, dd, labels, start, e, size, seed) = task
    rng = np.random.default_rng(seed)
    n = len(labels)
    t1, t2 = phases(labels)
    direction, half_soms, pos, twists = parse_dive(dive)
    scene = PoolScene(rng, size)
    H, W, bg = scene.H, scene.W, scene.image
    water_y, board_y, board_x = scene.water_y, scene.board_y, scene.board_x
    height = (0.06 + 0.20 * e) * H  # take-off height
    tilt = (1 - e) * 0.9 * direction  # entry angle error (radians)
    splash = (0.04 + 0.22 * (1 - e)) * W  # splash radius at its largest
    fdir = osp.join(out, 'FINADiving_MTL_256s', video, str(clip))
    mdir = osp.join(out, 'diving_mask_annotation', video, str(clip))
    os.makedirs(fdir, exist_ok=True)
    os.makedirs(mdir, exist_ok=True)
    entry_x = board_x + 0.25 * W
    for i in range(n):
        img = bg.copy()
        mask = np.zeros((H, W), np.uint8)
        width = 1.0
        if i < t1:  # take-off: stand, crouch and jump on the board
            p = i / max(t1, 1)
            cx = board_x - 0.06 * W
            cy = board_y - 0.12 * H - height * max(0.0, p - 0.5) * 2 * 0.5
            angle = 0.15 * direction * p
        elif i < t2:  # flight: a parabola from the board to the water, rotating
            p = (i - t1) / max(t2 - t1, 1)
            cx = board_x - 0.06 * W + (entry_x - board_x + 0.06 * W) * p
            y0, y1 = board_y - 0.12 * H - height * 0.5, water_y - 0.12 * H
            cy = y0 + (y1 - y0) * p - 4 * height * p * (1 - p)  # rises by `height`, then falls
            angle = direction * (0.15 + math.pi * half_soms * p)
            if twists:
                width = 0.35 + 0.65 * abs(math.cos(math.pi * twists * p))
        else:  # entry: head first into the water, tilted by the execution error
            p = (i - t2) / max(n - t2, 1)
            cx = entry_x
            cy = water_y - 0.10 * H + p * 0.35 * H
            angle = math.pi + tilt
        draw_diver(img, mask, cx, cy, angle, pos if t1 <= i < t2 else 'a', width, size)
        hide_under_water(img, mask, bg, water_y)  # the water hides what is under it
        if i >= t2:  # the splash grows and fades
            p = (i - t2) / max(n - t2, 1)
            draw_splash(img, mask, entry_x, water_y, splash * math.sin(math.pi * min(1.0, p * 1.5)))
        mask = np.where(mask >= 128, 255, 0).astype(np.uint8)
        name = f'{start + i:05d}.jpg'
        cv2.imwrite(osp.join(fdir, name), cv2.cvtColor(img, cv2.COLOR_RGB2BGR),
                    [cv2.IMWRITE_JPEG_QUALITY, 95])
        cv2.imwrite(osp.join(mdir, name), mask, [cv2.IMWRITE_JPEG_QUALITY, 95])
    return n


def generate(out: str, ann_root: str, num_clips: int = 900, size: int = 64, seed: int = 0,
             workers: int = 2) -> dict:
    """Write the dataset; returns a summary (clips per split, frames, seconds)."""
    from mmfine.datasets import load_coarse_frames, load_finediving_annotations, load_split
    t0 = time.time()
    ann = load_finediving_annotations(osp.join(ann_root, 'fine-grained_annotation_aqa.pkl'))
    coarse = load_coarse_frames(osp.join(ann_root, 'FineDiving_coarse_annotation.pkl'))
    train = load_split(osp.join(ann_root, 'train_split.pkl'))
    test = load_split(osp.join(ann_root, 'test_split.pkl'))
    rng = np.random.default_rng(seed)
    keys = sorted(ann)
    if num_clips and num_clips < len(keys):
        keys = [keys[i] for i in np.sort(rng.choice(len(keys), num_clips, replace=False))]
    # a test clip needs training clips of its dive number (its exemplars)
    train_set = set(train)
    dives = {ann[k]['dive_number'] for k in keys if k in train_set}
    keys = [k for k in keys if k in train_set or ann[k]['dive_number'] in dives]
    chosen = set(keys)
    quality = {k: float(rng.uniform(0.2, 1.0)) for k in keys}
    tasks, fine, coarse_out = [], {}, {}
    for j, k in enumerate(keys):
        a = ann[k]
        e = quality[k]
        score = round(a['difficulty'] * 3 * 10 * e, 1)
        labels = a['frames_labels']
        start, end = coarse[k]
        runs = np.nonzero(labels[1:] != labels[:-1])[0]  # last frame of each step but the last
        fine[k] = [a['dive_number'], score, a['difficulty'], runs.astype(np.int64), labels]
        coarse_out[k] = dict(action_type=a['dive_number'], start_frame=start, end_frame=end,
                             dive_score=score, difficulty=a['difficulty'],
                             judge_scores=[round(10 * e, 1)] * 3)
        tasks.append((out, k[0], k[1], a['dive_number'], a['difficulty'], labels, start, e,
                      size, seed * 100003 + j))
    os.makedirs(osp.join(out, 'Annotations'), exist_ok=True)
    if workers <= 1:
        frames = sum(map(render_clip, tasks))
    else:
        with Pool(workers) as pool:
            frames = sum(pool.imap_unordered(render_clip, tasks, chunksize=8))
    dump = {'fine-grained_annotation_aqa.pkl': fine,
            'FineDiving_coarse_annotation.pkl': coarse_out,
            'train_split.pkl': [k for k in train if k in chosen],
            'test_split.pkl': [k for k in test if k in chosen]}
    for name, obj in dump.items():
        with open(osp.join(out, 'Annotations', name), 'wb') as f:
            pickle.dump(obj, f, protocol=3)
    with open(osp.join(out, 'synthetic_meta.pkl'), 'wb') as f:
        pickle.dump(dict(quality={k: quality[k] for k in keys}, size=size, seed=seed), f)
    return dict(train=len(dump['train_split.pkl']), test=len(dump['test_split.pkl']),
                frames=frames, seconds=time.time() - t0)


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('out')
    default_ann = osp.join(osp.dirname(osp.abspath(__file__)), '..', '..', '..', '..',
                           'shared', 'data', 'finediving_aqa')
    p.add_argument('--ann-root', default=osp.normpath(default_ann),
                   help='folder of the real fine-grained_annotation_aqa.pkl, '
                        'FineDiving_coarse_annotation.pkl and the split pickles')
    p.add_argument('--num-clips', type=int, default=900, help='0: every real entry')
    p.add_argument('--size', type=int, default=64, help='frame side in pixels')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--workers', type=int, default=os.cpu_count() or 1)
    args = p.parse_args()
    info = generate(args.out, args.ann_root, args.num_clips, args.size, args.seed, args.workers)
    print(f"{args.out}: {info['train']} training + {info['test']} test clips, "
          f"{info['frames']} frames, {info['seconds']:.1f} s")


if __name__ == '__main__':
    main()

"""Write a synthetic FineAction-format dataset (official json + one feature file per video).

Layout (the official release's, see mmfine/datasets/fineaction_dataset.py)::

    OUT/annotations_gt.json     {"database": {vid: {"subset", "duration", "fps", "frame",
                                                    "annotations": [{"segment", "label"}]}}}
    OUT/features/<vid>.npy      (T, C) float32, T = 100-300 steps (C = 2 x --half-dim:
                                "RGB" and "flow" halves, as the I3D two-stream features)
    OUT/classes.txt             the class names

Each video has a background (slowly drifting noise) and several action instances. An instance
of class k adds class k's RGB prototype to the first half of the features and its flow
prototype (a different vector) to the second half, with a short onset/offset ramp and noise on
top; classes share some prototype directions, so single steps are ambiguous and context helps.
Videos have 100, 200 or 300 steps; most instances are short (2-4 % of the video, what FineAction
is known for), some long (8-20 %), with boundaries on the 100-step grid the models work on;
about one in ten overlaps another instance. Durations: 0.5 s per feature step.

``--context``: the same videos, but every short instance is drawn at half strength and its
class's "cue" pattern (2 steps, not annotated) appears 6-12 steps (of 100) before it, like a
take-off before a landing: short instances are then best found with long-range context.

Usage::

    python tools/data/fineaction/generate_synthetic_fineaction.py data/fineaction_synthetic \
        --num-train 400 --num-val 100 --seed 0
"""
import argparse
import json
import os
import os.path as osp

import numpy as np

SEC_PER_STEP = 0.5


def make_classes(num_classes: int, half_dim: int, rng: np.random.Generator):
    """Class prototypes: a shared component (confusable classes) + a class-specific one."""
    shared = rng.normal(0, 1, (3, 2 * half_dim))
    mix = rng.dirichlet(np.ones(3), num_classes)  # [K, 3]
    own = rng.normal(0, 1, (num_classes, 2 * half_dim))
    proto = 0.5 * mix @ shared + own  # [K, 2H]
    return proto / np.linalg.norm(proto, axis=1, keepdims=True) * np.sqrt(2 * half_dim) * 1.2


def sample_instances(T: int, rng: np.random.Generator, num_classes: int):
    """[(start, end, label)] in steps: mostly short, some long, ~10 % overlapping.

    Boundaries fall on multiples of ``T / 100`` (T is 100, 200 or 300), so that after the
    rescale to 100 steps every instance covers whole steps: the benchmark then measures what a
    model learns, not the quantisation of the 100-step grid.
    """
    g = T // 100  # raw steps per rescaled step
    n = int(rng.integers(3, 7))
    out = []
    for _ in range(200):
        if len(out) == n:
            break
        short = rng.random() < 0.7
        length = int(rng.integers(2, 5) if short else rng.integers(8, 21))  # in 1 % units
        label = int(rng.integers(num_classes))
        if out and rng.random() < 0.1:  # overlap an existing instance
            s0, e0, _ = out[int(rng.integers(len(out)))]
            start = int(np.clip(rng.integers(s0 // g - length + 1, e0 // g), 0, 100 - length))
        else:
            start = int(rng.integers(0, 100 - length + 1))
            if any(start * g < e + 2 * g and (start + length + 2) * g > s for s, e, _ in out):
                continue  # keep the others apart
        out.append((start * g, (start + length) * g, label))
    return sorted(out)


def make_video(T: int, inst, proto: np.ndarray, rng: np.random.Generator,
               cue: np.ndarray = None, cue_rng: np.random.Generator = None) -> np.ndarray:
    C = proto.shape[1]
    drift = np.cumsum(rng.normal(0, 0.05, (T, C)), axis=0)  # slow background drift
    feat = rng.normal(0, 1.0, (T, C)) + drift - drift.mean(0)
    g = T // 100
    for s, e, k in inst:
        ramp = np.ones(e - s)
        if e - s >= 4:
            ramp[0] = ramp[-1] = 0.6
        amp = 1.0
        if cue is not None and (e - s) < 0.05 * T:
            # context variant: a weak short action, announced by its class's cue pattern
            # (2 grid steps) 6-12 grid steps before it, out of reach of local filters
            amp = 0.5
            gap = int(cue_rng.integers(6, 13)) * g
            c0, c1 = s - gap - 2 * g, s - gap
            if c0 >= 0:
                feat[c0:c1] += cue[k][None, :]
        feat[s:e] += amp * ramp[:, None] * proto[k][None, :]
    return feat.astype(np.float32)


def generate(out: str, num_train: int = 400, num_val: int = 100, num_classes: int = 10,
             half_dim: int = 32, seed: int = 0, context: bool = False) -> dict:
    """Write the dataset to ``out``; returns the ``database`` dict. ``context``: the variant
    where short instances are weak and announced by a distant cue (see the module doc)."""
    rng = np.random.default_rng(seed)
    cue_rng = np.random.default_rng(seed + 7919)  # separate stream: the default data is unchanged
    cue = make_classes(num_classes, half_dim, cue_rng) if context else None
    os.makedirs(osp.join(out, 'features'), exist_ok=True)
    classes = [f'action_{k:02d}' for k in range(num_classes)]
    proto = make_classes(num_classes, half_dim, rng)
    database = {}
    for i in range(num_train + num_val):
        vid = f'v_{i:08d}'
        T = 100 * int(rng.integers(1, 4))
        inst = sample_instances(T, rng, num_classes)
        np.save(osp.join(out, 'features', vid + '.npy'), make_video(T, inst, proto, rng, cue,
                                                                         cue_rng))
        database[vid] = dict(
            subset='training' if i < num_train else 'validation',
            duration=round(T * SEC_PER_STEP, 3), fps=30.0, frame=int(T * SEC_PER_STEP * 30),
            annotations=[dict(segment=[s * SEC_PER_STEP, e * SEC_PER_STEP], label=classes[k])
                         for s, e, k in inst])
    with open(osp.join(out, 'annotations_gt.json'), 'w') as f:
        json.dump(dict(version='synthetic', database=database), f)
    with open(osp.join(out, 'classes.txt'), 'w') as f:
        f.write('\n'.join(classes) + '\n')
    return database


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('out')
    parser.add_argument('--num-train', type=int, default=400)
    parser.add_argument('--num-val', type=int, default=100)
    parser.add_argument('--num-classes', type=int, default=10)
    parser.add_argument('--half-dim', type=int, default=32, help='RGB (= flow) feature size')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--context', action='store_true',
                        help='weak short instances announced by a distant cue')
    args = parser.parse_args()
    database = generate(args.out, args.num_train, args.num_val, args.num_classes,
                        args.half_dim, args.seed, args.context)
    n_inst = sum(len(v['annotations']) for v in database.values())
    print(f'wrote {len(database)} videos, {n_inst} instances, {args.num_classes} classes to '
          f'{args.out}')


if __name__ == '__main__':
    main()

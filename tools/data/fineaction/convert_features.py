"""Gather FineAction (or ActivityNet) per-video features into the layout mmfine reads.

    python tools/data/fineaction/convert_features.py ANN_JSON OUT_DIR \
        --rgb-dir RGB_DIR [--flow-dir FLOW_DIR] [--ext .npy]

For every video of ``ANN_JSON`` (official ``{"database": {...}}`` or mmaction2 layout), reads
``RGB_DIR/<video>{ext}`` (and ``FLOW_DIR/<video>{ext}``): ``.npy`` (T, C) or mmaction2 ``.csv``
(header + T rows), concatenates the streams along channels (RGB first, the two-stream I3D
layout the FineAction baseline uses: 2048 + 2048), and writes ``OUT_DIR/<video>.npy`` (T, C)
float32. Streams of different lengths are cut to the shorter one (reported); missing files are
listed and make the exit status 1. Rescaling to 100 steps is left to the data pipeline
(``RescaleTemporalFeature``), so the same files serve the variable-length configs.
"""
import argparse
import json
import os
import os.path as osp
import sys

import numpy as np


def read(path: str) -> np.ndarray:
    if path.endswith('.csv'):
        return np.loadtxt(path, delimiter=',', skiprows=1, dtype=np.float32, ndmin=2)
    return np.load(path).astype(np.float32, copy=False)


def convert(ann_file: str, out_dir: str, rgb_dir: str, flow_dir: str = None,
            ext: str = '.npy') -> dict:
    """Returns ``{'written': n, 'missing': [...], 'cut': [(video, T_rgb, T_flow)]}``."""
    with open(ann_file) as f:
        raw = json.load(f)
    videos = list(raw.get('database', raw))
    os.makedirs(out_dir, exist_ok=True)
    report = dict(written=0, missing=[], cut=[])
    for vid in videos:
        paths = [osp.join(rgb_dir, vid + ext)] + ([osp.join(flow_dir, vid + ext)]
                                                   if flow_dir else [])
        absent = [p for p in paths if not osp.isfile(p)]
        if absent:
            report['missing'] += absent
            continue
        streams = [read(p) for p in paths]
        for p, s in zip(paths, streams):
            if s.ndim != 2:
                raise ValueError(f'{p}: expected (T, C) features, got shape {s.shape}')
        T = min(len(s) for s in streams)
        if len({len(s) for s in streams}) > 1:
            report['cut'].append((vid, *[len(s) for s in streams]))
        np.save(osp.join(out_dir, vid + '.npy'),
                np.concatenate([s[:T] for s in streams], axis=1))
        report['written'] += 1
    return report


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('ann_file')
    parser.add_argument('out_dir')
    parser.add_argument('--rgb-dir', required=True)
    parser.add_argument('--flow-dir')
    parser.add_argument('--ext', default='.npy', choices=['.npy', '.csv'])
    args = parser.parse_args()
    report = convert(args.ann_file, args.out_dir, args.rgb_dir, args.flow_dir, args.ext)
    print(f"wrote {report['written']} feature files to {args.out_dir}")
    for vid, *lengths in report['cut']:
        print(f'{vid}: streams of {lengths} steps cut to {min(lengths)}')
    for p in report['missing']:
        print(f'missing: {p}', file=sys.stderr)
    sys.exit(1 if report['missing'] else 0)


if __name__ == '__main__':
    main()

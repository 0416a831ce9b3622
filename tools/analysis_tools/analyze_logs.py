"""Loss / metric curves from mmengine json logs, several runs on one plot.

mmengine writes one json record per logging step to
``<work_dir>/<timestamp>/vis_data/<timestamp>.json`` (also ``scalars.json`` there): training
records carry ``iter`` (and ``loss*``, ``lr``, ...), validation records the metrics with
``step`` = epoch.

Examples::

    python tools/analysis_tools/analyze_logs.py plot_curve \\
        work_dirs/a/20261201_080000/vis_data/20261201_080000.json \\
        work_dirs/b/20261201_090000/vis_data/20261201_090000.json \\
        --keys loss acc/top1 --legend a b --out curves.png
    python tools/analysis_tools/analyze_logs.py cal_train_time LOG.json
"""
import argparse
import json
import os.path as osp
from typing import Dict, List

import numpy as np


def load_json_log(path: str) -> List[Dict]:
    """The records of an mmengine json log (one json object per line)."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'log file not found: {path}')
    records = []
    with open(path) as f:
        for i, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as e:
                raise ValueError(f'{path}:{i}: not a json record ({e.msg})') from None
    return records


def series(records: List[Dict], key: str):
    """``(x, y, x_label)`` of ``key``: training keys against the global iteration (``step``),
    validation keys against the epoch."""
    rows = [r for r in records if key in r]
    if not rows:
        return np.zeros(0), np.zeros(0), None
    train = all('iter' in r for r in rows)
    x = np.array([r.get('step', r.get('iter', i)) for i, r in enumerate(rows)], float)
    y = np.array([float(r[key]) for r in rows])
    return x, y, 'iteration' if train else 'epoch'


def plot_curve(logs: List[str], keys: List[str], legend: List[str] = None, title: str = '',
               out: str = 'curves.png') -> str:
    """One subplot per key, one line per log; returns ``out``."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    if legend is not None and len(legend) != len(logs):
        raise ValueError(f'--legend has {len(legend)} names for {len(logs)} logs')
    legend = legend or [osp.basename(osp.dirname(osp.dirname(osp.dirname(osp.abspath(p)))))
                        or osp.basename(p) for p in logs]
    runs = [load_json_log(p) for p in logs]
    fig = Figure(figsize=(6, 3 * len(keys)), dpi=100)
    FigureCanvasAgg(fig)
    for k, key in enumerate(keys):
        ax = fig.add_subplot(len(keys), 1, k + 1)
        found = False
        for records, name in zip(runs, legend):
            x, y, xlabel = series(records, key)
            if len(x):
                found = True
                ax.plot(x, y, marker='o' if xlabel == 'epoch' else None, ms=3, lw=1,
                        label=name)
                ax.set_xlabel(xlabel)
        if not found:
            raise KeyError(f'no record of {logs} has the key {key!r}')
        ax.set_ylabel(key)
        ax.legend(fontsize=7)
        if title and k == 0:
            ax.set_title(title)
    fig.tight_layout()
    fig.savefig(out)
    return out


def cal_train_time(log: str) -> Dict:
    """Average / slowest / fastest training step time (s) per epoch from the ``time`` key."""
    rows = [r for r in load_json_log(log) if 'iter' in r and 'time' in r]
    if not rows:
        raise KeyError(f'{log}: no training record with a time')
    times = np.array([r['time'] for r in rows])
    return dict(average=float(times.mean()), slowest=float(times.max()),
                fastest=float(times.min()), std=float(times.std()))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = p.add_subparsers(dest='task', required=True)
    c = sub.add_parser('plot_curve', help='plot curves of keys from json logs')
    c.add_argument('logs', nargs='+')
    c.add_argument('--keys', nargs='+', default=['loss'])
    c.add_argument('--legend', nargs='+')
    c.add_argument('--title', default='')
    c.add_argument('--out', default='curves.png')
    t = sub.add_parser('cal_train_time', help='step time statistics of a json log')
    t.add_argument('log')
    args = p.parse_args(argv)
    if args.task == 'plot_curve':
        out = plot_curve(args.logs, args.keys, args.legend, args.title, args.out)
        print(f'wrote {out}')
        return out
    stats = cal_train_time(args.log)
    print(json.dumps(stats))
    return stats


if __name__ == '__main__':
    main()

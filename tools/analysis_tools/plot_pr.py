"""Per-class precision-recall curves from a ``tools/test.py --dump`` file.

One PNG per curve set: frame-mAP and each video-mAP threshold (PoSTAL / FineSports), or each
detection tIoU threshold (temporal localization), with one curve per class (the
``--max-classes`` best by AP) and its AP in the legend.

Examples::

    python tools/test.py CONFIG CKPT --dump results.pkl
    python tools/analysis_tools/plot_pr.py CONFIG results.pkl --out-dir pr_curves
    python tools/analysis_tools/plot_pr.py - results.pkl --metric TALMetric --out-dir pr
"""
import argparse
import os
import os.path as osp
import re

import numpy as np
from mmengine.config import DictAction


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('config', help="config whose test_evaluator is used, or '-'")
    p.add_argument('dump', help='pickle written by tools/test.py --dump')
    p.add_argument('--metric', help='metric type instead of the config evaluator')
    p.add_argument('--metric-options', nargs='+', action=DictAction, default={})
    p.add_argument('--classes', nargs='+', help="class names (default: the config's dataset)")
    p.add_argument('--out-dir', default='pr_curves')
    p.add_argument('--max-classes', type=int, default=20,
                   help='at most this many classes per plot (highest AP first)')
    return p.parse_args(argv)


def voc_ap_of(curve: dict) -> float:
    from mmfine.evaluation.functional import voc_ap
    p, r = np.asarray(curve['precision']), np.asarray(curve['recall'])
    return float(voc_ap(p, r)) if len(p) else 0.0


def plot_curves(curves: dict, title: str, out_file: str, classes=None,
                max_classes: int = 20) -> str:
    """One figure: a precision-recall curve per class (``curves``: {class: {'precision',
    'recall'}}), the best ``max_classes`` by AP."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    fig = Figure(figsize=(6, 5), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(111)
    aps = {c: voc_ap_of(cv) for c, cv in curves.items()}
    for c in sorted(aps, key=lambda k: -aps[k])[:max_classes]:
        name = classes[c] if classes is not None and isinstance(c, (int, np.integer)) \
            and 0 <= c < len(classes) else str(c)
        r = np.r_[0, np.asarray(curves[c]['recall'])]
        p = np.r_[1, np.asarray(curves[c]['precision'])]
        ax.plot(r, p, lw=1, label=f'{name} (AP {aps[c]:.3f})')
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel('recall')
    ax.set_ylabel('precision')
    ax.set_title(title, fontsize=9)
    if aps:
        ax.legend(fontsize=6, loc='lower left')
    fig.tight_layout()
    fig.savefig(out_file)
    return out_file


def main(argv=None):
    args = parse_args(argv)
    import mmfine  # noqa: F401  (compat shims before mmaction is imported)
    from mmfine.evaluation.offline import build_evaluator, load_dump
    samples = load_dump(args.dump)
    evaluator = build_evaluator(args.config, args.metric,
                                dict(args.metric_options, with_curves=True), args.classes)
    metrics = evaluator.offline_evaluate(samples, chunk_size=max(len(samples), 1))
    classes = (evaluator.dataset_meta or {}).get('classes')
    os.makedirs(args.out_dir, exist_ok=True)
    written = []
    for metric in evaluator.metrics:
        for key, curves in getattr(metric, 'curves', {}).items():
            name = re.sub(r'[^\w.@-]+', '_', f'{metric.prefix}_{key}' if metric.prefix else key)
            value = metrics.get(f'{metric.prefix}/{key}', float('nan'))
            out = osp.join(args.out_dir, f'pr_{name}.png')
            written.append(plot_curves(curves, f'{key}: {value:.4f}', out, classes,
                                       args.max_classes))
    if not written:
        raise SystemExit(f'{args.dump}: no metric produced precision-recall curves (frame / '
                         'video-mAP or TAL detection needed)')
    for w in written:
        print(f'wrote {w}')
    return written


if __name__ == '__main__':
    main()

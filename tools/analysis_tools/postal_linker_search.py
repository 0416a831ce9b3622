"""Choose the tube linker's settings on a validation split (never on test).

The video-mAP of a clip-by-clip detector depends on how its frame detections are linked into
tubes (:class:`mmfine.models.task_modules.TubeLinker`). This tool re-links the frame detections
of a ``tools/test.py --dump`` file under every combination of a grid of linker settings (the
config's ``test_evaluator.linker`` updated with each combination) and prints video-mAP (and
the unchanged frame-mAP), best first. Dump the VALIDATION split, pick, and write the values
into the config; then test once.

Usage::

    python tools/test.py CONFIG CHECKPOINT --dump val.pkl \\
        --cfg-options test_dataloader.dataset.split=val
    python tools/analysis_tools/postal_linker_search.py CONFIG val.pkl \\
        [--grid link_iou=0.1,0.3,0.5 max_gap=1,3] [--top 10] [--out search.json]
"""
import argparse
import itertools
import json
import os.path as osp
import sys
from typing import Dict, List

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

DEFAULT_GRID = dict(link_iou=[0.1, 0.2, 0.3, 0.5], det_score_thr=[0.05, 0.1, 0.2],
                    max_gap=[1, 3], smooth_window=[1, 3, 5])


def parse_grid(items: List[str]) -> Dict[str, list]:
    """``['key=v1,v2', ...]`` -> ``{key: [v1, v2]}`` (values parsed as Python literals)."""
    import ast
    grid = {}
    for item in items:
        if '=' not in item:
            raise ValueError(f'--grid: expected key=v1,v2,..., got {item!r}')
        key, vals = item.split('=', 1)
        grid[key] = [ast.literal_eval(v) for v in vals.split(',')]
    return grid


def search(config: str, samples: list, grid: Dict[str, list], classes=None) -> List[dict]:
    """Video-mAP (and frame-mAP) of every combination of ``grid``, best video-mAP first.

    Returns:
        list[dict]: ``{'linker': {...}, 'metrics': {...}}`` sorted by the metrics' values,
        video-mAP at the highest threshold first.
    """
    from mmengine.evaluator import Evaluator

    from mmfine.evaluation.offline import dataset_classes, metric_configs
    from mmfine.utils import register_all_modules
    register_all_modules()
    cfgs = metric_configs(config)  # the config is read once, not per combination
    base = dict(cfgs[0].get('linker') or {})
    base.setdefault('type', 'TubeLinker')
    classes = classes or dataset_classes(config)
    keys = list(grid)
    rows = []
    for combo in itertools.product(*(grid[k] for k in keys)):
        linker = {**base, **dict(zip(keys, combo))}
        evaluator = Evaluator([dict(c, linker=linker) for c in cfgs])
        if classes:
            evaluator.dataset_meta = dict(classes=list(classes))
        metrics = evaluator.offline_evaluate(samples, chunk_size=max(len(samples), 1))
        rows.append(dict(linker=linker, metrics={k: float(v) for k, v in metrics.items()}))

    def rank(row):
        video = sorted((k for k in row['metrics'] if 'video_mAP' in k), reverse=True)
        return tuple(row['metrics'][k] for k in video)

    return sorted(rows, key=rank, reverse=True)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('config')
    p.add_argument('dump', help='tools/test.py --dump of the validation split')
    p.add_argument('--grid', nargs='+', default=[],
                   help=f'key=v1,v2 linker settings to try (default {DEFAULT_GRID})')
    p.add_argument('--top', type=int, default=10)
    p.add_argument('--out', help='write every row as json')
    args = p.parse_args(argv)
    import mmfine  # noqa: F401  (compat shims before mmaction is imported)
    from mmfine.evaluation.offline import load_dump
    rows = search(args.config, load_dump(args.dump), parse_grid(args.grid) or DEFAULT_GRID)
    keys = [k for k in rows[0]['linker'] if k != 'type'] if rows else []
    for row in rows[:args.top]:
        print(' '.join(f'{k}={row["linker"][k]}' for k in keys) + ' | ' +
              ' '.join(f'{k.split("/")[-1]} {v:.4f}' for k, v in row['metrics'].items()))
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(rows, f, indent=1)
    return rows


if __name__ == '__main__':
    main()

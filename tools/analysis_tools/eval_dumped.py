"""Re-score predictions dumped by ``tools/test.py --dump`` without running the model again.

Examples::

    # the metric(s) of the config's test_evaluator
    python tools/analysis_tools/eval_dumped.py CONFIG results.pkl
    # other options, e.g. the ACT convention or other thresholds
    python tools/analysis_tools/eval_dumped.py CONFIG results.pkl \\
        --metric-options convention=act video_iou_thrs="(0.1,0.3,0.5)"
    # a metric given by type, without a config
    python tools/analysis_tools/eval_dumped.py - results.pkl --metric TALMetric \\
        --metric-options fineaction_iou=True
"""
import argparse
import json

from mmengine.config import DictAction
from mmengine.evaluator import Evaluator


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='re-score a --dump pickle')
    parser.add_argument('config', help="config file whose test_evaluator is used, or '-'")
    parser.add_argument('dump', help='pickle written by tools/test.py --dump')
    parser.add_argument('--metric', help='metric type to use instead of the config evaluator')
    parser.add_argument('--metric-options', nargs='+', action=DictAction, default={},
                        help='key=value options for the metric(s)')
    parser.add_argument('--classes', nargs='+', help='class names (dataset_meta["classes"])')
    return parser.parse_args(argv)


def build_metrics(args):
    """Metric configs from the config (or --metric) with --metric-options applied."""
    import mmfine  # noqa: F401  (registers the metrics, compat shims)
    from mmfine.utils import register_all_modules
    register_all_modules()
    if args.metric:
        cfgs = [dict(type=args.metric)]
    else:
        if args.config == '-':
            raise SystemExit('give a config or --metric')
        from mmengine.config import Config
        cfg = Config.fromfile(args.config)
        ev = cfg.test_evaluator
        cfgs = [dict(m) for m in (ev if isinstance(ev, (list, tuple)) else [ev])]
        cfgs = [c for c in cfgs if c.get('type') != 'DumpResults']
    for c in cfgs:
        c.update(args.metric_options)
    return cfgs


def main(argv=None):
    args = parse_args(argv)
    from mmfine.fileio import safe_pickle_load
    samples = safe_pickle_load(args.dump, allow_tensors=True)  # a dump may come from elsewhere
    if not isinstance(samples, list):
        raise SystemExit(f'{args.dump}: expected the list of data samples written by --dump')
    evaluator = Evaluator(build_metrics(args))
    if args.classes:
        evaluator.dataset_meta = dict(classes=list(args.classes))
    metrics = evaluator.offline_evaluate(samples, chunk_size=max(len(samples), 1))
    print('mmfine dumped metrics: ' + json.dumps(
        {k: float(v) for k, v in metrics.items()}, sort_keys=True))
    return metrics


if __name__ == '__main__':
    main()

"""Re-score predictions dumped by ``tools/test.py --dump`` without running the model again.

Examples::

    # the metric(s) of the config's test_evaluator (class names from the config's dataset)
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


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='re-score a --dump pickle')
    parser.add_argument('config', help="config file whose test_evaluator is used, or '-'")
    parser.add_argument('dump', help='pickle written by tools/test.py --dump')
    parser.add_argument('--metric', help='metric type to use instead of the config evaluator')
    parser.add_argument('--metric-options', nargs='+', action=DictAction, default={},
                        help='key=value options for the metric(s)')
    parser.add_argument('--classes', nargs='+',
                        help="class names (default: the config's test dataset's classes)")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    import mmfine  # noqa: F401  (compat shims before mmaction is imported)
    from mmfine.evaluation.offline import build_evaluator, load_dump
    samples = load_dump(args.dump)  # a dump may come from elsewhere: restricted unpickler
    evaluator = build_evaluator(args.config, args.metric, args.metric_options, args.classes)
    metrics = evaluator.offline_evaluate(samples, chunk_size=max(len(samples), 1))
    print('mmfine dumped metrics: ' + json.dumps(
        {k: float(v) for k, v in metrics.items()}, sort_keys=True))
    return metrics


if __name__ == '__main__':
    main()

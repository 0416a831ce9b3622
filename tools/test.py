"""Test (evaluate) a checkpoint with an mmfine config and print the metrics."""
import argparse
import json
import os

from mmengine.config import Config, DictAction

import mmfine  # noqa: F401  (applies the compatibility shims before mmaction is imported)
from mmfine.utils.dist import exit_after_distributed_run, finalize_distributed
from mmfine.utils.entrypoint import build_runner, load_config


def parse_args():
    parser = argparse.ArgumentParser(description='Test (and eval) a model (mmfine)')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='the dir to save the evaluation log')
    parser.add_argument('--dump', type=str,
                        help='dump the predictions to a pickle file for offline evaluation')
    parser.add_argument('--show-dir', help='write a visualization of every --show-interval-th '
                        'sample (clip frames with tubes, timelines, ...) to this directory')
    parser.add_argument('--show-interval', type=int, default=50,
                        help='visualize one sample in this many (default 50)')
    parser.add_argument('--show', action='store_true', help='also display the visualizations')
    parser.add_argument('--amp', action='store_true', help='test with mixed precision (fp16)')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override settings of the config, key=value pairs')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'],
                        default='none', help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def merge_args(cfg: Config, args) -> Config:
    if args.dump is not None:
        if not args.dump.endswith(('.pkl', '.pickle')):
            raise ValueError(f'--dump must be a .pkl or .pickle file, got {args.dump}')
        dump_metric = dict(type='DumpResults', out_file_path=args.dump)
        if isinstance(cfg.test_evaluator, (list, tuple)):
            cfg.test_evaluator = [*cfg.test_evaluator, dump_metric]
        else:
            cfg.test_evaluator = [cfg.test_evaluator, dump_metric]
    if args.show_dir or args.show:
        hooks = cfg.setdefault('default_hooks', {})
        hooks['visualization'] = dict(type='FineVisualizationHook', enable=True,
                                      interval=args.show_interval, show=args.show,
                                      out_dir=args.show_dir)
    if args.amp:
        cfg.test_cfg = dict(cfg.get('test_cfg') or dict(type='TestLoop'), fp16=True)
    cfg.load_from = args.checkpoint
    return cfg


def main():
    args = parse_args()
    cfg = load_config(args.config, args.cfg_options, args.launcher, args.work_dir)
    cfg = merge_args(cfg, args)
    runner = build_runner(cfg, log_config=False)  # the metrics, not 300 lines of config
    metrics = runner.test()
    if runner.rank == 0:
        print('mmfine test metrics: ' + json.dumps(
            {k: float(v) if isinstance(v, (int, float)) else str(v) for k, v in metrics.items()},
            sort_keys=True))
    if finalize_distributed():  # a rank of a torchrun job: everything is saved, leave now
        exit_after_distributed_run(0)


if __name__ == '__main__':
    main()

"""Train a model with an mmfine config (mmaction2-style entry point)."""
import argparse
import os

from mmengine.config import Config, DictAction

import mmfine  # noqa: F401  (applies the compatibility shims before mmaction is imported)
from mmfine.utils.dist import exit_after_distributed_run, finalize_distributed
from mmfine.utils.entrypoint import build_runner, load_config


def parse_args():
    parser = argparse.ArgumentParser(description='Train a model (mmfine)')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and checkpoints')
    parser.add_argument(
        '--resume', nargs='?', type=str, const='auto',
        help='resume from the given checkpoint, or (no value) from the latest checkpoint in '
        'the work dir')
    parser.add_argument('--amp', action='store_true', help='automatic mixed precision training')
    parser.add_argument('--no-validate', action='store_true',
                        help='do not evaluate checkpoints during training')
    parser.add_argument('--auto-scale-lr', action='store_true',
                        help='scale the lr with the total batch size (auto_scale_lr in config)')
    parser.add_argument('--seed', type=int, default=None, help='random seed')
    parser.add_argument('--diff-rank-seed', action='store_true',
                        help='use a different seed on each rank')
    parser.add_argument('--deterministic', action='store_true',
                        help='set deterministic options for CUDNN')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override settings of the config, key=value pairs (e.g. '
        'train_dataloader.batch_size=4 "model.cls_head.num_classes=8")')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'],
                        default='none', help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def merge_args(cfg: Config, args) -> Config:
    if args.no_validate:
        cfg.val_cfg = None
        cfg.val_dataloader = None
        cfg.val_evaluator = None

    if args.amp:
        from mmengine.device import get_device
        if get_device() == 'cpu':
            raise SystemExit('--amp: mmengine\'s AmpOptimWrapper needs a GPU (or NPU/MLU/MUSA); '
                             'this machine has none. Train without --amp on CPU.')
        optim_wrapper = cfg.optim_wrapper.get('type', 'OptimWrapper')
        if optim_wrapper not in ('OptimWrapper', 'AmpOptimWrapper'):
            raise ValueError(f'--amp needs OptimWrapper or AmpOptimWrapper, got {optim_wrapper}')
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')

    if args.resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif args.resume is not None:
        cfg.resume = True
        cfg.load_from = args.resume

    if args.auto_scale_lr:
        if 'auto_scale_lr' not in cfg or 'base_batch_size' not in cfg.auto_scale_lr:
            raise KeyError('--auto-scale-lr needs auto_scale_lr.base_batch_size in the config')
        cfg.auto_scale_lr.enable = True

    randomness = cfg.get('randomness', dict())
    if args.seed is not None:
        randomness['seed'] = args.seed
    if args.deterministic:
        randomness['deterministic'] = True
    if args.diff_rank_seed:
        randomness['diff_rank_seed'] = True
    cfg.randomness = randomness
    return cfg


def main():
    args = parse_args()
    cfg = load_config(args.config, args.cfg_options, args.launcher, args.work_dir)
    cfg = merge_args(cfg, args)
    runner = build_runner(cfg)
    runner.train()
    if finalize_distributed():  # a rank of a torchrun job: everything is saved, leave now
        exit_after_distributed_run(0)


if __name__ == '__main__':
    main()

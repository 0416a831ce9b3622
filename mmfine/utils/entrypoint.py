"""Shared steps of ``tools/train.py`` and ``tools/test.py``."""
import logging
import os
import os.path as osp
from typing import Optional

from mmengine.config import Config

from .dist import init_cpu_distributed
from .setup_env import register_all_modules


def load_config(path: str, cfg_options: Optional[dict], launcher: str,
                work_dir: Optional[str] = None) -> Config:
    """Read a config, apply ``--cfg-options``, the launcher and the work dir.

    The work dir is ``work_dir`` if given, else the config's, else
    ``./work_dirs/<config name>``.
    """
    register_all_modules(init_default_scope=False)
    cfg = Config.fromfile(path)
    if cfg_options is not None:
        cfg.merge_from_dict(cfg_options)
    fit_schedule_to_train_cfg(cfg)
    cfg.launcher = launcher
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(path))[0])
    return cfg


def fit_schedule_to_train_cfg(cfg: Config) -> list:
    """Make epoch-based parameter schedulers and validation fit ``train_cfg.max_epochs``.

    Applied after ``--cfg-options``, so ``train_cfg.max_epochs=N`` alone shortens a run
    consistently: a scheduler that would begin at or after the last epoch is dropped (mmengine
    refuses ``end <= begin``, e.g. the cosine after a one-epoch warm-up in a one-epoch run); an
    ``end`` past the last epoch is cut to it, and ``T_max`` with it when it spanned to that end;
    ``val_begin`` past the last epoch is moved to it. Schedulers without ``end`` already follow
    ``max_epochs`` (mmengine's runner sets it); iteration-based ones are left alone.

    Returns:
        list[str]: what was changed (also logged by the runner's logger).
    """
    train = cfg.get('train_cfg') or {}
    max_epochs = train.get('max_epochs')
    if max_epochs is None:
        return []
    changes = []
    scheds = cfg.get('param_scheduler')
    if isinstance(scheds, dict):
        scheds = [scheds]
    kept = []
    for sch in scheds or []:
        if not isinstance(sch, dict) or not sch.get('by_epoch', True):
            kept.append(sch)
            continue
        begin = sch.get('begin', 0)
        if begin >= max_epochs:
            changes.append(f"dropped {sch['type']} (begins at epoch {begin} >= max_epochs "
                           f'{max_epochs})')
            continue
        end = sch.get('end')
        if end is not None and end > max_epochs:
            sch = dict(sch, end=max_epochs)
            if sch.get('T_max') == end - begin:
                sch['T_max'] = max_epochs - begin
            changes.append(f"{sch['type']}: end {end} -> {max_epochs}")
        kept.append(sch)
    if scheds is not None:
        cfg.param_scheduler = kept
    if train.get('val_begin', 1) > max_epochs:
        changes.append(f"train_cfg.val_begin {train['val_begin']} -> {max_epochs}")
        cfg.train_cfg.val_begin = max_epochs
    if changes:
        from mmengine.logging import print_log
        print_log('schedule fitted to train_cfg.max_epochs: ' + '; '.join(changes),
                  logger='current')
    return changes


def launcher_world_size(launcher: str, environ: Optional[dict] = None) -> int:
    """Number of processes of this job, read where each launcher puts it.

    mmengine's ``init_dist`` only sets ``WORLD_SIZE`` for Slurm / MPI while building the
    runner, too late for anything decided before; so: an initialised process group's size,
    else ``WORLD_SIZE`` (torchrun), ``SLURM_NTASKS`` (``--launcher slurm``),
    ``OMPI_COMM_WORLD_SIZE`` / ``PMI_SIZE`` (``--launcher mpi``: Open MPI / MPICH), else 1.
    """
    import torch.distributed as torch_dist
    if torch_dist.is_available() and torch_dist.is_initialized():
        return torch_dist.get_world_size()
    env = os.environ if environ is None else environ
    keys = {'pytorch': ('WORLD_SIZE', ), 'slurm': ('SLURM_NTASKS', 'WORLD_SIZE'),
            'mpi': ('OMPI_COMM_WORLD_SIZE', 'PMI_SIZE', 'WORLD_SIZE')}.get(launcher, ())
    for key in keys:
        if env.get(key):
            return int(env[key])
    return 1


def apply_global_batch_size(cfg: Config, world_size: Optional[int] = None) -> None:
    """Honour the optional ``global_train_batch_size`` config key.

    mmengine's ``train_dataloader.batch_size`` is per process. A config that sets
    ``global_train_batch_size = B`` gets ``B / world_size`` samples per process instead, so the
    same config optimises the same batches on 1 or N processes (with ``DefaultSampler`` the
    union of the ranks' batches equals the 1-process batch).

    Args:
        cfg (Config): the config (modified in place).
        world_size (int, optional): number of processes. Defaults to
            :func:`launcher_world_size` of the config's ``launcher``.
    """
    total = cfg.get('global_train_batch_size')
    if total is None or cfg.get('train_dataloader') is None:
        return
    world = world_size or launcher_world_size(cfg.get('launcher', 'none'))
    if total % world:
        raise ValueError(f'global_train_batch_size={total} is not divisible by the number of '
                         f'processes ({world})')
    cfg.train_dataloader.batch_size = total // world


class _NoiseFilter(logging.Filter):
    """Drops mmengine's deprecation notices about its own FileClient / HardDiskBackend, which
    its hooks trigger on every run (nothing a user can change)."""

    NOISE = ('"FileClient" will be deprecated', '"HardDiskBackend" is the alias of')

    def filter(self, record: logging.LogRecord) -> bool:
        msg = record.getMessage()
        return not any(n in msg for n in self.NOISE)


def build_runner(cfg: Config, log_config: bool = True):
    """Set up CPU distribution if needed, then build the runner (``runner_type`` honoured).

    Args:
        cfg (Config): the config.
        log_config (bool): log the whole config at start-up, as mmengine does. ``tools/test.py``
            passes False: the runner still writes it to ``<work_dir>/<config name>.py``, the
            console shows one line.
    """
    init_cpu_distributed(cfg, cfg.get('launcher', 'none'))
    apply_global_batch_size(cfg)
    if 'runner_type' not in cfg:
        from mmengine.runner import Runner
        runner_cls = Runner if log_config else _runner_without_config_dump(Runner)
        runner = runner_cls.from_cfg(cfg)
    else:
        from mmengine.registry import RUNNERS
        runner = RUNNERS.build(cfg)
    runner.logger.addFilter(_NoiseFilter())
    return runner


def _runner_without_config_dump(base):
    """A subclass of ``base`` whose start-up log leaves out the config text."""

    class QuietConfigRunner(base):

        def _log_env(self, env_cfg: dict) -> None:
            full, self.cfg = self.cfg, Config()
            try:
                super()._log_env(env_cfg)
            finally:
                self.cfg = full
            self.logger.info(f'Config: not printed (tools/test.py), saved to {self.work_dir}')

    return QuietConfigRunner

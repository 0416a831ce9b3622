"""Shared steps of ``tools/train.py`` and ``tools/test.py``."""
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
    cfg.launcher = launcher
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(path))[0])
    return cfg


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


def build_runner(cfg: Config):
    """Set up CPU distribution if needed, then build the runner (``runner_type`` honoured)."""
    init_cpu_distributed(cfg, cfg.get('launcher', 'none'))
    apply_global_batch_size(cfg)
    if 'runner_type' not in cfg:
        from mmengine.runner import Runner
        return Runner.from_cfg(cfg)
    from mmengine.registry import RUNNERS
    return RUNNERS.build(cfg)

"""Distributed set-up for CPU-only machines (gloo), used by ``tools/train.py`` / ``tools/test.py``.

mmengine 0.10.7's ``init_dist(launcher='pytorch')`` calls ``torch.cuda.set_device`` unconditionally
and its default DDP wrapper passes ``device_ids=[LOCAL_RANK]``, both of which fail on a CPU torch.
When no GPU is available we initialise the gloo process group ourselves before the Runner is built
(mmengine then skips its own initialisation) and wrap the model with ``device_ids=None``. The GPU
path (nccl) is left to mmengine unchanged.
"""
import os

import torch
import torch.distributed as torch_dist


def init_cpu_distributed(cfg, launcher: str) -> bool:
    """Initialise gloo and patch ``cfg`` for CPU DDP when launched without a GPU.

    Args:
        cfg (mmengine.Config): the config; ``model_wrapper_cfg`` is set (if absent) to
            ``dict(type='MMDistributedDataParallel', device_ids=None)`` (if present, its
            ``device_ids`` is set to None) and
            ``env_cfg.dist_cfg.backend`` to ``'gloo'`` (what the process group uses).
        launcher (str): the ``--launcher`` argument ('none', 'pytorch', 'slurm', 'mpi').

    Returns:
        bool: True if the CPU path was taken.
    """
    if launcher != 'pytorch' or torch.cuda.is_available():
        return False
    if not torch_dist.is_initialized():
        missing = [k for k in ('RANK', 'WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT')
                   if k not in os.environ]
        if missing:
            raise RuntimeError(f'--launcher pytorch needs the environment variables {missing} '
                               '(set by torchrun; use tools/dist_train.sh).')
        torch_dist.init_process_group(
            backend='gloo', rank=int(os.environ['RANK']),
            world_size=int(os.environ['WORLD_SIZE']))
    cfg.setdefault('env_cfg', dict())
    cfg.env_cfg['dist_cfg'] = dict(cfg.env_cfg.get('dist_cfg') or {}, backend='gloo')
    if cfg.get('model_wrapper_cfg') is None:
        cfg.model_wrapper_cfg = dict(type='MMDistributedDataParallel', device_ids=None)
    else:  # keep the config's options (e.g. find_unused_parameters), CPU modules need None
        cfg.model_wrapper_cfg = dict(cfg.model_wrapper_cfg, device_ids=None)
    return True


def finalize_distributed() -> bool:
    """Wait for every rank, then destroy the default process group (if one was initialised).

    Called by ``tools/train.py`` / ``tools/test.py`` after a successful run. Leaving the gloo
    process group to be torn down by interpreter finalisation occasionally aborts a rank at exit
    (``terminate called without an active exception``, exit code -6) after all its work is done,
    which makes torchrun report the whole job as failed; destroying it while Python is still
    fully alive avoids most of it (see :func:`exit_after_distributed_run` for the rest). A
    no-op in non-distributed runs.

    Returns:
        bool: True if a process group was destroyed.
    """
    if torch_dist.is_available() and torch_dist.is_initialized():
        torch_dist.barrier()
        torch_dist.destroy_process_group()
        return True
    return False


def exit_after_distributed_run(code: int = 0) -> None:
    """End a rank whose work is done and saved, without running C++ static destructors.

    Even with the process group destroyed, a rank of a CPU (gloo) ``torchrun`` job still
    aborted at interpreter exit now and then (``terminate called without an active exception``,
    exit -6, seen in CI after both epochs, validation and checkpoints were written): a native
    thread still joinable when the runtime's destructors run. Everything of the run is on disk
    by then (checkpoints, logs; mmengine's ``LoggerHook.after_run`` closed the visualizer), so
    the rank flushes Python's streams and logging handlers and leaves with ``os._exit``, which
    skips those destructors.
    """
    import logging
    import sys
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)

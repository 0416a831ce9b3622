import pytest
from mmengine.config import Config

from mmfine.utils import init_cpu_distributed


def test_non_pytorch_launchers_are_left_alone():
    cfg = Config(dict(env_cfg=dict(dist_cfg=dict(backend='nccl'))))
    assert init_cpu_distributed(cfg, 'none') is False
    assert cfg.get('model_wrapper_cfg') is None
    assert cfg.env_cfg.dist_cfg.backend == 'nccl'


def test_pytorch_launcher_without_torchrun_env_explains(monkeypatch):

    import torch
    if torch.cuda.is_available():
        pytest.skip('GPU present: mmengine initialises nccl itself')
    for k in ('RANK', 'WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT'):
        monkeypatch.delenv(k, raising=False)
    with pytest.raises(RuntimeError, match='torchrun'):
        init_cpu_distributed(Config(dict()), 'pytorch')


def test_global_batch_size_is_split_over_processes():


    from mmfine.utils.entrypoint import apply_global_batch_size
    cfg = Config(dict(global_train_batch_size=16, train_dataloader=dict(batch_size=3)))
    apply_global_batch_size(cfg, world_size=2)
    assert cfg.train_dataloader.batch_size == 8
    apply_global_batch_size(cfg, world_size=1)
    assert cfg.train_dataloader.batch_size == 16
    with pytest.raises(ValueError, match='not divisible'):
        apply_global_batch_size(cfg, world_size=3)
    plain = Config(dict(train_dataloader=dict(batch_size=3)))
    apply_global_batch_size(plain, world_size=4)  # no key: per-process batch stays
    assert plain.train_dataloader.batch_size == 3


def test_finalize_destroys_the_process_group(tmp_path):
    import torch.distributed as torch_dist

    from mmfine.utils import finalize_distributed
    finalize_distributed()  # no group: nothing to do, no error
    torch_dist.init_process_group(
        'gloo', init_method=f'file://{tmp_path}/store', rank=0, world_size=1)
    try:
        assert torch_dist.is_initialized()
        finalize_distributed()
        assert not torch_dist.is_initialized()
    finally:
        if torch_dist.is_initialized():
            torch_dist.destroy_process_group()


@pytest.mark.parametrize('launcher, env, world', [
    ('slurm', {'SLURM_NTASKS': '8', 'SLURM_PROCID': '3'}, 8),
    ('mpi', {'OMPI_COMM_WORLD_SIZE': '4', 'OMPI_COMM_WORLD_RANK': '1'}, 4),
    ('mpi', {'PMI_SIZE': '2'}, 2),
    ('pytorch', {'WORLD_SIZE': '2'}, 2),
    ('none', {'SLURM_NTASKS': '8'}, 1)])
def test_global_batch_size_under_slurm_and_mpi(monkeypatch, launcher, env, world):
    """Before the process group exists (mmengine sets WORLD_SIZE for Slurm / MPI only while
    building the runner), the launcher's own variables give the number of processes: a
    global batch of 8 is 1 per process with SLURM_NTASKS=8, not 8 per process."""
    from mmfine.utils.entrypoint import apply_global_batch_size, launcher_world_size
    for k in ('WORLD_SIZE', 'SLURM_NTASKS', 'OMPI_COMM_WORLD_SIZE', 'PMI_SIZE'):
        monkeypatch.delenv(k, raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    assert launcher_world_size(launcher) == world
    cfg = Config(dict(global_train_batch_size=8, train_dataloader=dict(batch_size=8),
                      launcher=launcher))
    apply_global_batch_size(cfg)
    assert cfg.train_dataloader.batch_size == 8 // world


def test_exit_after_distributed_run_flushes_and_skips_destructors(tmp_path):
    """The process ends with the given code, its prints and log records are on disk, and
    atexit / C++ destructors do not run."""
    import subprocess
    import sys
    log = tmp_path / 'run.log'
    code = (
        'import atexit, logging, sys\n'
        f'h = logging.FileHandler({str(log)!r}); logging.getLogger("x").addHandler(h)\n'
        'logging.getLogger("x").warning("saved")\n'
        'atexit.register(lambda: print("atexit ran"))\n'
        'print("metrics line", end="")\n'
        'from mmfine.utils.dist import exit_after_distributed_run\n'
        'exit_after_distributed_run(0)\n'
        'print("not reached")\n')
    proc = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == 'metrics line'
    assert log.read_text().strip() == 'saved'


def test_schedule_fits_a_shortened_run():
    """--cfg-options train_cfg.max_epochs=N after load: schedulers starting at / after the last
    epoch dropped, ends past it cut (T_max too), val_begin moved; the rest untouched."""
    from mmfine.utils.entrypoint import fit_schedule_to_train_cfg
    cfg = Config(dict(
        train_cfg=dict(max_epochs=1, val_begin=20),
        param_scheduler=[
            dict(type='LinearLR', by_epoch=True, begin=0, end=1),
            dict(type='CosineAnnealingLR', by_epoch=True, begin=1),
            dict(type='LinearLR', by_epoch=False, begin=0, end=100)]))
    changes = fit_schedule_to_train_cfg(cfg)
    assert [s['type'] for s in cfg.param_scheduler] == ['LinearLR', 'LinearLR']
    assert cfg.train_cfg.val_begin == 1 and len(changes) == 2
    paper = Config(dict(train_cfg=dict(max_epochs=4), param_scheduler=[
        dict(type='LinearLR', begin=0, end=2),
        dict(type='CosineAnnealingLR', T_max=18, begin=2, end=20)]))
    fit_schedule_to_train_cfg(paper)
    assert paper.param_scheduler[1]['end'] == 4 and paper.param_scheduler[1]['T_max'] == 2
    untouched = Config(dict(train_cfg=dict(max_epochs=30), param_scheduler=[
        dict(type='CosineAnnealingLR', begin=2)]))
    assert fit_schedule_to_train_cfg(untouched) == []

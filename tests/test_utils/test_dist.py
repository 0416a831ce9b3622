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

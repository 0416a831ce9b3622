from mmengine.config import Config

from mmfine.utils import init_cpu_distributed


def test_non_pytorch_launchers_are_left_alone():
    cfg = Config(dict(env_cfg=dict(dist_cfg=dict(backend='nccl'))))
    assert init_cpu_distributed(cfg, 'none') is False
    assert cfg.get('model_wrapper_cfg') is None
    assert cfg.env_cfg.dist_cfg.backend == 'nccl'


def test_pytorch_launcher_without_torchrun_env_explains(monkeypatch):
    import pytest
    import torch
    if torch.cuda.is_available():
        pytest.skip('GPU present: mmengine initialises nccl itself')
    for k in ('RANK', 'WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT'):
        monkeypatch.delenv(k, raising=False)
    with pytest.raises(RuntimeError, match='torchrun'):
        init_cpu_distributed(Config(dict()), 'pytorch')

"""Every file under configs/ parses and builds (model, and the pipelines' transforms)."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.registry import DefaultScope

from mmfine.registry import MODELS, TRANSFORMS
from mmfine.utils import register_all_modules

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
LEAF_CONFIGS = sorted(
    p for p in glob.glob(osp.join(REPO, 'configs', '**', '*.py'), recursive=True)
    if '_base_' not in p)
BASE_CONFIGS = sorted(glob.glob(osp.join(REPO, 'configs', '_base_', '**', '*.py'),
                                recursive=True))

register_all_modules(init_default_scope=False)


def test_configs_found():
    assert LEAF_CONFIGS and BASE_CONFIGS


@pytest.mark.parametrize('path', BASE_CONFIGS, ids=lambda p: osp.relpath(p, REPO))
def test_base_config_parses(path):
    Config.fromfile(path)


@pytest.mark.parametrize('path', LEAF_CONFIGS, ids=lambda p: osp.relpath(p, REPO))
def test_leaf_config_builds(path):
    cfg = Config.fromfile(path)
    assert cfg.default_scope == 'mmfine'
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        model = MODELS.build(cfg.model)
        for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
            if cfg.get(loader):
                for t in cfg[loader].dataset.pipeline:
                    TRANSFORMS.build(t)
    assert sum(p.numel() for p in model.parameters()) > 0


def test_csn152_real_config_architecture():
    cfg = Config.fromfile(osp.join(
        REPO, 'configs/recognition/csn_ir-r152-ig65m-pre_8xb4-8x2x1-30e_finesports-rgb.py'))
    with DefaultScope.overwrite_default_scope('mmfine'):
        model = MODELS.build(cfg.model)
    assert [len(getattr(model.backbone, f'layer{i}')) for i in range(1, 5)] == [3, 8, 36, 3]
    init = model.backbone.init_cfg
    assert init['type'] == 'Pretrained' and init['prefix'] == 'backbone.'
    assert init['checkpoint'].startswith('https://download.openmmlab.com/mmaction/')
    assert model.cls_head.num_classes == 52 and model.cls_head.in_channels == 2048


def test_fineaction_paper_config_hyper_parameters():
    """FineAction Sec. IV-C: features rescaled to L = 100, D = 50, 4096 -> 512 -> 512 convs,
    five transformer units (T .. T/16), Soft-NMS threshold 0.65."""
    cfg = Config.fromfile(osp.join(
        REPO, 'configs/fineaction/multiscale-bmn_i3d-rgb-flow_2xb8-100x4096-9e_fineaction.py'))
    rescale = [t for t in cfg.train_dataloader.dataset.pipeline
               if t['type'] == 'RescaleTemporalFeature']
    assert rescale and rescale[0]['length'] == 100
    with DefaultScope.overwrite_default_scope('mmfine'):
        model = MODELS.build(cfg.model)
    neck, head = model.neck, model.head
    assert [c.in_channels for c in neck.proj] == [4096, 512]
    assert [c.out_channels for c in neck.proj] == [512, 512]
    assert len(neck.units) == 5 and len(neck.downsample) == 4
    assert all(d.stride == (2, ) for d in neck.downsample)
    assert head.temporal_dims == [100, 50, 25, 13, 7] and head.max_durations[0] == 50
    assert model.post_processor.low == 0.65

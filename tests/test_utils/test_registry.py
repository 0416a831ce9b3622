import os.path as osp
import sys
import textwrap

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope

import mmfine.registry as fine_reg
from mmfine.utils import register_all_modules

register_all_modules(init_default_scope=False)


@pytest.fixture
def mmfine_scope():
    with DefaultScope.overwrite_default_scope('mmfine'):
        yield


def test_every_mmaction_registry_has_an_mmfine_child():
    import mmaction.registry as act_reg
    from mmengine.registry import Registry
    act = {k: v for k, v in vars(act_reg).items() if isinstance(v, Registry) and v.parent}
    for name, parent in act.items():
        mine = getattr(fine_reg, 'FUNCTIONS' if name == 'FUNCTION' else name)
        assert mine.parent is parent, name
        assert mine.scope == 'mmfine', name
        assert mine._locations, f'{name} has no locations'


def test_mmaction_and_mmfine_classes_build_from_one_config(mmfine_scope):
    cfg = Config(dict(
        default_scope='mmfine',
        model=dict(
            type='Recognizer3D',  # mmaction
            backbone=dict(type='CSN', depth=50, base_channels=8,  # mmfine
                          stage_blocks=(1, 1, 1, 1), with_pool2=False),
            cls_head=dict(type='I3DHead', num_classes=3, in_channels=256),  # mmaction
            data_preprocessor=dict(type='ActionDataPreprocessor', format_shape='NCTHW')),
        other_backbone=dict(type='ResNet3dCSN', depth=50, pretrained=None, base_channels=8,
                            stage_blocks=(1, 1, 1, 1)),
        transform=dict(type='SampleTubeClip', clip_len=4)))
    model = fine_reg.MODELS.build(cfg.model)
    from mmaction.models import I3DHead, Recognizer3D, ResNet3dCSN

    from mmfine.datasets.transforms import SampleTubeClip
    from mmfine.models import CSN
    assert isinstance(model, Recognizer3D) and isinstance(model.backbone, CSN)
    assert isinstance(model.cls_head, I3DHead)
    assert type(fine_reg.MODELS.build(cfg.other_backbone)) is ResNet3dCSN
    assert isinstance(fine_reg.TRANSFORMS.build(cfg.transform), SampleTubeClip)
    feats = model(torch.rand(2, 1, 3, 4, 32, 32), mode='tensor')  # [B, C, T, H, W]
    assert feats.shape == (2, 256, 1, 1, 1)
    assert model.cls_head(feats).shape == (2, 3)


def test_mmdet_task_module_builds_with_mmdet_scope(mmfine_scope):
    from mmdet.models.task_modules import HungarianAssigner
    assigner = fine_reg.TASK_UTILS.build(dict(
        type='HungarianAssigner', _scope_='mmdet',
        match_costs=[dict(type='ClassificationCost', weight=1.0),
                     dict(type='BBoxL1Cost', weight=5.0, box_format='xyxy'),
                     dict(type='IoUCost', iou_mode='giou', weight=2.0)]))
    assert isinstance(assigner, HungarianAssigner)
    # without the scope the mmdet type is unknown to the mmfine/mmaction chain
    with pytest.raises(KeyError):
        fine_reg.TASK_UTILS.build(dict(type='HungarianAssigner', match_costs=[]))


def test_custom_imports_user_module_builds(tmp_path, mmfine_scope, monkeypatch):
    pkg = tmp_path / 'my_lab_ext'
    pkg.mkdir()
    (pkg / '__init__.py').write_text(textwrap.dedent('''
        import torch.nn as nn
        from mmfine.registry import MODELS

        @MODELS.register_module()
        class MyLabHead(nn.Module):
            def __init__(self, width=4):
                super().__init__()
                self.fc = nn.Linear(width, 2)
    '''))
    cfg_file = tmp_path / 'cfg.py'
    cfg_file.write_text(textwrap.dedent('''
        default_scope = 'mmfine'
        custom_imports = dict(imports=['my_lab_ext'], allow_failed_imports=False)
        model = dict(type='MyLabHead', width=7)
    '''))
    monkeypatch.syspath_prepend(str(tmp_path))
    cfg = Config.fromfile(str(cfg_file))  # imports my_lab_ext
    assert 'my_lab_ext' in sys.modules
    head = fine_reg.MODELS.build(cfg.model)
    assert head.fc.in_features == 7
    assert osp.isfile(cfg_file)

import importlib.util
import os
import os.path as osp
import sys

import pytest

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
SHARED_DATA = osp.join(osp.dirname(REPO), 'shared', 'data')


def load_tool_module(relpath: str):
    """Import a script under tools/ as a module (tools/ is not a package)."""
    path = osp.join(REPO, relpath)
    name = 'mmfine_tool_' + osp.splitext(osp.basename(path))[0]
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='session')
def generator():
    return load_tool_module('tools/data/finesports/generate_synthetic_finesports.py')


@pytest.fixture(scope='session')
def tiny_finesports(tmp_path_factory, generator):
    """A tiny synthetic FineSports dataset (videos and frame folders), generated once."""
    root = str(tmp_path_factory.mktemp('finesports_tiny'))
    generator.generate(root, num_train=16, num_test=8, seed=3, num_frames=20, write_frames=True,
                       workers=1)
    return root


POSTAL_TINY_CONFIG = 'configs/postal/postal_tiny_1xb8-4x2-2e_finesports-synthetic.py'


@pytest.fixture(scope='session')
def postal_data(tmp_path_factory, generator):
    """A tiny synthetic FineSports set for PoSTAL (6 training + 2 test clips of 12 frames,
    acting look-alikes, player tracks), generated once."""
    root = str(tmp_path_factory.mktemp('postal_tiny'))
    generator.generate(root, num_train=6, num_test=2, seed=5, num_frames=12, workers=1,
                       num_numbers=10, acting_lookalikes=True)
    return root


@pytest.fixture
def small_postal_cfg():
    """``small_postal_cfg(root=None)``: the tiny synthetic PoSTAL config at the tools tests'
    size (8-channel backbone, random initialisation instead of the pretrained synthetic
    backbone), its train / test datasets pointed at ``root`` if given."""
    from mmengine.config import Config

    def build(root=None):
        cfg = Config.fromfile(osp.join(REPO, POSTAL_TINY_CONFIG))
        cfg.merge_from_dict(dict(model=dict(backbone=dict(base_channels=8, init_cfg=None),
                                            neck=dict(in_channels=32))))
        for split in ('train', 'test') if root else ():
            d = cfg[f'{split}_dataloader'].dataset
            d.ann_file = f'{root}/FineSports-GT.pkl'
            d.prompt_file = f'{root}/prompts_with_color.json'
            d.data_prefix = dict(video=f'{root}/videos')
        return cfg

    return build


@pytest.fixture(scope='session')
def tiny_fineaction(tmp_path_factory):
    """A tiny synthetic FineAction dataset (6 training + 3 validation videos)."""
    gen = load_tool_module('tools/data/fineaction/generate_synthetic_fineaction.py')
    root = str(tmp_path_factory.mktemp('fineaction_tiny'))
    gen.generate(root, num_train=6, num_val=3, seed=1)
    return root


@pytest.fixture
def shared_data():
    """Path of ../shared/data (real annotation fixtures); skip when absent (plain clone)."""
    if not osp.isdir(SHARED_DATA):
        pytest.skip(f'real annotation fixtures not found at {SHARED_DATA} '
                    '(they live in the project shared/ folder next to the repository)')
    return SHARED_DATA


@pytest.fixture(scope='session')
def finediving_aqa_root():
    """``../shared/data/finediving_aqa`` (the real FineDiving pickles); skip when absent."""
    root = osp.join(SHARED_DATA, 'finediving_aqa')
    if not osp.isdir(root):
        pytest.skip(f'real FineDiving annotations not found at {root}')
    return root


def pytest_configure(config):
    os.environ.setdefault('HF_HUB_OFFLINE', '1')
    os.environ.setdefault('TRANSFORMERS_OFFLINE', '1')


@pytest.fixture
def tool_module():
    """``tool_module('tools/x.py')`` imports a script under tools/ as a module."""
    return load_tool_module


@pytest.fixture(scope='session')
def spotting_synth(tmp_path_factory):
    """A tiny synthetic spotting set from the real FineDiving labels (12 train, 4 val, 6 test
    clips, 64 px frames), generated once; skip when ../shared is absent."""
    labels = osp.join(SHARED_DATA, 'finediving')
    if not osp.isdir(labels):
        pytest.skip(f'real FineDiving spotting labels not found at {labels}')
    gen = load_tool_module('tools/data/spotting/generate_synthetic_spotting.py')
    root = str(tmp_path_factory.mktemp('spotting_tiny'))
    gen.generate(root, labels, dict(train=12, val=4, test=6), size=64, seed=2, workers=1)
    return root

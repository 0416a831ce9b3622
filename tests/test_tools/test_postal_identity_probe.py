"""tools/analysis_tools/postal_identity_probe.py: reads the prompted player's colour / number
from a fresh backbone at the target's keyframe cell, on a tiny synthetic FineSports set."""
import json
import os.path as osp

import numpy as np
import pytest

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = 'configs/postal/postal_tiny_1xb8-4x2-2e_finesports-synthetic.py'


@pytest.fixture(scope='module')
def probe_data(tmp_path_factory, generator):
    root = str(tmp_path_factory.mktemp('identity_probe'))
    generator.generate(root, num_train=4, num_test=2, seed=2, num_frames=12, workers=1,
                       num_numbers=4, acting_lookalikes=True)
    return root


def _cfg(root):
    from mmengine.config import Config
    cfg = Config.fromfile(osp.join(REPO, CONFIG))
    cfg.model.backbone.base_channels = 8
    for split in ('train', 'test'):
        d = cfg[f'{split}_dataloader'].dataset
        d.ann_file = f'{root}/FineSports-GT.pkl'
        d.prompt_file = f'{root}/prompts_with_color.json'
        d.data_prefix = dict(video=f'{root}/videos')
    return cfg


def test_probe_learns_the_training_identities(probe_data, tool_module):
    """On 4 training clips the readers' training losses fall; the curve has one row per
    evaluation and the vocabularies are the prompts' words."""
    tool = tool_module('tools/analysis_tools/postal_identity_probe.py')
    from mmfine.utils import register_all_modules
    register_all_modules()
    with open(f'{probe_data}/prompts_with_color.json') as f:
        prompts = json.load(f)
    res = tool.run(_cfg(probe_data), iters=40, eval_interval=20, batch_size=4,
                   lr=3e-3, keyframes=2, log=lambda *a: None)
    assert [r['iter'] for r in res['curve']] == [20, 40]
    first, last = res['curve']
    assert last['loss_colour'] < first['loss_colour']
    assert last['loss_number'] < first['loss_number']
    for row in res['curve']:
        assert 0 <= row['test_colour_acc'] <= 1 and 0 <= row['test_number_acc'] <= 1
    assert res['test_samples'] == 2 and res['train_samples'] == 8
    words = {tuple(p.split(' jersey number ')) for v in prompts.values() for p in v.values()}
    assert set(res['numbers']) <= {n for _, n in words}
    assert np.isclose(res['chance_number'], 1 / len(res['numbers']))


def test_probe_rejects_prompts_without_identity(probe_data, tool_module, tmp_path):
    tool = tool_module('tools/analysis_tools/postal_identity_probe.py')
    from mmfine.utils import register_all_modules
    register_all_modules()
    with open(f'{probe_data}/prompts_with_color.json') as f:
        prompts = json.load(f)
    bad = {k: {n: 'the tall one' for n in v} for k, v in prompts.items()}
    path = tmp_path / 'prompts.json'
    path.write_text(json.dumps(bad))
    cfg = _cfg(probe_data)
    cfg.train_dataloader.dataset.prompt_file = str(path)
    with pytest.raises(ValueError, match='prompts.json.*the tall one'):
        tool.run(cfg, iters=1, eval_interval=1, log=lambda *a: None)

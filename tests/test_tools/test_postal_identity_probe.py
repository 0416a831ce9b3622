"""tools/analysis_tools/postal_identity_probe.py: reads the prompted player's colour / number
from a fresh backbone at the target's keyframe cell, on a tiny synthetic FineSports set."""
import json

import numpy as np
import pytest


def test_probe_learns_the_training_identities(postal_data, tool_module, small_postal_cfg):
    """On 6 training clips the readers' training losses fall; the curve has one row per
    evaluation and the vocabularies are the prompts' words."""
    tool = tool_module('tools/analysis_tools/postal_identity_probe.py')
    from mmfine.utils import register_all_modules
    register_all_modules()
    with open(f'{postal_data}/prompts_with_color.json') as f:
        prompts = json.load(f)
    res = tool.run(small_postal_cfg(postal_data), iters=40, eval_interval=20, batch_size=4,
                   lr=3e-3, keyframes=2, log=lambda *a: None)
    assert [r['iter'] for r in res['curve']] == [20, 40]
    first, last = res['curve']
    assert last['loss_colour'] < first['loss_colour']
    assert last['loss_number'] < first['loss_number']
    for row in res['curve']:
        assert 0 <= row['test_colour_acc'] <= 1 and 0 <= row['test_number_acc'] <= 1
    assert res['test_samples'] == 2 and res['train_samples'] == 12
    words = {tuple(p.split(' jersey number ')) for v in prompts.values() for p in v.values()}
    assert set(res['numbers']) <= {n for _, n in words}
    assert np.isclose(res['chance_number'], 1 / len(res['numbers']))


def test_probe_rejects_prompts_without_identity(postal_data, tool_module, small_postal_cfg,
                                                tmp_path):
    tool = tool_module('tools/analysis_tools/postal_identity_probe.py')
    from mmfine.utils import register_all_modules
    register_all_modules()
    with open(f'{postal_data}/prompts_with_color.json') as f:
        prompts = json.load(f)
    bad = {k: {n: 'the tall one' for n in v} for k, v in prompts.items()}
    path = tmp_path / 'prompts.json'
    path.write_text(json.dumps(bad))
    cfg = small_postal_cfg(postal_data)
    cfg.train_dataloader.dataset.prompt_file = str(path)
    with pytest.raises(ValueError, match='prompts.json.*the tall one'):
        tool.run(cfg, iters=1, eval_interval=1, log=lambda *a: None)

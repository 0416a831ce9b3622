import itertools
import math

import pytest
import torch

from mmfine.models import CSN


def _tiny(**kwargs):
    return CSN(depth=50, base_channels=8, stage_blocks=(1, 1, 1, 1), with_pool2=False, **kwargs)


@pytest.mark.parametrize('t, hw', list(itertools.product((4, 8), (32, 48))))
def test_shapes(t, hw):
    model = _tiny()
    model.init_weights()
    out = model(torch.rand(2, 3, t, hw, hw))
    # temporal strides (1, 2, 2, 2), spatial /32; strided convs round up
    assert out.shape == (2, 256, math.ceil(t / 8), math.ceil(hw / 32), math.ceil(hw / 32))


def test_init_cfg_really_loads_pretrained_weights(tmp_path):
    src = _tiny()
    src.init_weights()
    with torch.no_grad():
        for p in src.parameters():
            p.add_(torch.randn_like(p))
    path = str(tmp_path / 'recognizer.pth')
    torch.save({'state_dict': {f'backbone.{k}': v for k, v in src.state_dict().items()},
                'meta': {}}, path)
    model = _tiny(init_cfg=dict(type='Pretrained', checkpoint=path, prefix='backbone.'))
    scratch = _tiny()
    scratch.init_weights()
    model.init_weights()
    for (name, p), q in zip(model.state_dict().items(), src.state_dict().values()):
        torch.testing.assert_close(p, q, msg=name)
    assert not torch.equal(scratch.conv1.conv.weight, model.conv1.conv.weight)


def test_legacy_pretrained_argument_is_refused():
    with pytest.raises(ValueError, match='init_cfg'):
        CSN(depth=50, pretrained='x.pth')

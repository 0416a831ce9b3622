"""InceptionI3d: the release's shapes, kinetics_i3d_pytorch names, weights through init_cfg."""
import itertools

import pytest
import torch

from mmfine.models.backbones import InceptionI3d, convert_piergiaj_i3d
from mmfine.models.backbones.inception_i3d import ENDPOINTS, tf_same_padding
from mmfine.utils import register_all_modules

register_all_modules()

TAPS = ('conv3d_1a_7x7', 'conv3d_2c_3x3', 'mixed_3c', 'mixed_4f', 'mixed_5c', 'avg_pool')


def test_full_width_shapes_and_parameter_count():
    """16 x 112 x 112 snippets: the shapes of the facts sheet (2.1, 2.2) and the release's
    12,287,264 parameters without the logits layer."""
    m = InceptionI3d(out_endpoints=TAPS).eval()
    assert sum(p.numel() for p in m.parameters()) == 12_287_264
    with torch.no_grad():
        out = m(torch.randn(1, 3, 16, 112, 112))
    assert out['conv3d_1a_7x7'].shape == (1, 64, 8, 56, 56)
    assert out['conv3d_2c_3x3'].shape == (1, 192, 8, 28, 28)
    assert out['mixed_3c'].shape == (1, 480, 8, 14, 14)
    assert out['mixed_4f'].shape == (1, 832, 4, 7, 7)
    assert out['mixed_5c'].shape == (1, 1024, 2, 4, 4)
    assert out['avg_pool'].shape == (1, 1024, 1, 1, 1)
    assert m.channels['mixed_4f'] == 832 and m.out_channels == 1024


def test_kinetics_i3d_pytorch_names():
    keys = set(InceptionI3d().state_dict())
    for k in ('conv3d_1a_7x7.conv3d.weight', 'conv3d_1a_7x7.batch3d.running_var',
              'conv3d_2c_3x3.batch3d.bias', 'mixed_3b.branch_0.conv3d.weight',
              'mixed_3b.branch_1.1.conv3d.weight', 'mixed_4f.branch_2.0.batch3d.weight',
              'mixed_5c.branch_3.1.conv3d.weight'):
        assert k in keys
    assert not any(k.startswith('conv3d_0c_1x1') for k in keys)  # logits not built
    assert not any('bias' in k for k in keys if '.conv3d.' in k)  # convs without bias


@pytest.mark.parametrize('width,t,hw',
                         list(itertools.product((0.125, 0.25), (8, 16), (64, 112))))
def test_small_widths_sweep(width, t, hw):
    m = InceptionI3d(out_endpoints=('mixed_4f', 'mixed_5c'), width=width,
                     avg_pool_kernel=(1, 1, 1)).eval()
    with torch.no_grad():
        out = m(torch.randn(2, 3, t, hw, hw))
    assert out['mixed_4f'].shape == (2, m.channels['mixed_4f'], t // 4, hw // 16, hw // 16)
    assert out['mixed_5c'].shape[1] == m.out_channels


def test_tf_same_padding():
    # the release's static rule: k - s in total, the extra one after (7, s2 -> 2 + 3)
    assert tf_same_padding((7, 7, 7), (2, 2, 2)) == (2, 3, 2, 3, 2, 3)
    assert tf_same_padding((3, 3, 3), (1, 1, 1)) == (1, 1, 1, 1, 1, 1)
    # TensorFlow's exact rule depends on the input: 7 / s2 on an odd size pads 6 in total
    assert tf_same_padding((7, 7, 7), (2, 2, 2), (15, 15, 15)) == (3, 3, 3, 3, 3, 3)
    assert tf_same_padding((7, 7, 7), (2, 2, 2), (16, 16, 16)) == (2, 3, 2, 3, 2, 3)
    m = InceptionI3d(out_endpoints=('conv3d_1a_7x7', ), width=0.125, padding='dynamic')
    assert m(torch.randn(1, 3, 15, 33, 33)).shape[2:] == (8, 17, 17)
    with pytest.raises(ValueError):
        InceptionI3d(padding='valid')
    with pytest.raises(ValueError):
        InceptionI3d(out_endpoints=('logits', ))


def test_checkpoint_is_really_loaded_through_init_cfg(tmp_path):
    src = InceptionI3d(width=0.125)
    for p in src.parameters():
        torch.nn.init.normal_(p)
    path = str(tmp_path / 'model_rgb.pth')
    torch.save(src.state_dict(), path)  # a bare state dict, as model_rgb.pth
    dst = InceptionI3d(width=0.125, init_cfg=dict(type='Pretrained', checkpoint=path))
    assert not torch.equal(dst.mixed_4b.branch_1[1].conv3d.weight,
                           src.mixed_4b.branch_1[1].conv3d.weight)
    dst.init_weights()
    for (k, a), b in zip(src.state_dict().items(), dst.state_dict().values()):
        assert torch.equal(a, b), k


def test_piergiaj_converter_round_trip(tmp_path, tool_module):
    ours = InceptionI3d(width=0.125).state_dict()
    inverse = {'branch_0': 'b0', 'branch_1.0': 'b1a', 'branch_1.1': 'b1b', 'branch_2.0': 'b2a',
               'branch_2.1': 'b2b', 'branch_3.1': 'b3b'}

    def to_piergiaj(k):
        k = k.replace('batch3d', 'bn')
        if k.startswith('conv3d_'):
            return 'Conv3d_' + k[len('conv3d_'):]
        block, rest = k.split('.', 1)
        for a, b in inverse.items():
            if rest.startswith(a + '.'):
                return f'Mixed_{block[len("mixed_"):]}.{b}.{rest[len(a) + 1:]}'
        raise AssertionError(k)

    theirs = {to_piergiaj(k): v for k, v in ours.items()}
    theirs['logits.conv3d.weight'] = torch.zeros(400, 128, 1, 1, 1)
    theirs['logits.conv3d.bias'] = torch.zeros(400)
    src, dst = str(tmp_path / 'rgb_imagenet.pt'), str(tmp_path / 'out.pth')
    torch.save(theirs, src)
    tool_module('tools/model_converters/i3d_piergiaj_to_mmfine.py').main([src, dst])
    m = InceptionI3d(width=0.125, bn_eps=1e-3, init_cfg=dict(type='Pretrained', checkpoint=dst))
    m.init_weights()
    for k, v in m.state_dict().items():
        assert torch.equal(v, ours[k]), k
    assert m.conv3d_1a_7x7.batch3d.eps == 1e-3
    with pytest.raises(KeyError, match='not a piergiaj'):
        convert_piergiaj_i3d({'fc.weight': torch.zeros(1)})


def test_frozen_stages_and_norm_eval():
    m = InceptionI3d(width=0.125, frozen_stages=4, norm_eval=True).train()
    frozen = [ENDPOINTS[i] for i in range(4)]
    for name in frozen:
        assert all(not p.requires_grad for p in getattr(m, name).parameters())
    assert all(p.requires_grad for p in m.mixed_3b.parameters())
    assert not m.mixed_5c.branch_0.batch3d.training
    m2 = InceptionI3d(width=0.125).train()
    assert m2.mixed_5c.branch_0.batch3d.training

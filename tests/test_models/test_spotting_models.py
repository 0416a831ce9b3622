"""E2E-Spot's pieces: GSM / TSM semantics, RegNet-Y, the BiGRU head, the Spotter, converters."""
import math

import numpy as np
import pytest
import torch

from mmfine.testing.e2e_spot_names import to_e2e_spot_names

from mmfine.models.backbones import RegNetY, convert_pycls_regnety, regnet_widths
from mmfine.models.heads import SpottingHead
from mmfine.models.layers import GateShift, TemporalShift
from mmfine.models.localizers import Spotter, convert_e2e_spot
from mmfine.utils import register_all_modules

register_all_modules()
TINY = dict(widths=[16, 32], depths=[1, 2], group_widths=[8, 8])


def _clips(B, T, C, H=2, W=2):
    """(B * T, C, H, W) whose value encodes (clip, frame, channel): 1000 b + 10 t + c + 1."""
    b, t, c = torch.meshgrid(torch.arange(B), torch.arange(T), torch.arange(C), indexing='ij')
    v = (1000 * b + 10 * t + c + 1).float()
    return v[..., None, None].expand(B, T, C, H, W).reshape(B * T, C, H, W)


def test_gsm_zero_gate_is_identity_up_to_the_interleave():
    gsm = GateShift(32, clip_len=4)
    assert gsm.fold == 8  # ceil((32 // 4) / 4) * 4
    x = _clips(2, 4, 32)
    y = gsm(x)
    order = [0, 2, 1, 3, 4, 6, 5, 7]  # E2E-Spot's interleave of the first fold channels
    assert torch.equal(y[:, :8], x[:, order])
    assert torch.equal(y[:, 8:], x[:, 8:])


def test_gsm_shift_directions_with_a_constant_gate():
    gsm = GateShift(16, clip_len=3)  # fold 4: group 1 = channels 0, 1; group 2 = 2, 3
    with torch.no_grad():
        gsm.conv3D.bias.fill_(math.atanh(0.5))  # weights zero: gate = 0.5 everywhere
    gsm.eval()
    x = _clips(1, 3, 16).view(1, 3, 16, 2, 2)
    y = gsm(x.view(3, 16, 2, 2)).view(1, 3, 16, 2, 2)
    x1, x2 = x[0, :, [0, 1]], x[0, :, [2, 3]]  # [T, 2, H, W]
    nxt = torch.cat([x1[1:], torch.zeros_like(x1[:1])])  # t receives t + 1
    prv = torch.cat([torch.zeros_like(x2[:1]), x2[:-1]])  # t receives t - 1
    want1 = 0.5 * nxt + 0.5 * x1
    want2 = 0.5 * prv + 0.5 * x2
    # after the interleave with fold / 4 = 1 channel per half the order is unchanged
    assert torch.allclose(y[0, :, [0, 1]], want1, atol=1e-5)
    assert torch.allclose(y[0, :, [2, 3]], want2, atol=1e-5)
    assert torch.equal(y[0, :, 4:], x[0, :, 4:])


def _gsm_reference(gsm, x):
    """E2E-Spot's ``_GSM`` step by step on (B, C, T, H, W), with torch's Conv3d / BatchNorm3d
    (our statement of the release's code)."""
    f, T = gsm.fold, gsm.clip_len
    B = x.shape[0] // T
    v = x[:, :f].reshape(B, T, f, *x.shape[2:]).permute(0, 2, 1, 3, 4)  # [B, f, T, H, W]
    gate = torch.tanh(gsm.conv3D(torch.relu(gsm.bn(v))))
    g1, g2 = gate[:, :1], gate[:, 1:]
    x1, x2 = v[:, :f // 2], v[:, f // 2:]
    y1, y2 = g1 * x1, g2 * x2
    z = torch.zeros_like(y1[:, :, :1])
    y1 = torch.cat([y1[:, :, 1:], z], 2) + (x1 - y1)
    y2 = torch.cat([z, y2[:, :, :-1]], 2) + (x2 - y2)
    H, W = x.shape[2:]
    y1 = y1.view(B, 2, f // 4, T, H, W).permute(0, 2, 1, 3, 4, 5).reshape(B, f // 2, T, H, W)
    y2 = y2.view(B, 2, f // 4, T, H, W).permute(0, 2, 1, 3, 4, 5).reshape(B, f // 2, T, H, W)
    y = torch.cat([y1, y2], 1).permute(0, 2, 1, 3, 4).reshape(B * T, f, H, W)
    return torch.cat([y, x[:, f:]], 1)


@pytest.mark.parametrize('channels, train', [(32, True), (48, False), (368, True)])
def test_gsm_matches_the_release_computation(channels, train):
    torch.manual_seed(0)
    gsm = GateShift(channels, clip_len=5)
    with torch.no_grad():
        gsm.conv3D.weight.normal_(0, 0.3)
        gsm.conv3D.bias.normal_(0, 0.3)
        gsm.bn.running_mean.normal_()
        gsm.bn.weight.uniform_(0.5, 1.5)
    gsm.train(train)
    ref = GateShift(channels, clip_len=5)
    ref.load_state_dict(gsm.state_dict())
    ref.train(train)
    # float64: in float32 the two orders of computation differ by up to 1.6e-5 at 368 channels
    # on some CPUs (rounding only), which a float32 tolerance cannot separate from a real error.
    gsm.double()
    ref.double()
    x = torch.randn(10, channels, 3, 4, dtype=torch.float64, requires_grad=True)
    x2 = x.detach().clone().requires_grad_(True)
    y, want = gsm(x), _gsm_reference(ref, x2)
    assert torch.allclose(y, want, rtol=0, atol=1e-10)
    y.square().sum().backward()
    want.square().sum().backward()
    assert torch.allclose(x.grad, x2.grad, rtol=1e-9, atol=1e-9)
    assert torch.allclose(gsm.conv3D.weight.grad, ref.conv3D.weight.grad, rtol=1e-9, atol=1e-8)
    if train:
        assert torch.allclose(gsm.bn.running_mean, ref.bn.running_mean, rtol=0, atol=1e-12)


def test_gsm_needs_whole_clips():
    with pytest.raises(ValueError, match='whole number of clips'):
        GateShift(16, clip_len=4)(torch.zeros(6, 16, 2, 2))


def test_tsm_shifts_one_eighth_each_way():
    tsm = TemporalShift(16, clip_len=3)  # fold 2
    x = _clips(2, 3, 16)
    y = tsm(x).view(2, 3, 16, 2, 2)
    v = x.view(2, 3, 16, 2, 2)
    assert torch.equal(y[:, :2, :2], v[:, 1:, :2]) and (y[:, 2, :2] == 0).all()
    assert torch.equal(y[:, 1:, 2:4], v[:, :2, 2:4]) and (y[:, 0, 2:4] == 0).all()
    assert torch.equal(y[:, :, 4:], v[:, :, 4:])


@pytest.mark.parametrize('arch, widths, depths, trunk, gsm_params, feat', [
    ('200mf', [24, 56, 152, 368], [1, 1, 4, 7], 2_793_996, 21_602, 368),
    ('800mf', [64, 128, 320, 768], [1, 3, 8, 2], 5_494_168, 27_636, 768),
])
def test_regnety_architecture_and_parameter_counts(arch, widths, depths, trunk, gsm_params,
                                                   feat):
    from mmfine.models.backbones.regnety import ARCH_SETTINGS
    w, d, _ = regnet_widths(**ARCH_SETTINGS[arch])
    assert (w, d) == (widths, depths)
    net = RegNetY(arch)
    assert sum(p.numel() for p in net.parameters()) == trunk
    assert net.feat_dim == feat
    shifted = RegNetY(arch, temporal_shift='gsm', clip_len=4)
    assert sum(p.numel() for p in shifted.parameters()) - trunk == gsm_params
    # SE width from the block's input width: 200MF s2.b1 (56 wide, 24 in) has 6
    if arch == '200mf':
        assert net.s2.b1.se.fc1.out_channels == 6 and net.s3.b2.se.fc1.out_channels == 38


def test_regnety_output_stride_and_timm_names():
    net = RegNetY('200mf').eval()
    with torch.no_grad():
        x = torch.randn(1, 3, 224, 398)
        h = net.stem(x)
        for i in range(4):
            h = getattr(net, f's{i + 1}')(h)
    assert h.shape[-2:] == (7, 13)
    names = set(net.state_dict())
    for k in ('stem.conv.weight', 'stem.bn.running_mean', 's1.b1.conv1.conv.weight',
              's1.b1.se.fc1.bias', 's2.b1.downsample.conv.weight', 's4.b7.conv3.bn.weight'):
        assert k in names, k


def test_regnety_frozen_stages_and_norm_eval():
    """``frozen_stages`` counts the stem as stage 1 (mmdet's convention for RegNet: frozen
    modules stay in eval mode without gradients); ``norm_eval`` keeps every BN's statistics."""
    m = RegNetY(dict(TINY), stem_channels=8, frozen_stages=2, norm_eval=True).train()
    for mod in (m.stem, m.s1):
        assert all(not p.requires_grad for p in mod.parameters()) and not mod.training
    assert all(p.requires_grad for p in m.s2.parameters()) and m.s2.training
    bns = [x for x in m.modules() if isinstance(x, torch.nn.BatchNorm2d)]
    assert bns and not any(b.training for b in bns)
    m2 = RegNetY(dict(TINY), stem_channels=8, frozen_stages=1).train()
    assert not m2.stem.training and m2.s1.training
    assert all(b.training for b in m2.s1.modules() if isinstance(b, torch.nn.BatchNorm2d))


def test_pycls_names_convert_to_timm_names(tmp_path, tool_module):
    net = RegNetY(dict(TINY))
    inverse = {'downsample.conv': 'proj', 'downsample.bn': 'bn', 'conv1.conv': 'f.a',
               'conv1.bn': 'f.a_bn', 'conv2.conv': 'f.b', 'conv2.bn': 'f.b_bn',
               'se.fc1': 'f.se.f_ex.0', 'se.fc2': 'f.se.f_ex.2', 'conv3.conv': 'f.c',
               'conv3.bn': 'f.c_bn'}
    pycls = {}
    for k, v in net.state_dict().items():
        parts = k.split('.')
        if parts[0] == 'stem':
            pycls[k] = v
        else:
            pycls['.'.join(parts[:2] + [inverse['.'.join(parts[2:4])]] + parts[4:])] = v
    assert 's1.b1.f.a.weight' in pycls and 's1.b1.f.se.f_ex.0.bias' in pycls
    out = convert_pycls_regnety(pycls)
    assert set(out) == set(net.state_dict())
    with pytest.raises(KeyError, match='not a pycls RegNet parameter'):
        convert_pycls_regnety({'s1.b1.f.zz.weight': torch.zeros(1)})
    # the converter CLI: pycls' file layout (the weights under 'model_state') in, a checkpoint
    # that loads strictly out
    src, dst = str(tmp_path / 'RegNetY-tiny_dds_8gpu.pyth'), str(tmp_path / 'out.pth')
    torch.save(dict(model_state=pycls, epoch=99), src)
    tool_module('tools/model_converters/pycls_regnety_to_timm.py').main([src, dst])
    ckpt = torch.load(dst, weights_only=True)
    assert ckpt['meta']['source'] == 'RegNetY-tiny_dds_8gpu.pyth'
    fresh = RegNetY(dict(TINY))
    fresh.load_state_dict(ckpt['state_dict'], strict=True)
    assert all(torch.equal(a, b) for a, b in zip(fresh.state_dict().values(),
                                                 net.state_dict().values()))


def _spotter(shift='gsm', clip_len=8, k=3):
    return Spotter(backbone=dict(type='RegNetY', arch=dict(TINY), stem_channels=8,
                                 temporal_shift=shift, clip_len=clip_len),
                   head=dict(type='SpottingHead', num_classes=k))


def test_e2e_spot_checkpoint_round_trip():
    """A state dict in E2E-Spot's names (timm RegNet in ``_features``, the shift wrappers'
    ``conv1.net`` / ``conv1.gsm``, ``_pred_fine._gru`` / ``_fc_out._fc_out``) converts and
    loads strictly, giving the same outputs."""
    torch.manual_seed(0)
    src = _spotter().eval()
    e2e = to_e2e_spot_names(src.state_dict())
    assert '_features.s1.b1.conv1.gsm.conv3D.weight' in e2e
    assert '_features.s1.b1.conv1.net.conv.weight' in e2e
    dst = _spotter().eval()
    dst.load_state_dict(convert_e2e_spot(e2e), strict=True)
    x = torch.randn(2, 8, 3, 32, 32)
    with torch.no_grad():
        assert torch.allclose(src(x), dst(x))
    with pytest.raises(KeyError, match='not an E2E-Spot'):
        convert_e2e_spot({'_pred_fine._tcn.weight': torch.zeros(1)})


def test_head_loss_hard_and_soft_targets_match_torch():
    head = SpottingHead(16, num_classes=3, fg_weight=5.0)
    logits = torch.randn(2, 5, 4)
    hard = torch.tensor([[0, 1, 0, 3, 0], [2, 0, 0, 0, 1]])
    w = torch.tensor([1.0, 5, 5, 5])
    lp = logits.log_softmax(-1).reshape(-1, 4)
    want = -(w[hard.reshape(-1)] * lp[torch.arange(10), hard.reshape(-1)]).sum() / \
        w[hard.reshape(-1)].sum()
    assert torch.allclose(head.loss(logits, hard)['loss_cls'], want)
    soft = torch.nn.functional.one_hot(hard, 4).float() * 0.7 + 0.3 / 4
    want_soft = -(soft.reshape(-1, 4) * w * lp).sum(1).mean()
    assert torch.allclose(head.loss(logits, soft)['loss_cls'], want_soft)
    assert head.hidden_dim == 16 and SpottingHead(1000, 3).hidden_dim == 768


def test_mixup_soft_labels_sum_to_one_and_switch_off():
    from mmaction.structures import ActionDataSample

    from mmfine.models.data_preprocessors import SpottingDataPreprocessor

    def batch():
        samples = []
        for i in range(3):
            s = ActionDataSample()
            s.gt_frame_labels = torch.tensor([0, i + 1, 0, 0])
            samples.append(s)
        clips = [torch.full((4, 3, 2, 2), 50 * i, dtype=torch.uint8) for i in range(3)]
        return dict(inputs=clips, data_samples=samples)

    torch.manual_seed(0)
    pre = SpottingDataPreprocessor(mixup_alpha=0.2, num_classes=3)
    out = pre(batch(), training=True)
    soft = torch.stack([s.gt_soft_labels for s in out['data_samples']])  # [B, T, K + 1]
    assert soft.shape == (3, 4, 4)
    assert torch.allclose(soft.sum(-1), torch.ones(3, 4))
    lam = soft[0, 1, 1]  # clip 0 mixed with clip 1
    assert torch.allclose(soft[0, 1, 2], 1 - lam)
    plain = SpottingDataPreprocessor(mixup_alpha=None)(batch(), training=True)
    assert all('gt_soft_labels' not in s for s in plain['data_samples'])
    test = pre(batch(), training=False)
    assert all('gt_soft_labels' not in s for s in test['data_samples'])


def test_spotter_loss_falls_and_predict_crops_to_the_video():
    from mmaction.structures import ActionDataSample
    torch.manual_seed(0)
    model = _spotter(clip_len=8)
    x = torch.randn(2, 8, 3, 32, 32)
    samples = []
    for b in range(2):
        s = ActionDataSample()
        s.gt_frame_labels = torch.tensor([0, 0, 1, 0, 0, 2, 0, 3])
        s.set_metainfo(dict(clip_start=-2, frame_valid=np.array([0, 0] + [1] * 6, bool)))
        samples.append(s)
    opt = torch.optim.AdamW(model.parameters(), 1e-2)
    first = None
    for _ in range(15):
        loss = model(x, samples, mode='loss')['loss_cls']
        first = first if first is not None else loss.item()
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert loss.item() < 0.5 * first
    model.eval()
    out = model(x, samples, mode='predict')
    assert out[0].pred_scores.shape == (6, 4)
    assert out[0].metainfo['pred_start'] == 0
    assert torch.allclose(out[0].pred_scores.sum(-1), torch.ones(6))
    # shorter clips are padded to the GSM clip length internally
    assert model(torch.randn(1, 5, 3, 32, 32)).shape == (1, 5, 4)

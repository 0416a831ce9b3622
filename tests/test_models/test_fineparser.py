"""FineParser: the pieces against the release's shapes and rules, losses, voting, ablations."""
import copy

import pytest
import torch
from mmaction.structures import ActionDataSample

from mmfine.models.heads import FineRegHead, PSNetHead
from mmfine.models.layers.aqa_blocks import (CrossAttentionDecoder, SnippetStepProjection,
                                             cut_frame_steps, cut_snippet_steps)
from mmfine.models.losses import BinaryFocalLoss
from mmfine.registry import MODELS
from mmfine.utils import register_all_modules

register_all_modules()

T, HW, EMB = 96, 32, 8
I3D = dict(width=1 / 16, avg_pool_kernel=(2, 1, 1))


def tiny_cfg(sap=True, tap=True, sve=True, **kw):
    c = 1024 // 16
    cfg = dict(
        type='FineParser',
        tap_backbone=dict(type='InceptionI3d', **I3D),
        sap=dict(type='SAPInceptionI3d', side_channels=4, **I3D) if sap else None,
        tap_head=dict(type='PSNetHead', in_features=c) if tap else None,
        sve=dict(type='mmdet.ResNet', depth=18, base_channels=8, num_stages=4,
                 out_indices=(3, ), norm_eval=False) if sve else None,
        finereg=dict(type='FineRegHead', embed_dims=EMB, num_heads=2, num_layers=1,
                     step_weights=(3, 5, 2) if tap else (1, ),
                     decoder_of_step=(0, 0, 1) if tap else (0, ), with_static=sve))
    cfg.update(kw)
    return cfg


def sample(score, trans, ex_scores, ex_trans, masks=True, keys=None):
    s = ActionDataSample()
    s.gt_score = torch.tensor(float(score))
    s.gt_transitions = torch.tensor(trans)
    s.exemplar_scores = torch.tensor(ex_scores, dtype=torch.float32)
    s.exemplar_transitions = torch.tensor(ex_trans)
    s.exemplar_has_steps = torch.ones(len(ex_scores), dtype=torch.bool)
    if masks:
        g = torch.zeros(T, HW, HW, dtype=torch.uint8)
        g[:, 8:20, 10:18] = 255
        s.gt_masks = g
        s.exemplar_masks = g[None].repeat(len(ex_scores), 1, 1, 1)
    s.set_metainfo(dict(key=('v', 0), has_steps=True,
                        exemplar_keys=keys or [('z', i) for i in range(len(ex_scores))]))
    return s


def batch(B=2, V=2, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randint(0, 255, (B, V, 3, T, HW, HW), generator=g).to(torch.uint8)
    samples = [sample(60 + 10 * b, [20 + b, 70], [55.0 + b] * (V - 1), [[25, 66]] * (V - 1))
               for b in range(B)]
    return dict(inputs=list(x), data_samples=samples)


# ---------------------------------------------------------------------------- pieces
def test_release_parameter_counts():
    assert sum(p.numel() for p in CrossAttentionDecoder(64, 8, 3).parameters()) == 149_760
    assert sum(p.numel() for p in SnippetStepProjection(4, 1024, 64).parameters()) == 673_704
    ps = PSNetHead()
    assert sum(p.numel() for p in ps.parameters()) == 128_846
    assert ps(torch.randn(2, 9, 1024)).shape == (2, 96, 2)
    reg = FineRegHead()
    assert sum(p.numel() for p in reg.regressor_v.parameters()) == 33_153
    assert len(reg.decoders_v) == 2 and len(reg.decoders_s) == 2  # 4 decoders, 6 pairs


def test_snippet_cut_release_offset():
    feats = torch.arange(9.)[None, :, None].repeat(1, 1, 3)  # snippet i has value i
    st, ed = torch.tensor([2]), torch.tensor([6])
    rel = cut_snippet_steps(feats, st, ed, 4, release_offset=True)[0, :, :, 0]
    paper = cut_snippet_steps(feats, st, ed, 4, release_offset=False)[0, :, :, 0]
    assert torch.allclose(rel[0], torch.tensor([0, 2 / 3, 4 / 3, 2]))  # [0, st]
    assert torch.allclose(rel[1], torch.tensor([2, 10 / 3, 14 / 3, 6]))  # [st, ed]
    assert rel[2, 0] == 5 and paper[2, 0] == 6  # the release's third step starts at ed - 1
    steps = cut_frame_steps(torch.arange(96.)[None, :, None], torch.tensor([30]),
                            torch.tensor([70]))
    assert [s.shape[1] for s in steps] == [36, 60, 48]
    assert steps[0][0, -1, 0] == 34 and steps[1][0, 0, 0] == 25 and steps[2][0, 0, 0] == 65


def test_focal_loss_matches_the_definition():
    logits = torch.tensor([2.0, -1.0, 0.5])
    target = torch.tensor([1.0, 0.0, 0.2])  # 0.2 rounds to background
    p = logits.sigmoid()
    pt = torch.stack([p[0], 1 - p[1], 1 - p[2]])
    expected = (-(1 - pt) ** 2 * pt.log()).mean()
    assert torch.allclose(BinaryFocalLoss()(logits, target), expected)
    a = BinaryFocalLoss(alpha=0.25)(logits, target)
    at = torch.tensor([0.25, 0.75, 0.75])
    assert torch.allclose(a, (-at * (1 - pt) ** 2 * pt.log()).mean())


def test_score_formulas():
    torch.manual_seed(0)
    toks = [torch.randn(2, 12, 64) for _ in range(3)]
    s = [torch.randn(2, 4, 64) for _ in range(3)]
    rel = FineRegHead(score_formula='release')
    pap = FineRegHead(score_formula='paper')
    pap.load_state_dict(rel.state_dict())
    d_rel = rel.relative_score(toks, toks, s, s)
    d_pap = pap.relative_score(toks, toks, s, s)
    v = rel._stream(rel.decoders_v, rel.regressor_v, toks, toks)
    st = rel._stream(rel.decoders_s, rel.regressor_s, s, s)
    assert torch.allclose(d_rel, (v + st) / 2) and torch.allclose(d_pap, v + st)
    assert torch.allclose(FineRegHead.predict(torch.tensor([1., -1.]), torch.tensor([80., 70.])),
                          torch.tensor(75., dtype=torch.float64))


def test_score_scale_multiplies_the_regressor_and_measures_the_loss_in_its_units():
    torch.manual_seed(0)
    toks = [torch.randn(2, 12, 64) for _ in range(3)]
    s = [torch.randn(2, 4, 64) for _ in range(3)]
    raw = FineRegHead()
    scaled = FineRegHead(score_scale=10.)
    scaled.load_state_dict(raw.state_dict())
    d_raw, d_scaled = raw.relative_score(toks, toks, s, s), scaled.relative_score(toks, toks, s, s)
    assert torch.allclose(d_scaled, 10 * d_raw)
    d12, d21 = scaled(toks, toks, s, s)
    y_x, y_z = torch.tensor([80., 31.]), torch.tensor([62., 55.])
    # MSE in units of 10 points = the raw-point MSE / 100, both directions
    expect = (((d12 - (y_x - y_z)) ** 2).mean() + ((d21 - (y_z - y_x)) ** 2).mean()) / 100
    assert torch.allclose(scaled.loss(d12, d21, y_x, y_z)['loss_reg'], expect)
    with pytest.raises(ValueError, match='score_scale'):
        FineRegHead(score_scale=0)


# ---------------------------------------------------------------------------- the model
def test_loss_and_its_terms_fall():
    torch.manual_seed(0)
    model = MODELS.build(tiny_cfg())
    model.init_weights()
    data = batch()
    optim = torch.optim.Adam(model.parameters(), lr=1e-3)
    hist = []
    for _ in range(12):
        proc = model.data_preprocessor(copy.deepcopy(data), True)
        losses = model(**proc, mode='loss')
        assert set(losses) == {'loss_tap', 'loss_sap', 'loss_reg'}
        assert all(v > 0 for v in losses.values())
        optim.zero_grad()
        sum(losses.values()).backward()
        optim.step()
        hist.append({k: v.item() for k, v in losses.items()})
    for k in hist[0]:
        assert hist[-1][k] < hist[0][k], (k, hist[0][k], hist[-1][k])


def test_predict_voting_and_cache_give_the_same_scores():
    torch.manual_seed(0)
    model = MODELS.build(tiny_cfg()).eval()
    data = batch(B=1, V=4)
    with torch.no_grad():
        a = model(**model.data_preprocessor(copy.deepcopy(data), False), mode='predict')[0]
        assert len(model._cache) == 3
        b = model(**model.data_preprocessor(copy.deepcopy(data), False), mode='predict')[0]
        model.cache_exemplars = False
        c = model(**model.data_preprocessor(copy.deepcopy(data), False), mode='predict')[0]
    for s in (b, c):
        assert torch.allclose(a.pred_score, s.pred_score, atol=1e-5)
    assert a.pred_deltas.shape == (3, ) and a.pred_transitions.shape == (3, 2)
    assert torch.allclose(a.pred_score, (a.pred_deltas.double() + a.voter_scores.double()).mean())
    assert a.pred_mask.shape == (T, HW, HW) and 0 <= a.pred_mask.min() <= a.pred_mask.max() <= 1
    assert (a.pred_transitions[:, 0] < 48).all() and (a.pred_transitions[:, 1] >= 48).all()
    model.train()
    assert not model._cache  # new weights, no stale voter features


@pytest.mark.parametrize('sap,tap,sve', [(True, False, False), (False, False, True),
                                          (False, True, False), (False, True, True)])
def test_ablations_build_without_the_disabled_modules(sap, tap, sve):
    model = MODELS.build(tiny_cfg(sap, tap, sve))
    names = [n for n, _ in model.named_parameters()]
    for mod, on in (('sap.', sap), ('tap_head.', tap), ('sve.', sve), ('s_proj.', sve),
                    ('finereg.decoders_s', sve)):
        assert any(n.startswith(mod) for n in names) == on, mod
    proc = model.data_preprocessor(batch(), True)
    losses = model(**proc, mode='loss')
    assert ('loss_sap' in losses) == sap and ('loss_tap' in losses) == tap
    model.eval()
    with torch.no_grad():
        out = model(**model.data_preprocessor(batch(B=1, V=3), False), mode='predict')[0]
    assert out.pred_score.shape == () and ('pred_transitions' in out) == tap


def test_inconsistent_configs_are_refused():
    with pytest.raises(ValueError, match='3 with a tap_head'):
        MODELS.build(tiny_cfg(tap=True, finereg=dict(type='FineRegHead', embed_dims=EMB,
                                                     num_heads=2, step_weights=(1, ),
                                                     decoder_of_step=(0, ))))
    with pytest.raises(ValueError, match='needs an sve'):
        MODELS.build(tiny_cfg(sve=False, finereg=dict(type='FineRegHead', embed_dims=EMB,
                                                      num_heads=2, with_static=True)))


def test_mask_prior_starts_the_fused_map_at_the_prior():
    torch.manual_seed(0)
    x = torch.randn(2, 3, 16, HW, HW)
    sap = MODELS.build(dict(type='SAPInceptionI3d', side_channels=4, mask_prior=0.01, **I3D))
    sap.init_weights()
    fused = sap(x)['masks'][-1].sigmoid()
    assert torch.allclose(fused, torch.full_like(fused, 0.01), atol=2e-3)
    release = MODELS.build(dict(type='SAPInceptionI3d', side_channels=4, **I3D))
    assert torch.allclose(release(x)['masks'][-1].sigmoid(), torch.tensor(0.5), atol=2e-2)
    with pytest.raises(ValueError, match='mask_prior'):
        MODELS.build(dict(type='SAPInceptionI3d', mask_prior=1.0, **I3D))


def test_sap_folded_fuse_equals_the_release_cat_and_fuse():
    """M_fuse computed with the fuse weights folded into the up1 kernels equals the release's
    fuse(cat(M_up1_1..4)) (values and every parameter's gradient, float64), on CPU and through
    the native transposed convolution (the path other devices take)."""
    import torch.nn.functional as F

    from mmfine.models.backbones.inception_i3d import InceptionI3d
    from mmfine.models.backbones.sap_i3d import SIDE_TAPS
    torch.manual_seed(0)
    sap = MODELS.build(dict(type='SAPInceptionI3d', side_channels=4, mask_prior=0.01, **I3D))
    sap = sap.double().train()
    with torch.no_grad():  # break the bilinear / diagonal structure of the initialisation
        for p in [*sap.up1.parameters(), *sap.fuse.parameters()]:
            p.add_(torch.randn_like(p))
    x = torch.randn(2, 3, 16, HW, HW, dtype=torch.float64)
    probe = torch.randn(2, 1, 16, HW, HW, dtype=torch.float64)

    def release():
        taps = InceptionI3d.forward(sap, x)
        up1 = [F.conv_transpose3d(sap.side_prep[j](taps[n]), sap.up1[j].weight,
                                  stride=sap.up1[j].stride, padding=sap.up1[j].padding)
               for j, (n, _) in enumerate(SIDE_TAPS)]
        return sap.fuse(torch.cat(up1, 1))

    def grads(fused):
        sap.zero_grad()
        (fused * probe).sum().backward()
        return {n: p.grad.clone() for n, p in sap.named_parameters() if p.grad is not None}

    ref = release()
    ref_grads = grads(ref)
    ours = sap(x)['masks'][-1]
    assert ours.shape == ref.shape == (2, 1, 16, HW, HW)
    assert torch.allclose(ours, ref, atol=1e-10, rtol=0)
    assert ref.abs().max() > 1e-2  # not a vacuous comparison
    ours_grads = grads(sap(x)['masks'][-1] * 1.0)
    assert ours_grads.keys() == ref_grads.keys()
    assert any(k.startswith('up1') for k in ours_grads) and 'fuse.weight' in ours_grads
    for k in ref_grads:
        assert torch.allclose(ours_grads[k], ref_grads[k], atol=1e-10, rtol=1e-9), k
    # the native path (CUDA's) and the release's unfolded fuse give the same
    for subpixel, fold_fuse in [(False, True), (True, False), (False, False)]:
        for m in [*sap.up1, *sap.up2]:
            m.subpixel = subpixel
        sap.fold_fuse = fold_fuse
        assert torch.allclose(sap(x)['masks'][-1], ref, atol=1e-10, rtol=0), (subpixel,
                                                                              fold_fuse)


def test_invalid_mask_frames_add_nothing_to_the_sap_loss():
    """Frames whose ground-truth mask is marked invalid (MTL-AQA frames outside FineDiving's
    window) do not change L_SAP, whatever their mask."""
    torch.manual_seed(0)
    cfg = tiny_cfg(tap=False, sve=False,
                   finereg=dict(type='FineRegHead', embed_dims=EMB, num_heads=2, num_layers=1,
                                step_weights=(1, ), decoder_of_step=(0, ), with_static=False))
    cfg['sap']['mask_prior'] = 0.05  # p != 0.5: flipping a target changes its loss
    model = MODELS.build(cfg)
    model.init_weights()
    data = batch()
    valid = torch.ones(T, dtype=torch.bool)
    valid[:40] = False
    for s in data['data_samples']:
        s.gt_mask_valid = valid
        s.exemplar_mask_valid = valid[None]
    a = model(**model.data_preprocessor(copy.deepcopy(data), True), mode='loss')['loss_sap']
    for s in data['data_samples']:
        s.gt_masks = s.gt_masks.clone()
        s.gt_masks[:30] = 255 - s.gt_masks[:30]  # only frames before 40: all invalid
    b = model(**model.data_preprocessor(copy.deepcopy(data), True), mode='loss')['loss_sap']
    assert torch.allclose(a, b)
    for s in data['data_samples']:
        s.gt_masks[60:] = 0  # valid frames: the loss changes
    c = model(**model.data_preprocessor(copy.deepcopy(data), True), mode='loss')['loss_sap']
    assert not torch.allclose(a, c)

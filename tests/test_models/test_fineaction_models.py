"""Multi-scale BMN (FineAction baseline): neck, head, localizer, post-processing."""
import itertools
import math

import pytest
import torch
from mmaction.structures import ActionDataSample

from mmfine.models.heads import BMNHead
from mmfine.models.localizers import MultiScaleBMN
from mmfine.models.necks import MultiScaleTransformerNeck
from mmfine.models.task_modules import BMNPostProcessor, batched_temporal_soft_nms

TINY_HEAD = dict(type='BMNHead', num_samples=4, hidden_dim_1d=16, hidden_dim_2d=8,
                 hidden_dim_3d=16)


def tiny_model(levels=3, T=32, num_classes=3, seed=0):
    torch.manual_seed(seed)
    dims = [math.ceil(T / 2 ** i) for i in range(levels)]
    return MultiScaleBMN(
        neck=dict(type='MultiScaleTransformerNeck', in_channels=8, embed_dims=16,
                  num_levels=levels, num_heads=2, dropout=0.0),
        head=dict(TINY_HEAD, in_channels=16, temporal_dims=dims, max_duration=T // 2,
                  num_classes=num_classes),
        post_processor=dict(type='BMNPostProcessor', top_k=20),
        data_preprocessor=dict(type='TemporalFeaturePreprocessor', pad_to=T))


def samples(n, seed=0):
    g = torch.Generator().manual_seed(seed)
    out = []
    for i in range(n):
        s = ActionDataSample(metainfo=dict(video_name=f'v{i}', duration=20.0))
        start = torch.rand(2, generator=g) * 15
        s.gt_segments = torch.stack([start, start + 1 + torch.rand(2, generator=g) * 4], 1)
        s.gt_labels = torch.randint(0, 3, (2, ), generator=g)
        out.append(s)
    return out


@pytest.mark.parametrize('T, levels, embed', list(itertools.product([16, 37, 100], [1, 3, 5],
                                                                     [8, 32])))
def test_neck_shapes(T, levels, embed):
    neck = MultiScaleTransformerNeck(6, embed_dims=embed, num_levels=levels, num_heads=2)
    feats, masks = neck(torch.randn(2, 6, T), torch.ones(2, T, dtype=torch.bool))
    assert [f.shape for f in feats] == [(2, embed, math.ceil(T / 2 ** i)) for i in range(levels)]
    assert [m.shape for m in masks] == [(2, math.ceil(T / 2 ** i)) for i in range(levels)]


def test_neck_ignores_padding():
    """A sequence padded (with a mask) gives the same valid outputs as alone."""
    neck = MultiScaleTransformerNeck(6, embed_dims=16, num_levels=3, num_heads=2,
                                     dropout=0.0).eval()
    x = torch.randn(1, 6, 40)
    alone, _ = neck(x, torch.ones(1, 40, dtype=torch.bool))
    padded = torch.cat([x, torch.zeros(1, 6, 24)], dim=2)
    mask = torch.arange(64)[None] < 40
    out, masks = neck(padded, mask)
    for a, b, m in zip(alone, out, masks):
        torch.testing.assert_close(b[..., m[0]], a, atol=1e-5, rtol=1e-5)
        assert torch.all(b[..., ~m[0]] == 0)


def test_head_levels_and_durations():
    head = BMNHead(16, [100, 50, 25, 13, 7], max_duration=50, num_samples=4, hidden_dim_1d=16,
                   hidden_dim_2d=8, hidden_dim_3d=16, num_classes=5)
    assert head.max_durations == [50, 25, 13, 7, 4]
    outs = head([torch.randn(2, 16, t) for t in head.temporal_dims])
    for o, t, d in zip(outs, head.temporal_dims, head.max_durations):
        assert o['start'].shape == (2, t) and o['bm'].shape == (2, 2, d, t)
        assert o['cls_logits'].shape == (2, 5, d, t)
    with pytest.raises(ValueError, match='level 0 has 99 steps'):
        head([torch.randn(2, 16, 99)] + [torch.randn(2, 16, t) for t in head.temporal_dims[1:]])
    # the sampling matrices are derived, not checkpoint entries
    assert not any('sample_mask' in k for k in head.state_dict())


def test_loss_without_ground_truth_and_training_reduces_it():
    model = tiny_model()
    data = dict(inputs=[torch.randn(8, 32) for _ in range(4)], data_samples=samples(4))
    empty = samples(1)
    empty[0].gt_segments, empty[0].gt_labels = torch.zeros(0, 2), torch.zeros(0).long()
    d = model.data_preprocessor(dict(inputs=[torch.randn(8, 32)], data_samples=empty), True)
    losses = model(**d, mode='loss')
    assert all(torch.isfinite(v) for v in losses.values())
    assert losses['loss_cls'] == 0  # no positive proposal
    opt = torch.optim.Adam(model.parameters(), 3e-3)
    first = None
    for _ in range(40):
        d = model.data_preprocessor(data, True)
        loss = sum(model(**d, mode='loss').values())
        first = float(loss.detach()) if first is None else first
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert float(loss.detach()) < 0.7 * first


@pytest.mark.parametrize('levels', [1, 3])
def test_batch_predictions_equal_single(levels):
    model = tiny_model(levels=levels).eval()
    feats = [torch.randn(8, 32) for _ in range(3)]
    with torch.no_grad():
        batch = model(**model.data_preprocessor(dict(inputs=feats, data_samples=samples(3)),
                                                False), mode='predict')
        for i in range(3):
            one = model(**model.data_preprocessor(
                dict(inputs=[feats[i]], data_samples=[samples(3)[i]]), False), mode='predict')[0]
            torch.testing.assert_close(batch[i].pred_segments, one.pred_segments)
            torch.testing.assert_close(batch[i].pred_scores, one.pred_scores)
            assert torch.equal(batch[i].pred_labels, one.pred_labels)
            assert len(one.pred_scores) == 20
            assert torch.all(one.pred_scores[:-1] >= one.pred_scores[1:])
            assert one.pred_segments.min() >= 0 and one.pred_segments.max() <= 20.0


def test_variable_length_padded_in_batch_equals_alone():
    """Variable-length mode (no rescale): a 20-step video padded to the head's 32 steps with a
    mask gives the same proposals in a batch as alone, all inside its own duration."""
    model = tiny_model(levels=2, T=32).eval()
    feats = [torch.randn(8, 32), torch.randn(8, 20)]
    s = samples(2)
    with torch.no_grad():
        batch = model(**model.data_preprocessor(dict(inputs=feats, data_samples=s), False),
                      mode='predict')
        alone = model(**model.data_preprocessor(dict(inputs=feats[1:], data_samples=s[1:]),
                                                False), mode='predict')[0]
    torch.testing.assert_close(batch[1].pred_segments, alone.pred_segments)
    torch.testing.assert_close(batch[1].pred_scores, alone.pred_scores)
    # 20 valid steps = the whole 20 s video: proposals end inside it, some near its end
    assert alone.pred_segments.max() <= 20.0 and alone.pred_segments.max() > 15.0


def test_boundary_candidates_rule():
    prob = torch.tensor([[0.1, 0.5, 0.2, 0.3, 0.25, 0.9, 0.1, 0.2]])
    L = torch.tensor([8])
    # starts: step 0; peaks 1, 3, 5; above 0.45 (half of max 0.9): 1, 5; never the last step
    assert BMNPostProcessor.boundary_candidates(prob, L, 'first').nonzero()[:, 1].tolist() == \
        [0, 1, 3, 5]
    # ends: the same inner steps plus the last valid step
    assert BMNPostProcessor.boundary_candidates(prob, L, 'last').nonzero()[:, 1].tolist() == \
        [1, 3, 5, 7]
    # with 6 valid steps the last valid one is 5 and the maximum is over those steps
    assert BMNPostProcessor.boundary_candidates(prob, torch.tensor([6]), 'last').nonzero()[
        :, 1].tolist() == [1, 3, 5]


def test_soft_nms_hand_computed():
    # A [0, .4] score .9; B [.1, .4] overlaps A: iou = .3 / .4 = .75 > .5 + .4 * .4 = .66
    # -> B decays to .8 * exp(-.75^2 / .4); C [.6, .7] is far: kept as is
    tmin = torch.tensor([[0.0, 0.1, 0.6]], dtype=torch.float64)
    tmax = torch.tensor([[0.4, 0.4, 0.7]], dtype=torch.float64)
    score = torch.tensor([[0.9, 0.8, 0.5]], dtype=torch.float64)
    index, picked, taken = batched_temporal_soft_nms(tmin, tmax, score,
                                                     torch.ones(1, 3, dtype=torch.bool))
    assert index[0].tolist() == [0, 2, 1] and taken.all()
    assert picked[0].tolist() == pytest.approx([0.9, 0.5, 0.8 * math.exp(-0.75 ** 2 / 0.4)])


def test_fusion_rules():
    """'assign': boundaries from level 0, a duration of n steps from level floor(log2(n / 8));
    'mean': averages of the levels that can represent the entry."""
    model = tiny_model(levels=2, T=32)  # level 0: T 32, D 16; level 1: T 16, D 8
    outs = [dict(start=torch.zeros(1, 32), end=torch.zeros(1, 32), bm=torch.zeros(1, 2, 16, 32)),
            dict(start=torch.ones(1, 16), end=torch.ones(1, 16), bm=torch.ones(1, 2, 8, 16))]
    fused = model.fuse(outs)
    assert fused['start'].eq(0).all() and fused['end'].eq(0).all()
    # n = d + 1 = 16 steps -> level 1 (16 / 8 = 2); shorter ones stay on level 0
    assert fused['bm'][0, :, 15].eq(1).all() and fused['bm'][0, :, :15].eq(0).all()
    model.fusion = 'mean'
    fused = model.fuse(outs)
    assert torch.allclose(fused['start'], torch.full((1, 32), 0.5))
    # level 1 represents n = 2 .. 16 (v = n / 2 - 1 in [0, 7]): those average to 0.5
    assert fused['bm'][0, :, 0].eq(0).all() and torch.allclose(fused['bm'][0, :, 1:],
                                                               torch.full((2, 15, 32), 0.5))
    with pytest.raises(ValueError, match="fusion must be 'assign' or 'mean'"):
        MultiScaleBMN(head=dict(TINY_HEAD, in_channels=8, temporal_dims=[8]), fusion='max')


def test_head_classification_loss_is_built_from_config():
    """loss_cls is a config dict (mmdet CrossEntropyLoss by default): its loss_weight scales the
    classification loss and leaves the BMN losses alone."""
    torch.manual_seed(0)
    kw = dict(in_channels=16, temporal_dims=[32, 16], num_samples=4, hidden_dim_1d=16,
              hidden_dim_2d=8, hidden_dim_3d=16, num_classes=3)
    one = BMNHead(**kw)
    two = BMNHead(**kw, loss_cls=dict(type='mmdet.CrossEntropyLoss', loss_weight=2.0))
    two.load_state_dict(one.state_dict())
    feats = [torch.randn(2, 16, 32), torch.randn(2, 16, 16)]
    masks = [torch.ones(2, 32, dtype=torch.bool), torch.ones(2, 16, dtype=torch.bool)]
    gt = torch.tensor([[[0.1, 0.3]], [[0.5, 0.9]]])
    args = (feats, masks, gt, torch.ones(2, 1, dtype=torch.bool), torch.tensor([[1], [2]]))
    a, b = one.loss(*args), two.loss(*args)
    assert float(a['loss_cls'].detach()) > 0
    torch.testing.assert_close(b['loss_cls'], 2 * a['loss_cls'])
    torch.testing.assert_close(b['loss_tem'], a['loss_tem'])
    assert BMNHead(**dict(kw, num_classes=0)).loss_cls is None


def test_temporal_dims_are_derived_from_pad_to_and_the_neck():
    neck = dict(type='MultiScaleTransformerNeck', in_channels=8, embed_dims=16, num_levels=4,
                num_heads=2, ffn_ratio=1, dropout=0.0)
    pre = dict(type='TemporalFeaturePreprocessor', pad_to=27)
    m = MultiScaleBMN(head=dict(TINY_HEAD, in_channels=16), neck=neck, data_preprocessor=pre)
    assert m.head.temporal_dims == [27, 14, 7, 4]  # the neck's ceil halving
    one = MultiScaleBMN(head=dict(TINY_HEAD, in_channels=8), data_preprocessor=pre)
    assert one.head.temporal_dims == [27]
    feats, _ = m.neck(torch.randn(1, 8, 27), torch.ones(1, 27, dtype=torch.bool))
    assert [f.shape[-1] for f in feats] == m.head.temporal_dims
    with pytest.raises(ValueError, match='pad_to'):
        MultiScaleBMN(head=dict(TINY_HEAD, in_channels=8))

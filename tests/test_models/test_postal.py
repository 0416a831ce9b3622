"""PoSTAL components: text encoder, PTA, ATD head (matching semantics, shapes), model."""
import copy
import itertools
import os.path as osp

import numpy as np
import pytest
import torch
from mmaction.structures import ActionDataSample
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmengine.structures import InstanceData

from mmfine.registry import MODELS, TASK_UTILS
from mmfine.utils import register_all_modules

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SYNTH = osp.join(REPO, 'configs/postal/postal_tiny_1xb8-4x2-2e_finesports-synthetic.py')
PROMPT = 'a player wearing a white jersey number 35'
register_all_modules(init_default_scope=False)


def _build(cfg):
    with DefaultScope.overwrite_default_scope('mmfine'):
        return MODELS.build(cfg)


def _small_cfg(T=4, N=3, L=1, neck=True, paper=False):
    """The synthetic config's model, smaller; ``paper=True``: the paper's components (PTA
    with contains-target from the fused features, ATDHead, no target map)."""
    cfg = Config.fromfile(SYNTH).model
    cfg.backbone.init_cfg = None
    if paper:
        cfg.neck.type = 'PTA'
        cfg.neck.contain_input = 'fused'
        cfg.neck.pop('loss_target_map')
        cfg.head.type = 'ATDHead'
    cfg.head.update(num_queries=N, num_frames=T)
    # every tube (the head's default; the synthetic config keeps the best one, see
    # test_atd_max_per_clip_keeps_the_best_tubes)
    cfg.head.test_cfg = dict(score_thr=1e-3, per_class=True)
    cfg.head.encoder.num_layers = L
    cfg.head.decoder.num_layers = L
    cfg.neck.update(in_channels=64)
    if not neck:
        cfg.neck = None
        cfg.head.in_channels = 64
        cfg.head.type = 'ATDHead'  # no target map without a PTA
    return cfg


@pytest.fixture(scope='module')
def model():
    torch.manual_seed(0)
    return _build(_small_cfg())


@pytest.fixture(scope='module')
def paper_model():
    torch.manual_seed(0)
    return _build(_small_cfg(paper=True))


def _samples(n, T=4, with_gt=True, prompt=PROMPT, H=48, W=64):
    out = []
    for b in range(n):
        s = ActionDataSample()
        valid = torch.zeros(1 if with_gt else 0, T, dtype=torch.bool)
        if with_gt:
            valid[0, 1:] = True
        boxes = torch.tensor([10., 8, 30, 40]).repeat(valid.shape[0], T, 1)
        s.gt_tubes = InstanceData(boxes=boxes, labels=torch.tensor([3] * valid.shape[0], dtype=torch.long),
                                  valid=valid)
        s.frame_ids = torch.arange(1, T + 1) + 10
        s.gt_type_label = torch.tensor(5)  # 'post up', as the dataset labels PostUp/..
        s.set_metainfo(dict(video_id='PostUp/00001_1', key_index=T // 2, img_shape=(H, W),
                            prompt=prompt, resolution=(H, W), original_shape=(H, W)))
        out.append(s)
    return out


def _inputs(n, T=4, H=48, W=64):
    return torch.rand(n, 1, 3, T, H, W) * 255


# ---------------------------------------------------------------- text encoder
def test_text_encoder_frozen_context_learns(model):
    enc = model.neck.text_encoder
    model.train()
    assert not enc.model.training  # frozen encoder stays in eval mode (no dropout)
    assert all(not p.requires_grad for p in enc.model.parameters())
    assert enc.ctx.requires_grad
    model.zero_grad()
    before = enc.model.encoder.layer[0].attention.self.query.weight.clone()
    ctx_before = enc.ctx.detach().clone()
    losses = model.loss(*_prep(model, _inputs(2), _samples(2)))
    sum(losses.values()).backward()
    assert enc.ctx.grad is not None and enc.ctx.grad.abs().sum() > 0
    assert all(p.grad is None for p in enc.model.parameters())
    opt = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.1)
    opt.step()
    assert not torch.equal(enc.ctx.detach(), ctx_before)
    assert torch.equal(enc.model.encoder.layer[0].attention.self.query.weight, before)


def test_text_encoder_without_learnable_context():
    cfg = _small_cfg()
    cfg.neck.text_encoder.learnable_context = False
    m = _build(cfg)
    enc = m.neck.text_encoder
    assert not isinstance(enc.ctx, torch.nn.Parameter)
    assert 'neck.text_encoder.ctx' not in dict(m.named_parameters())
    # initialised from the word embeddings of the context words
    words = enc.word_embeddings(['a player wearing a jersey number'])[0]
    assert torch.allclose(enc.ctx, words)


def test_text_encoder_slots_and_mask(model):
    enc = model.neck.text_encoder
    words = enc.word_embeddings(['white', '35'])
    feats, mask = enc([words, []])
    n_ctx = len(enc.ctx)
    assert feats.shape == (2, n_ctx + 4, enc.embed_dims)
    assert mask[0].all() and mask[1].sum() == n_ctx + 2
    with pytest.raises(ValueError, match='slots given'):
        enc([words + words])


# ---------------------------------------------------------------- PTA
def test_pta_prompt_parsing_and_type_labels(model):
    pta = model.neck
    assert pta.parse_prompt(PROMPT) == ['white', '35']
    with pytest.raises(ValueError, match='does not match the prompt pattern'):
        pta.parse_prompt('the tall one')
    sample = _samples(1)[0]
    assert pta.type_label_of(sample) == 5
    sample.gt_type_label = torch.tensor(8)
    with pytest.raises(ValueError, match='outside the 8 type_names'):
        pta.type_label_of(sample)
    del sample.gt_type_label
    with pytest.raises(KeyError, match='no gt_type_label.*type_names'):
        pta.type_label_of(sample)


def test_pta_prompt_changes_features(model):
    model.eval()
    feats = torch.randn(2, 64, 1, 3, 4)
    with torch.no_grad():
        a = model.neck(feats, [PROMPT, PROMPT])['feats']
        b = model.neck(feats, [PROMPT, 'a player wearing a red jersey number 7'])['feats']
        c = model.neck(feats, [None, None])['feats']
    assert torch.allclose(a[0], b[0]) and not torch.allclose(a[1], b[1])
    assert not torch.allclose(a, c)


def test_pta_without_words_ignores_colour_and_number():
    cfg = _small_cfg()
    cfg.neck.descriptive_words = False
    m = _build(cfg).eval()
    feats = torch.randn(1, 64, 1, 3, 4)
    with torch.no_grad():
        a = m.neck(feats, [PROMPT])['feats']
        b = m.neck(feats, ['a player wearing a red jersey number 7'])['feats']
    assert torch.allclose(a, b)


def test_pta_contains_from_the_target_position():
    """contain_input='target': the contains logits only see the features under the map."""
    cfg = _small_cfg()
    assert cfg.neck.contain_input == 'target'  # the synthetic config uses it
    m = _build(cfg).eval()
    pta = m.neck
    feats = torch.randn(1, 64, 2, 3, 4)
    with torch.no_grad():
        out = pta(feats, [PROMPT])
        fused = out['feats'].flatten(2)  # [1, C, T'H'W']
        w = out['target_map'].repeat(1, 2) / 2  # [1, T'H'W']
        expected = pta.contain_fc((fused * w[:, None]).sum(-1))
        assert torch.allclose(out['contain_logits'], expected, atol=1e-5)
        # not the plain average over all positions
        assert not torch.allclose(out['contain_logits'], pta.contain_fc(fused.mean(-1)))
    bad = copy.deepcopy(cfg.neck)
    bad.type = 'PTA'  # the paper's PTA has no target map to pool under
    bad.pop('loss_target_map')
    with pytest.raises(ValueError, match="contain_input must be one of"):
        _build(bad)
    bad.contain_input = 'fused'
    assert not hasattr(_build(bad), 'target_map')


# ---------------------------------------------------------------- ATD head
def _prep(m, inputs, samples, training=True):
    data = m.data_preprocessor(dict(inputs=list(inputs), data_samples=samples), training)
    return data['inputs'], data['data_samples']


def test_atd_empty_ground_truth_zero_box_losses(model):
    model.train()
    losses = model.loss(*_prep(model, _inputs(2), _samples(2, with_gt=False)))
    for k, v in losses.items():
        if 'bbox' in k or 'iou' in k:
            assert v.item() == 0, k
    assert losses['loss_cls'] > 0 and losses['loss_type'] > 0 and losses['loss_contain'] > 0
    sum(losses.values()).backward()  # the graph holds with zero box losses


def test_atd_one_tube_all_losses_positive(model):
    model.train()
    losses = model.loss(*_prep(model, _inputs(2), _samples(2)))
    assert set(losses) >= {'loss_cls', 'loss_bbox', 'loss_iou', 'loss_type', 'loss_contain'}
    assert all(v.item() > 0 for v in losses.values()), losses


def test_atd_only_covered_frames_get_box_losses(model):
    """A ground-truth tube covering no frame except one: box losses only from that frame."""
    head = model.head
    cls = torch.zeros(1, 3, 9)
    boxes = torch.full((1, 3, 4, 4), 0.5)
    gt = InstanceData(labels=torch.tensor([1]), bboxes=torch.full((1, 4, 4), 0.5),
                      valid=torch.tensor([[False, True, False, False]]))
    gt.bboxes[0, 0] = torch.tensor([0.1, 0.1, 0.1, 0.1])  # uncovered frame: ignored
    l_cls, l_box, l_iou = head.loss_by_feat_single(cls, boxes, [gt], [dict(img_shape=(8, 8))])
    assert l_box.item() == pytest.approx(0, abs=1e-6) and l_iou.item() == pytest.approx(
        0, abs=1e-6)


@pytest.mark.parametrize('T,N,L', list(itertools.product((2, 4), (1, 3), (1, 2))))
def test_atd_shapes(T, N, L):
    torch.manual_seed(0)
    head = _build(_small_cfg(T=T, N=N, L=L, paper=True)).head
    cls, boxes = head(torch.randn(2, head.input_proj.in_channels, 1, 3, 4))
    assert cls.shape == (L, 2, N, 9)
    assert boxes.shape == (L, 2, N, T, 4) and (boxes >= 0).all() and (boxes <= 1).all()
    losses = head.loss_by_feat(cls, boxes, [
        InstanceData(labels=torch.tensor([0]), bboxes=torch.full((1, T, 4), 0.3),
                     valid=torch.ones(1, T, dtype=torch.bool))
    ] * 2, [dict(img_shape=(8, 8))] * 2)
    assert len(losses) == 3 * L and all(torch.isfinite(v) for v in losses.values())


def test_atd_max_per_clip_keeps_the_best_tubes():
    torch.manual_seed(0)
    head = _build(_small_cfg(T=2, N=3, L=1, paper=True)).head
    cls = torch.randn(2, 3, 9)
    boxes = torch.rand(2, 3, 2, 4) * 0.5 + 0.25
    metas = [dict(img_shape=(8, 8))] * 2
    head.test_cfg['max_per_clip'] = None  # all N (the default; the synthetic config sets 1)
    every = head.predict_by_feat(cls, boxes, metas)
    assert [len(r) for r in every] == [3, 3]
    head.test_cfg['max_per_clip'] = 2
    best = head.predict_by_feat(cls, boxes, metas)
    for a, b in zip(every, best):
        order = a.scores.argsort(descending=True)[:2]
        assert len(b) == 2 and torch.equal(b.scores, a.scores[order])
        assert torch.equal(b.boxes, a.boxes[order]) and torch.equal(b.labels, a.labels[order])
        assert torch.equal(b.cls_scores, a.cls_scores[order])
    head.test_cfg['max_per_clip'] = 10  # more than N: all of them
    assert [len(r) for r in head.predict_by_feat(cls, boxes, metas)] == [3, 3]


# ---------------------------------------------------------------- match costs / assigner
def test_tube_match_costs_hand_computed():
    l1 = TASK_UTILS.build(dict(type='TubeL1Cost', weight=2.))
    giou = TASK_UTILS.build(dict(type='TubeGIoUCost', weight=1.))
    gt = InstanceData(bboxes=torch.tensor([[[0.5, 0.5, 0.2, 0.2], [0.5, 0.5, 0.2, 0.2]]]),
                      valid=torch.tensor([[True, False]]), labels=torch.tensor([0]))
    pred = InstanceData(bboxes=torch.tensor([[[0.5, 0.5, 0.2, 0.2], [0.9, 0.9, 0.1, 0.1]],
                                             [[0.6, 0.5, 0.2, 0.2], [0.5, 0.5, 0.2, 0.2]]]),
                        scores=torch.zeros(2, 3))
    # the second frame is not covered by the ground truth: ignored
    assert torch.allclose(l1(pred, gt), torch.tensor([[0.], [0.2]]), atol=1e-6)
    # pred 1 frame 0: IoU = 0.1*0.2 / (0.04 + 0.04 - 0.02) = 1/3, enclosing area = union
    assert torch.allclose(giou(pred, gt), torch.tensor([[-1.], [-1 / 3]]), atol=1e-5)


def test_hungarian_assigner_with_tube_costs():
    assigner = TASK_UTILS.build(dict(
        type='mmdet.HungarianAssigner',
        match_costs=[dict(type='mmdet.ClassificationCost', weight=1.),
                     dict(type='TubeL1Cost', weight=5., _scope_='mmfine'),
                     dict(type='TubeGIoUCost', weight=2., _scope_='mmfine')]))
    T = 3
    gt = InstanceData(labels=torch.tensor([1, 0]),
                      bboxes=torch.tensor([[0.2, 0.2, 0.1, 0.1], [0.7, 0.7, 0.2, 0.2]])[:, None]
                      .repeat(1, T, 1), valid=torch.ones(2, T, dtype=torch.bool))
    pred = InstanceData(scores=torch.zeros(3, 3),
                        bboxes=torch.tensor([[0.7, 0.7, 0.2, 0.2], [0.5, 0.5, 0.5, 0.5],
                                             [0.2, 0.21, 0.1, 0.1]])[:, None].repeat(1, T, 1))
    res = assigner.assign(pred, gt)
    assert res.gt_inds.tolist() == [2, 0, 1]


# ---------------------------------------------------------------- model
def test_predict_with_and_without_prompt(model):
    model.eval()
    inputs, samples = _prep(model, _inputs(2), _samples(2), training=False)
    with torch.no_grad():
        given = model.predict(inputs, samples)
        g_scores = [s.pred_clip_tubes.cls_scores.clone() for s in given]
        other = model.predict(inputs, samples, prompts='a player wearing a red jersey number 7')
        o_scores = [s.pred_clip_tubes.cls_scores.clone() for s in other]
        from_video = model.predict(inputs, _samples_no_prompt(samples))
    for s in from_video:
        d = s.pred_frame_dets
        assert d['box'].shape == (len(d['score']), 4) and (d['frame'] == 13).all()
        assert s.pred_clip_tubes.boxes.shape == (3, 4, 4)
        assert s.pred_type_scores.shape == (8, )
    assert not torch.allclose(g_scores[0], o_scores[0])


def test_predict_from_outs_equals_predict(model):
    """Tools read extract_feat's outputs and predict from them without a second forward."""
    model.eval()
    inputs, samples = _prep(model, _inputs(2), _samples(2), training=False)
    with torch.no_grad():
        direct = [s.pred_clip_tubes.clone() for s in model.predict(inputs, samples)]
        outs = model.extract_feat(inputs, model._prompts(samples))
        reused = model.predict_from_outs(outs, samples)
    for a, b in zip(direct, reused):
        assert torch.equal(a.boxes, b.pred_clip_tubes.boxes)
        assert torch.equal(a.cls_scores, b.pred_clip_tubes.cls_scores)


def _samples_no_prompt(samples):
    for s in samples:
        s.set_metainfo(dict(prompt=None))
    return samples


def test_tuber_baseline_has_no_prompt_path():
    m = _build(_small_cfg(neck=False)).eval()
    assert not m.with_prompt
    inputs, samples = _prep(m, _inputs(1), _samples(1), training=False)
    with torch.no_grad():
        out = m.predict(inputs, samples)[0]
    probs = torch.softmax(m.head(m.extract_feat(inputs, [None])['feats'])[0][-1], -1)
    assert torch.allclose(out.pred_clip_tubes.cls_scores, probs[0, :, :-1])
    m.train()
    assert set(m.loss(*_prep(m, _inputs(1), _samples(1)))) == {
        'loss_cls', 'loss_bbox', 'loss_iou'}


@pytest.mark.parametrize('order', [
    ('resize', 'crop', 'flip'), ('crop', 'resize', 'flip'), ('flip', 'resize', 'crop'),
    ('resize', 'flip', 'crop'), ('crop', 'flip', 'resize')])
def test_boxes_back_to_annotation_pixels(order):
    """A box sent through the transforms in any order (resize after crop, flip anywhere) comes
    back to the annotation pixels it started from (the homography_matrix is inverted)."""
    from mmfine.datasets.transforms import TubeCenterCrop, TubeFlip, TubeResize
    from mmfine.models.heads import tube_boxes_to_pixels
    steps = dict(resize=TubeResize(scale=(160, 90), keep_ratio=False),
                 crop=TubeCenterCrop(crop_size=(120, 70)), flip=TubeFlip(flip_ratio=1.0))
    box = np.array([120., 80., 160., 110.], np.float32)  # decoded pixels, inside every crop
    res = dict(imgs=[np.zeros((200, 300, 3), np.uint8)], img_shape=(200, 300),
               gt_tube_boxes=box[None, None].copy(), gt_tube_valid=np.ones((1, 1), bool),
               resolution=(400, 600), original_shape=(200, 300))
    for name in order:
        res = steps[name](res)
    h, w = res['img_shape']
    assert res['gt_tube_valid'][0, 0]
    norm = torch.from_numpy(res['gt_tube_boxes'][0, 0] / np.array([w, h, w, h], np.float32))
    meta = {k: res[k] for k in ('img_shape', 'homography_matrix', 'resolution',
                                'original_shape', 'flip', 'scale_factor', 'crop_bbox')}
    back = tube_boxes_to_pixels(norm[None], meta)[0]
    # the annotation resolution is twice the decoded size
    assert torch.allclose(back, torch.from_numpy(box * 2), atol=1e-3), (order, back)


def test_boxes_back_to_pixels_refuses_metas_without_homography():
    from mmfine.models.heads import tube_boxes_to_pixels
    box = torch.tensor([[0.25, 0.5, 0.5, 1.0]])
    with pytest.raises(ValueError, match='homography_matrix'):
        tube_boxes_to_pixels(box, dict(img_shape=(100, 200), scale_factor=(0.5, 0.25)))
    # no spatial transform at all: plain scaling to pixels (and resolution / decoded size)
    out = tube_boxes_to_pixels(box, dict(img_shape=(100, 200), flip=False,
                                         resolution=(200, 400), original_shape=(100, 200)))
    assert torch.allclose(out, torch.tensor([[100., 100, 200, 200]]))


def test_pta_target_map_loss_points_at_the_keyframe_box_centre(model):
    """The auxiliary target-map loss is a CE over positions: minimal when the logits peak at
    the cell of the keyframe box centre, and zero (graph kept) for clips without the target."""
    pta = model.neck
    assert pta.loss_target_map is not None  # the synthetic config turns it on
    samples = _samples(1, H=48, W=64)  # box (10, 8, 30, 40): centre (20, 24)
    H, W = 3, 4
    feats = torch.zeros(1, 8, 1, H, W)
    good = torch.full((1, H * W), -10.)
    good[0, (24 * H // 48) * W + 20 * W // 64] = 10.
    bad = torch.full((1, H * W), -10.)
    bad[0, 0] = 10.
    lg = pta.target_map_loss(dict(target_map_logits=good, feats=feats), samples)
    lb = pta.target_map_loss(dict(target_map_logits=bad, feats=feats), samples)
    assert lg.item() < 1e-3 and lb.item() > 10
    empty = _samples(1, with_gt=False)
    assert pta.target_map_loss(dict(target_map_logits=bad.requires_grad_(), feats=feats),
                                empty).item() == 0


def test_atd_target_map_reference_points(model):
    """With a target map, queries start from the memory at the target and box centres are
    offsets from the map's expected position."""
    head = copy.deepcopy(model.head)
    T, H, W = 2, 3, 4
    memory = torch.randn(1, T * H * W, head.embed_dims)
    tmap = torch.zeros(1, H * W)
    tmap[0, 1 * W + 2] = 1.0  # row 1, column 2
    dec = head.pre_decoder(memory, (T, H, W), tmap)
    assert torch.allclose(dec['reference'], torch.tensor([[2.5 / W, 1.5 / H]]))
    # the query of tube n on frame t starts from the memory at the cell, time step t * T' // T
    at_cell = memory.view(T, H * W, -1)[:, 1 * W + 2]  # [T', D]
    Tq = head.num_frames
    for n in range(head.num_queries):
        for t in range(Tq):
            assert torch.allclose(dec['query'][0, n * Tq + t], at_cell[t * T // Tq], atol=1e-6)
    assert not torch.allclose(dec['query'][0, 0], dec['query'][0, Tq - 1])
    assert dec['query'].shape == dec['query_pos'].shape
    # zero offsets put every box centre on the reference point
    hs = torch.zeros(1, 1, head.num_queries * head.num_frames, head.embed_dims)
    for m in head.fc_reg.layers:
        torch.nn.init.zeros_(m.weight)
        torch.nn.init.zeros_(m.bias)
    boxes = head.forward_box_branch(hs, dec)
    assert torch.allclose(boxes[..., :2], dec['reference'].view(1, 1, 1, 1, 2).expand(
        1, 1, head.num_queries, head.num_frames, 2), atol=1e-4)

    with pytest.raises(ValueError, match='needs the target map'):
        head.pre_decoder(memory, (T, H, W))


# ---------------------------------------------------------------- the paper's PoSTAL
def test_paper_postal_components(paper_model):
    from mmfine.models.heads import ATDHead, ReferencePointATDHead
    from mmfine.models.necks import PTA, TargetMapPTA
    assert type(paper_model.neck) is PTA and type(paper_model.head) is ATDHead
    assert not isinstance(paper_model.neck, TargetMapPTA)
    assert not isinstance(paper_model.head, ReferencePointATDHead)
    # prompts given: no video-to-word projection (it would never get a gradient)
    assert not hasattr(paper_model.neck, 'slot_fill')
    cfg = _small_cfg(paper=True)
    cfg.head.type = 'ReferencePointATDHead'
    with pytest.raises(ValueError, match="needs \\['target_map'\\].*TargetMapPTA"):
        _build(cfg)


def test_paper_postal_loss_and_every_parameter_learns(paper_model):
    """Paper PoSTAL: DETR + type + contains losses, no target map; with prompts given every
    trainable parameter gets a gradient (so DDP needs no find_unused_parameters)."""
    m = paper_model
    m.train()
    m.zero_grad()
    losses = m.loss(*_prep(m, _inputs(2), _samples(2)))
    assert m.head.decoder.num_layers == 1  # no auxiliary decoder levels
    assert set(losses) == {'loss_cls', 'loss_bbox', 'loss_iou', 'loss_type', 'loss_contain'}
    assert all(v.item() > 0 for v in losses.values()), losses
    sum(losses.values()).backward()
    missing = [n for n, p in m.named_parameters() if p.requires_grad and p.grad is None]
    assert not missing, missing


def test_paper_postal_contains_from_fused_features(paper_model):
    m = paper_model.eval()
    feats = torch.randn(1, 64, 2, 3, 4)
    with torch.no_grad():
        out = m.neck(feats, [PROMPT])
        assert 'target_map' not in out
        expected = m.neck.contain_fc(out['feats'].flatten(2).mean(-1))
    assert torch.allclose(out['contain_logits'], expected, atol=1e-5)


def test_paper_postal_predict(paper_model):
    m = paper_model.eval()
    inputs, samples = _prep(m, _inputs(2), _samples(2), training=False)
    with torch.no_grad():
        res = m.predict(inputs, samples)
        given = [s.pred_clip_tubes.cls_scores.clone() for s in res]
        p_contain = m.extract_feat(inputs, [PROMPT] * 2)['contain_logits'].softmax(-1)[:, 1]
        other = [s.pred_clip_tubes.cls_scores.clone() for s in m.predict(
            inputs, samples, prompts='a player wearing a red jersey number 7')]
    for b, s in enumerate(res):
        t = s.pred_clip_tubes
        assert t.boxes.shape == (3, 4, 4) and t.cls_scores.shape == (3, 8)
        assert (given[b] <= p_contain[b] + 1e-6).all()  # p(class) x p(contains)
        d = s.pred_frame_dets
        assert (d['frame'] == 13).all() and d['box'].shape == (len(d['score']), 4)
    assert not torch.allclose(given[0], other[0])  # the prompt matters


def test_synthetic_postal_every_parameter_learns(model):
    model.train()
    model.zero_grad()
    losses = model.loss(*_prep(model, _inputs(2), _samples(2)))
    assert 'loss_target_map' in losses
    sum(losses.values()).backward()
    missing = [n for n, p in model.named_parameters() if p.requires_grad and p.grad is None]
    assert not missing, missing


def test_video_filled_prompts_build_and_train_slot_fill():
    cfg = _small_cfg(paper=True)
    cfg.neck.prompt_source = 'video'
    m = _build(cfg).train()
    assert hasattr(m.neck, 'slot_fill')
    losses = m.loss(*_prep(m, _inputs(1), _samples(1)))
    sum(losses.values()).backward()
    assert m.neck.slot_fill.weight.grad.abs().sum() > 0

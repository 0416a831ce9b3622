"""The pretraining model of the synthetic PoSTAL backbone: head, recognizer, metric, and
loading its backbone into PoSTAL through init_cfg."""
import os.path as osp

import numpy as np
import pytest
import torch
from mmaction.structures import ActionDataSample
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmengine.structures import InstanceData

from mmfine.evaluation.functional import masked_accuracy, per_class_accuracy
from mmfine.models.heads import PlayerAttributeHead
from mmfine.registry import METRICS, MODELS
from mmfine.utils import register_all_modules

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
PRE_CFG = osp.join(REPO, 'configs/postal/'
                   'player-attributes_r3d18-tiny_1xb16-2e_finesports-synthetic.py')
SYNTH = osp.join(REPO, 'configs/postal/postal_tiny_1xb8-4x2-2e_finesports-synthetic.py')
register_all_modules(init_default_scope=False)


def _build(cfg):
    with DefaultScope.overwrite_default_scope('mmfine'):
        return MODELS.build(cfg)


def _samples(B, P=3, crop=(64, 64)):
    out = []
    for b in range(B):
        s = ActionDataSample()
        s.gt_players = InstanceData(
            colour=torch.tensor([1, 2, -100]), number=torch.tensor([3, 4, -100]),
            action=torch.tensor([0, 8, -100]), index=torch.tensor([0, 1, -1]),
            centre=torch.tensor([[32., 32], [40, 20], [32, 32]]))
        s.set_metainfo(dict(img_shape=crop, video_id=f'v{b}'))
        out.append(s)
    return out


def test_head_reads_the_cell_of_each_centre():
    feats = torch.arange(2 * 1 * 1 * 4 * 4, dtype=torch.float).view(2, 1, 1, 4, 4)
    centres = torch.tensor([[40., 20], [0, 63]])  # crop 64 x 64, 4 x 4 cells of 16 px
    out = PlayerAttributeHead.cell_features(feats, centres, (64, 64))
    assert out.shape == (2, 1, 1)
    assert out[0, 0, 0] == feats[0, 0, 0, 1, 2] and out[1, 0, 0] == feats[1, 0, 0, 3, 0]


def test_recognizer_loss_ignores_padding_and_falls():
    torch.manual_seed(0)
    cfg = Config.fromfile(PRE_CFG).model
    cfg.backbone.base_channels = 8
    cfg.head.in_channels = 32
    m = _build(cfg)
    m.init_weights()
    inputs = [torch.randint(0, 255, (3, 3, 4, 64, 64), dtype=torch.uint8) for _ in range(2)]
    samples = _samples(2)
    data = m.data_preprocessor(dict(inputs=inputs, data_samples=samples), True)
    assert data['inputs'].shape == (2, 3, 3, 4, 64, 64)
    opt = torch.optim.AdamW(m.parameters(), 3e-3)
    first = None
    for _ in range(15):
        losses = m(**data, mode='loss')
        assert set(losses) == {'loss_colour', 'loss_number', 'loss_action', 'loss_centre'}
        total = sum(losses.values())
        first = first if first is not None else total.item()
        opt.zero_grad()
        total.backward()
        opt.step()
    assert total.item() < 0.5 * first
    # the padding slot's crop does not change the loss
    m.eval()
    with torch.no_grad():
        a = m(**data, mode='loss')
        data['inputs'][:, 2] = 0
        b = m(**data, mode='loss')
    assert all(torch.allclose(a[k], b[k], atol=1e-5) for k in a)
    out = m(**data, mode='predict')
    p = out[0].pred_players
    assert p.colour_scores.shape == (3, 6) and p.number.shape == (3, )
    assert p.action_scores.shape == (3, 9)


def test_player_attribute_metric_hand_computed():
    metric = METRICS.build(dict(type='PlayerAttributeMetric', no_action_index=8))
    s = dict(gt_players=dict(colour=torch.tensor([1, 2, -100]), number=torch.tensor([3, 4, -100]),
                             action=torch.tensor([0, 8, -100]), index=torch.tensor([0, 1, -1])),
             pred_players=dict(colour=torch.tensor([1, 2, 0]), number=torch.tensor([3, 5, 0]),
                               action=torch.tensor([8, 8, 0])))
    metric.process({}, [s])
    res = metric.compute_metrics(metric.results)
    assert res['colour_acc'] == 1.0 and res['number_acc'] == 0.5 and res['identity_acc'] == 0.5
    assert res['action_acc'] == 0.5  # idle player right, acting one called idle
    assert res['acting_acc'] == 0.5 and res['action_acc_acting'] == 0.0


def test_masked_accuracy():
    assert masked_accuracy([1, 2, 3], [1, 0, -100]) == 0.5
    assert np.isnan(masked_accuracy([1], [-100]))
    with pytest.raises(ValueError, match='predictions for'):
        masked_accuracy([1, 2], [1])
    acc = per_class_accuracy([0, 1, 1], [0, 1, 0], 3)
    assert acc[0] == 0.5 and acc[1] == 1.0 and np.isnan(acc[2])


def test_postal_loads_the_pretrained_backbone_through_init_cfg(tmp_path):
    """The PoSTAL synthetic config's init_cfg takes the pretraining checkpoint's `backbone.`
    weights; a missing checkpoint says how to make one."""
    torch.manual_seed(0)
    pre = _build(Config.fromfile(PRE_CFG).model)
    pre.init_weights()
    ckpt = str(tmp_path / 'epoch_2.pth')
    torch.save(dict(state_dict=pre.state_dict(), meta={}), ckpt)
    cfg = Config.fromfile(SYNTH).model
    cfg.backbone.init_cfg.checkpoint = ckpt
    model = _build(cfg)
    model.init_weights()
    for k, v in pre.backbone.state_dict().items():
        assert torch.equal(model.backbone.state_dict()[k], v), k
    cfg.backbone.init_cfg.checkpoint = str(tmp_path / 'missing.pth')
    with pytest.raises(FileNotFoundError, match='missing.pth.*run_postal_synthetic.sh'):
        _build(cfg).init_weights()
    with pytest.raises(ValueError, match='only through init_cfg'):
        _build(dict(cfg.backbone, pretrained='x.pth', init_cfg=None))


def test_centre_offsets_and_error_hand_computed():
    # 64 x 64 crop, 4 x 4 cells of 16 px: (40, 20) lies in cell (2, 1), whose centre is
    # (40, 24): offset (0, -0.25) cells; (0, 63) in cell (0, 3), centre (8, 56)
    off = PlayerAttributeHead.centre_offsets(torch.tensor([[40., 20], [0, 63]]), (64, 64),
                                             (4, 4))
    assert torch.allclose(off, torch.tensor([[0., -0.25], [-0.5, 0.4375]]))
    head = PlayerAttributeHead(4, 1, dict(colour=3), centre_loss_weight=1.0)
    torch.nn.init.zeros_(head.centre_reg.weight)
    torch.nn.init.zeros_(head.centre_reg.bias)  # predicts every centre at its cell centre
    samples = _samples(1)
    feats = torch.randn(3, 4, 1, 4, 4)
    pred = head.predict(feats, samples)[0].pred_players
    # (32, 32): offset (0.5, 0.5) clamped -> error 8 * sqrt(2) px; (40, 20): 4 px
    assert torch.allclose(pred.centre_error[:2], torch.tensor([8 * 2 ** 0.5, 4.0]))
    losses = head.loss(feats, samples)
    assert set(losses) == {'loss_colour', 'loss_centre'} and losses['loss_centre'] > 0


def test_centre_loss_of_padding_only_samples_is_zero():
    """Samples whose slots are all padding: zero centre loss (graph kept), the classifiers'
    losses unaffected by the centre output."""
    head = PlayerAttributeHead(4, 1, dict(colour=3), centre_loss_weight=1.0)
    samples = _samples(1)
    samples[0].gt_players.index = torch.tensor([-1, -1, -1])
    samples[0].gt_players.colour = torch.tensor([-100, -100, -100])
    losses = head.loss(torch.randn(3, 4, 1, 4, 4), samples)
    assert set(losses) == {'loss_colour', 'loss_centre'}
    assert losses['loss_centre'].item() == 0 and losses['loss_colour'].item() == 0

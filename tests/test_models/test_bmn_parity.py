"""mmfine's BMN pieces against mmaction2's ``BMN`` with the same weights."""
import numpy as np
import pytest
import torch

from mmfine.models.heads import BMNHead
from mmfine.models.losses import BMNLoss
from mmfine.models.task_modules import BMNPostProcessor, bm_sample_mask, bmn_targets

T = 24
KW = dict(num_samples=4, num_samples_per_bin=3, boundary_ratio=0.5, hidden_dim_1d=16,
          hidden_dim_2d=8, hidden_dim_3d=16)


def mmaction_bmn(temporal_dim=T, feat_dim=12, top_k=100):
    from mmaction.models.localizers.bmn import BMN
    torch.manual_seed(0)
    return BMN(temporal_dim=temporal_dim, feat_dim=feat_dim, soft_nms_alpha=0.4,
               soft_nms_low_threshold=0.5, soft_nms_high_threshold=0.9,
               post_process_top_k=top_k, **KW).eval()


def mmaction_to_head(state):
    """Key mapping mmaction2 BMN -> mmfine localizer: layers under ``head.``; the sampling
    matrix and BM mask are derived from the config (not checkpoint entries) on our side."""
    return {f'head.{k}': v for k, v in state.items() if k not in ('sample_mask', 'bm_mask')}


def our_head(feat_dim=12, temporal_dim=T):
    head = BMNHead(feat_dim, temporal_dim, **KW).eval()
    state = {k[len('head.'):]: v for k, v in mmaction_to_head(mmaction_bmn(
        temporal_dim, feat_dim).state_dict()).items()}
    missing, unexpected = head.load_state_dict(state, strict=False)
    assert not unexpected and all(k.startswith('loss') for k in missing)
    return head


@pytest.mark.parametrize('T_, N, S, r', [(24, 4, 3, 0.5), (100, 32, 3, 0.5), (17, 5, 2, 0.3)])
def test_sample_mask_equals_mmaction2(T_, N, S, r):
    from mmaction.models.localizers.bmn import BMN
    ref = BMN(temporal_dim=T_, boundary_ratio=r, num_samples=N, num_samples_per_bin=S,
              feat_dim=8, soft_nms_alpha=0.4, soft_nms_low_threshold=0.5,
              soft_nms_high_threshold=0.9, post_process_top_k=10, hidden_dim_1d=8,
              hidden_dim_2d=8, hidden_dim_3d=8)
    assert torch.equal(bm_sample_mask(T_, T_, N, S, r), ref.sample_mask.data)
    # D < T: the first D durations of the full map
    half = bm_sample_mask(T_, T_ // 2, N, S, r).view(T_, N, T_ // 2, T_)
    assert torch.equal(half, ref.sample_mask.data.view(T_, N, T_, T_)[:, :, :T_ // 2])


def test_forward_equals_mmaction2():
    ref = mmaction_bmn()
    head = our_head()
    x = torch.randn(3, 12, T)
    with torch.no_grad():
        conf, start, end = ref._forward(x)
        out = head([x])[0]
    assert torch.equal(out['start'], start) and torch.equal(out['end'], end)
    torch.testing.assert_close(out['bm'], conf, rtol=0, atol=1e-6)


def test_targets_equal_mmaction2():
    ref = mmaction_bmn()
    gt = [torch.tensor([[0.1, 0.25], [0.5, 0.9]]), torch.tensor([[0.0, 1.0]]),
          torch.tensor([[0.33, 0.34]])]
    iou, start, end = ref.generate_labels(gt)
    seg = torch.zeros(3, 2, 2)
    valid = torch.zeros(3, 2, dtype=torch.bool)
    for i, g in enumerate(gt):
        seg[i, :len(g)], valid[i, :len(g)] = g, True
    ours = bmn_targets(seg, valid, T, T)
    for a, b in ((ours['iou_map'], iou), (ours['start'], start), (ours['end'], end)):
        torch.testing.assert_close(a, b, rtol=0, atol=2e-6)


def test_loss_equals_mmaction2():
    from mmaction.models.losses import BMNLoss as RefLoss
    ref = mmaction_bmn()
    gt = [torch.tensor([[0.1, 0.25], [0.5, 0.9]]), torch.tensor([[0.2, 0.7]])]
    iou, start, end = ref.generate_labels(gt)
    torch.manual_seed(1)
    bm, s, e = torch.rand(2, 2, T, T), torch.rand(2, T), torch.rand(2, T)
    torch.manual_seed(5)
    total, tem, reg, cls = RefLoss()(bm, s, e, iou, start, end, ref.bm_mask)
    torch.manual_seed(5)
    ours = BMNLoss()(bm, s, e, iou, start, end, ref.bm_mask)
    torch.testing.assert_close(torch.stack(ours), torch.stack([tem, 10 * reg, cls]))


@pytest.mark.parametrize('seed', [0, 1])
def test_proposals_equal_mmaction2(seed):
    """Same maps -> same proposals (segments in seconds and scores) as ``BMN.predict``."""
    from mmaction.structures import ActionDataSample
    ref = mmaction_bmn(top_k=20)
    torch.manual_seed(seed)
    B = 3
    start, end, bm = torch.rand(B, T), torch.rand(B, T), torch.rand(B, 2, T, T)
    post = BMNPostProcessor(top_k=20)
    ours = post(start, end, bm)
    for b in range(B):
        ref._forward = lambda x, b=b: (bm[b:b + 1], start[b:b + 1], end[b:b + 1])
        meta = dict(video_name='v', duration_second=40.0, duration_frame=1600)
        sample = ActionDataSample(metainfo=meta)
        expected = ref.predict(torch.zeros(1, 12, T), [sample])[0]['proposal_list']
        dur = 1600 // 16 * 16 / 1600 * 40.0
        seg = np.stack([ours[b]['segments'][:, 0].clamp(min=0).numpy() * dur,
                        ours[b]['segments'][:, 1].clamp(max=1).numpy() * dur], 1)
        assert len(expected) == len(seg) == 20
        np.testing.assert_allclose(seg, [p['segment'] for p in expected], rtol=0, atol=1e-9)
        np.testing.assert_allclose(ours[b]['scores'].numpy(), [p['score'] for p in expected],
                                   rtol=0, atol=1e-9)

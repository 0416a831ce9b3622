import numpy as np
import pytest

from mmfine.evaluation.functional import anet_proposal_ar_an
from mmfine.testing.eval_data import tal_inputs
from mmfine.testing.mmaction2_reference import float64_pairwise_temporal_iou, proposal_inputs


def _g(video, s, e, duration=100.0):
    return dict(video=video, t_start=s, t_end=e, duration=duration)


def _p(video, s, e, score):
    return dict(video=video, t_start=s, t_end=e, score=score)


def test_hand_computed_ar_at_an():
    gt = [_g('v1', 0, 10), _g('v1', 50, 60), _g('v2', 20, 30)]
    props = [_p('v1', 0, 10, 0.9), _p('v1', 52, 60, 0.8),  # tIoU 1, then 0.8 with gt1
             _p('v2', 90, 95, 0.9), _p('v2', 20, 30, 0.1)]  # miss, then tIoU 1
    out = anet_proposal_ar_an(gt, props, max_avg_proposals=2, tiou_thresholds=(0.5, 0.9),
                              ar_at=(1, 2))
    # AN grid: j / 100 * 2; AR@1 uses the first proposal of each video:
    #   t=0.5: gt0 recalled (v1 first), v2 first is a miss -> 1/3; t=0.9 -> 1/3; AR@1 = 1/3
    # AR@2 (both proposals): t=0.5 all 3 recalled; t=0.9: gt1 (0.8) missed -> 2/3 -> 5/6
    assert out['AR@1'] == pytest.approx(1 / 3)
    assert out['AR@2'] == pytest.approx(5 / 6)
    # AN axis: 0.02 .. 2; int(2 * j / 100) proposals: 0 below j = 50, 1 for 50..99, 2 at 100
    ar = np.array(out['avg_recall'])
    assert ar[:49].tolist() == [0] * 49 and ar[49:99].tolist() == pytest.approx([1 / 3] * 50)
    an = np.array(out['proposals_per_video'])
    assert an[0] == pytest.approx(0.02) and an[-1] == pytest.approx(2)
    expected_auc = np.sum((an[1:] - an[:-1]) * (ar[1:] + ar[:-1]) / 2) / 2
    assert out['AUC'] == pytest.approx(expected_auc)


def test_fineaction_iou_new():
    gt = [_g('v', 10, 20, duration=100)]
    props = [_p('v', 10, 22, 1.0)]
    # tIoU 10/12; boundaries /100: |0.1-0.1| = 0, |0.2-0.22| = 0.02 -> 10/12 * 1 * 0.98
    iou_new = 10 / 12 * 0.98
    thr = (iou_new - 1e-9, iou_new + 1e-9)
    std = anet_proposal_ar_an(gt, props, 1, thr, ar_at=(1,))
    new = anet_proposal_ar_an(gt, props, 1, thr, iou='fineaction', ar_at=(1,))
    assert std['AR@1'] == 1.0  # 10/12 > both thresholds
    assert new['AR@1'] == 0.5  # recalled at the lower threshold only


def test_edge_cases():
    gt = [_g('v', 0, 10), _g('w', 0, 10)]
    # a proposal longer than the video: standard tIoU as is; fineaction clips to [0, 1]
    long = [_p('v', -50, 150, 1.0)]
    assert anet_proposal_ar_an(gt, long, 1, (0.04,), ar_at=(1,))['AR@1'] == 0.5
    new = anet_proposal_ar_an(gt, long, 1, (0.04,), iou='fineaction', ar_at=(1,))
    assert 0 <= new['AR@1'] <= 1
    # no proposals at all
    out = anet_proposal_ar_an(gt, [])
    assert out['AUC'] == 0.0 and out['AR@100'] == 0.0
    with pytest.raises(ValueError, match=r"proposals\[0\] has an invalid score"):
        anet_proposal_ar_an(gt, [_p('v', 0, 1, -1)])
    with pytest.raises(ValueError, match=r'gt\[0\] has duration'):
        anet_proposal_ar_an([_g('v', 0, 1, duration=0)], [], iou='fineaction')
    with pytest.raises(ValueError, match=r"iou must be"):
        anet_proposal_ar_an(gt, [], iou='other')


def test_mmaction2_ar_at_an_needs_np_trapz():
    """Upstream bug pinned: numpy 2.4 removed ``np.trapz``; mmaction2 1.2.0's
    ``average_recall_at_avg_proposals`` still calls it, so it fails as shipped."""
    from mmaction.evaluation.functional import average_recall_at_avg_proposals
    if hasattr(np, 'trapz'):
        pytest.skip('this numpy still has np.trapz')
    gt = {'v': np.array([[0.0, 10.0]])}
    with pytest.raises(AttributeError, match='trapz'):
        average_recall_at_avg_proposals(gt, {'v': np.array([[0.0, 10.0, 1.0]])}, 1)


def test_matches_mmaction2_ar_at_an(monkeypatch):
    from mmaction.evaluation.functional import average_recall_at_avg_proposals
    if not hasattr(np, 'trapz'):
        monkeypatch.setattr(np, 'trapz', np.trapezoid, raising=False)
    d = tal_inputs(num_videos=150, seed=1)
    gt, props = proposal_inputs(d)
    _, avg, ppv, auc = average_recall_at_avg_proposals(gt, props, len(d['preds']), 100)
    ours = anet_proposal_ar_an(d['gt'], d['preds'])
    np.testing.assert_allclose(ours['avg_recall'], avg, atol=1e-9)
    np.testing.assert_allclose(ours['proposals_per_video'], ppv, atol=1e-9)
    assert 100 * ours['AUC'] == pytest.approx(auc, abs=1e-7)
    assert ours['AR@100'] == pytest.approx(avg[99])


def test_official_tie_order_for_proposals():
    """Tied proposals of a video: the official ``argsort()[::-1]`` keeps the later-listed one
    when only one fits (AN = 1), input order keeps the first."""
    gt = [_g('v', 0, 10)]
    props = [_p('v', 0, 10, 0.5), _p('v', 20, 30, 0.5)]
    assert anet_proposal_ar_an(gt, props, 1, ar_at=(1,))['AR@1'] == 0.0
    assert anet_proposal_ar_an(gt, props, 1, ar_at=(1,), tie_order='stable')['AR@1'] == 1.0


@pytest.mark.parametrize('seed', range(4))
def test_grid_aligned_ties_match_mmaction2(seed, monkeypatch):
    """Boundaries on the 100-step grid of a BMN proposal map, scores on 4 levels: AR@AN and AUC
    equal mmaction2's ``average_recall_at_avg_proposals`` (which orders like the official code)."""
    from mmaction.evaluation.functional import average_recall_at_avg_proposals
    import mmaction.evaluation.functional.accuracy as acc
    if not hasattr(np, 'trapz'):
        monkeypatch.setattr(np, 'trapz', np.trapezoid, raising=False)
    # mmaction2 keeps tIoU in float32; the official code (and we) in float64
    monkeypatch.setattr(acc, 'pairwise_temporal_iou', float64_pairwise_temporal_iou)
    rng = np.random.RandomState(seed)
    gt, props = [], []
    for v in range(30):
        dur = float(rng.choice([50.0, 100.0, 37.5]))
        for _ in range(rng.randint(1, 4)):
            s = rng.randint(0, 90)
            gt.append(_g(f'v{v}', s * dur / 100, (s + rng.randint(1, 10)) * dur / 100, dur))
        for _ in range(rng.randint(20, 60)):
            s = rng.randint(0, 95)
            props.append(_p(f'v{v}', s * dur / 100, (s + rng.randint(1, 6)) * dur / 100,
                            float(rng.randint(1, 5)) / 4))
    thr = np.linspace(0.5, 0.95, 10)
    ours = anet_proposal_ar_an(gt, props, 100, thr)
    g, p = proposal_inputs(dict(gt=gt, preds=props))
    recall, avg_recall, ppv, auc = average_recall_at_avg_proposals(
        g, p, len(props), max_avg_proposals=100, temporal_iou_thresholds=thr)
    np.testing.assert_allclose(ours['avg_recall'], avg_recall, atol=1e-12)
    assert 100 * ours['AUC'] == pytest.approx(auc, abs=1e-9)
    # the tie order matters on this data: input order gives other numbers
    stable = anet_proposal_ar_an(gt, props, 100, thr, tie_order='stable')
    assert not np.allclose(stable['avg_recall'], avg_recall)

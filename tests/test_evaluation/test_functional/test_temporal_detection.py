import json
import os.path as osp

import numpy as np
import pytest

from mmfine.evaluation.functional import anet_detection_map, segment_iou_matrix, voc_ap
from mmfine.evaluation.functional.matching import grouped_argsort_desc
from mmfine.evaluation.functional.temporal_detection import DEFAULT_TIOU_THRESHOLDS
from mmfine.testing.mmaction2_reference import float64_pairwise_temporal_iou


def _g(video, s, e, label='a'):
    return dict(video=video, t_start=s, t_end=e, label=label)


def _p(video, s, e, score, label='a'):
    return dict(video=video, t_start=s, t_end=e, label=label, score=score)


def test_segment_iou_matrix():
    iou = segment_iou_matrix([[0, 10], [5, 6]], [[5, 15], [20, 30], [5, 5]])
    # [0,10] vs [5,15]: inter 5, union 10 + 10 - 5 = 15
    np.testing.assert_allclose(iou, [[5 / 15, 0, 0], [1 / 10, 0, 0]])


def test_voc_ap_hand_computed():
    # ranked TP, FP, TP with 2 GT: precision 1, 1/2, 2/3; recall 1/2, 1/2, 1
    # envelope: 1 at r=1/2, 2/3 at r=1 -> AP = 0.5 * 1 + 0.5 * 2/3 = 5/6
    assert voc_ap(np.array([1, 0.5, 2 / 3]), np.array([0.5, 0.5, 1.0])) == pytest.approx(5 / 6)


def test_hand_computed_map():
    gt = [_g('v1', 0, 10), _g('v1', 20, 30), _g('v2', 0, 10, 'b')]
    preds = [
        _p('v1', 0, 10, 0.9),   # tIoU 1 with gt0 -> TP
        _p('v1', 1, 10, 0.8),   # best gt0 (0.9) is taken -> next candidate gt1 tIoU 0 -> FP
        _p('v3', 20, 30, 0.7),  # video without gt of class a -> FP
        _p('v1', 20, 28, 0.6),  # gt1 tIoU 0.8 -> TP at 0.5..0.8, FP above 0.8
    ]
    out = anet_detection_map(gt, preds, tiou_thresholds=(0.5, 0.85))
    # class a at 0.5: TP FP FP TP, 2 GT: precision 1, 1/2, 1/3, 1/2; recall .5 .5 .5 1
    #   envelope 1 up to r=.5, 1/2 up to r=1 -> AP = .5 * 1 + .5 * .5 = 0.75
    # class a at 0.85: TP FP FP FP -> AP = .5 * 1 = 0.5
    # class b has no prediction -> AP 0 at both thresholds, still averaged
    assert out['per_class']['a'] == pytest.approx([0.75, 0.5])
    assert out['per_class']['b'] == [0.0, 0.0]
    assert out['mAP@0.50'] == pytest.approx(0.375)
    assert out['mAP@0.85'] == pytest.approx(0.25)
    assert out['mAP'] == pytest.approx(0.3125)


def test_each_prediction_takes_the_best_free_gt():
    gt = [_g('v', 0, 10), _g('v', 4, 14)]
    # first prediction overlaps gt1 best (tIoU 1) ; the second one's best is gt1 too but it is
    # taken, so it takes gt0 (tIoU 0.75 >= 0.5)
    preds = [_p('v', 4, 14, 0.9), _p('v', 2.5, 10, 0.8)]
    assert anet_detection_map(gt, preds, (0.5,))['mAP'] == pytest.approx(1.0)
    assert anet_detection_map(gt, preds, (0.8,))['mAP'] == pytest.approx(0.5)


def test_edge_cases():
    gt = [_g('v', 0, 10)]
    assert anet_detection_map(gt, [])['mAP'] == 0.0  # no detections


def test_official_tie_order_later_listed_first():
    """The issue's example: gt v1 [0, 10]; two predictions of score 0.5, the hit listed first.

    The official code ranks with ``argsort()[::-1]``: the later-listed miss comes first, so
    precision is 1/2 at full recall and AP 0.5; in input order (mmaction2's port) it is 1.
    """
    gt = [_g('v1', 0, 10)]
    preds = [_p('v1', 0, 10, 0.5), _p('v1', 20, 30, 0.5)]
    assert anet_detection_map(gt, preds)['mAP'] == pytest.approx(0.5)
    assert anet_detection_map(gt, preds, tie_order='stable')['mAP'] == pytest.approx(1.0)
    swapped = preds[::-1]
    assert anet_detection_map(gt, swapped)['mAP'] == pytest.approx(1.0)
    assert anet_detection_map(gt, swapped, tie_order='stable')['mAP'] == pytest.approx(0.5)
    with pytest.raises(ValueError, match='tie_order'):
        anet_detection_map(gt, preds, tie_order='random')


def test_official_thresholds_are_unrounded():
    """gt [0, 2.0], prediction [0.1, 1.9]: tIoU 1.7999999999999998 / 2 = 0.8999999999999999.

    That is exactly the 9th value of np.linspace(0.5, 0.95, 10), so the official code counts a
    hit at "0.90"; a rounded 0.9 would count a miss.
    """
    thr = np.linspace(0.5, 0.95, 10)
    iou = segment_iou_matrix([[0.1, 1.9]], [[0, 2.0]])[0, 0]
    assert iou == thr[8] and iou < 0.9
    assert DEFAULT_TIOU_THRESHOLDS == tuple(thr.tolist())
    out = anet_detection_map([_g('v', 0, 2.0)], [_p('v', 0.1, 1.9, 0.7)])
    assert out['mAP@0.90'] == 1.0 and out['mAP@0.95'] == 0.0
    assert out['mAP'] == pytest.approx(0.9)
    rounded = anet_detection_map([_g('v', 0, 2.0)], [_p('v', 0.1, 1.9, 0.7)],
                                 tuple(np.round(thr, 2)))
    assert rounded['mAP@0.90'] == 0.0  # the old rounded default missed it


@pytest.mark.parametrize('bad, match', [
    (dict(score=-1.0), r'preds\[0\] has an invalid score'),
    (dict(score=float('nan')), r'preds\[0\] has an invalid score'),
    (dict(label='zzz'), r"preds\[0\] has label 'zzz'"),
    (dict(t_start=5, t_end=1), r'preds\[0\] has t_end < t_start'),
])
def test_invalid_input(bad, match):
    pred = dict(_p('v', 0, 1, 0.5), **bad)
    with pytest.raises(ValueError, match=match):
        anet_detection_map([_g('v', 0, 1)], [pred])


def test_matches_mmaction2_on_the_real_activitynet_fixture(shared_data):
    """Same numbers as mmaction2's ActivityNetLocalization (a port of the official code)."""
    from mmaction.evaluation.functional import ActivityNetLocalization
    folder = osp.join(shared_data, 'activitynet_format')
    gt_file, res_file = osp.join(folder, 'gt.json'), osp.join(folder, 'result.json')
    ref = ActivityNetLocalization(gt_file, res_file)
    ref_map, ref_avg = ref.evaluate()
    gt = [dict(video=v[2:], t_start=a['segment'][0], t_end=a['segment'][1], label=a['label'])
          for v, info in json.load(open(gt_file)).items() for a in info['annotations']]
    preds = [dict(video=v, t_start=r['segment'][0], t_end=r['segment'][1], label=r['label'],
                  score=r['score'])
             for v, rs in json.load(open(res_file))['results'].items() for r in rs]
    ours = anet_detection_map(gt, preds)
    assert len({p['score'] for p in preds}) == len(preds)  # no ties: order conventions agree
    assert ours['mAP'] == pytest.approx(float(ref_avg), abs=1e-9)
    ours_per_thr = [ours[f'mAP@{t:.2f}'] for t in np.linspace(0.5, 0.95, 10)]
    np.testing.assert_allclose(ours_per_thr, ref_map, atol=1e-9)
    assert 0 < ours['mAP'] < 1


def _grid_case(seed, num_videos=12, num_classes=3, step=0.1, n_pred=60):
    """Boundaries on a 0.1 s grid, scores from 5 levels (many ties)."""
    rng = np.random.RandomState(seed)
    gt, preds = [], []
    for v in range(num_videos):
        for _ in range(rng.randint(1, 5)):
            s = rng.randint(0, 90) * step
            gt.append(_g(f'v{v}', round(s, 1), round(s + rng.randint(2, 30) * step, 1),
                         f'c{rng.randint(num_classes)}'))
    for _ in range(n_pred * num_videos // 4):
        g = gt[rng.randint(len(gt))]
        ds, de = rng.randint(-3, 4, size=2) * step
        s, e = round(g['t_start'] + ds, 1), round(g['t_end'] + de, 1)
        if e < s:
            s, e = e, s
        label = g['label'] if rng.rand() < 0.8 else f'c{rng.randint(num_classes)}'
        video = g['video'] if rng.rand() < 0.95 else 'no_gt_video'
        preds.append(_p(video, s, e, float(rng.randint(1, 6)) / 5, label))
    return gt, preds


def _mmaction2_map(gt, preds):
    """mmaction2's compute_average_precision_detection, class by class, predictions as given."""
    from mmaction.evaluation.functional.eval_detection import \
        compute_average_precision_detection
    thr = np.linspace(0.5, 0.95, 10)
    labels = list(dict.fromkeys(g['label'] for g in gt))
    aps = []
    for c in labels:
        g = [{'video-id': x['video'], 't-start': x['t_start'], 't-end': x['t_end']}
             for x in gt if x['label'] == c]
        p = [{'video-id': x['video'], 't-start': x['t_start'], 't-end': x['t_end'],
              'score': x['score']} for x in preds if x['label'] == c]
        aps.append(compute_average_precision_detection(g, p, thr))
    return np.mean(aps, axis=0)  # [T]


@pytest.mark.parametrize('seed', range(6))
def test_grid_aligned_ties_match_mmaction2_and_the_official_order(seed, monkeypatch):
    """Quantised boundaries and tied scores: equal to mmaction2's code at every threshold.

    mmaction2 ranks with a stable sort on -score (ties in input order), our ``'stable'``, and
    stores tIoU in float32 (the official code keeps float64, which decides hits at quantised
    boundaries): the reference runs with a float64 tIoU patched in.
    For the official order, the predictions of each class are handed to the same reference
    already ranked by the official call ``np.argsort(scores_c)[::-1]`` (computed here
    directly), so its stable sort keeps that order.
    """
    import mmaction.evaluation.functional.eval_detection as ed
    monkeypatch.setattr(ed, 'pairwise_temporal_iou', float64_pairwise_temporal_iou)
    gt, preds = _grid_case(seed)
    thr = np.linspace(0.5, 0.95, 10)
    stable = anet_detection_map(gt, preds, tie_order='stable')
    ref = _mmaction2_map(gt, preds)
    np.testing.assert_allclose([stable[f'mAP@{t:.2f}'] for t in thr], ref, atol=1e-12)
    ranked = []
    for c in dict.fromkeys(p['label'] for p in preds):
        mine = [p for p in preds if p['label'] == c]
        ranked += [mine[i] for i in np.argsort(np.array([p['score'] for p in mine]))[::-1]]
    official = anet_detection_map(gt, preds)
    ref_official = _mmaction2_map(gt, ranked)
    np.testing.assert_allclose([official[f'mAP@{t:.2f}'] for t in thr], ref_official,
                               atol=1e-12)
    # the tie order matters on this data (otherwise the test could not tell them apart)
    if seed == 0:
        assert not np.allclose(ref, ref_official)


def test_grouped_argsort_desc_is_the_official_call():
    rng = np.random.RandomState(0)
    scores = rng.randint(0, 4, 200) / 4.0
    group = rng.randint(0, 5, 200)
    order = grouped_argsort_desc(scores, group)
    assert sorted(order.tolist()) == list(range(200))
    for g in range(5):
        idx = np.nonzero(group == g)[0]
        np.testing.assert_array_equal(order[group[order] == g],
                                      idx[np.argsort(scores[idx])[::-1]])

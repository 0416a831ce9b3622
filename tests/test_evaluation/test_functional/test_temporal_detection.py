import json
import os.path as osp

import numpy as np
import pytest

from mmfine.evaluation.functional import anet_detection_map, segment_iou_matrix, voc_ap


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
    # all scores equal: ties keep the input order (TP first here)
    out = anet_detection_map(gt, [_p('v', 0, 10, 0.5), _p('v', 50, 60, 0.5)], (0.5,))
    assert out['mAP'] == pytest.approx(1.0)
    out = anet_detection_map(gt, [_p('v', 50, 60, 0.5), _p('v', 0, 10, 0.5)], (0.5,))
    assert out['mAP'] == pytest.approx(0.5)


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

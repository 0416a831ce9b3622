import numpy as np
import pytest

from mmfine.evaluation.functional import frame_map, pair_box_iou, video_map
from mmfine.testing.eval_data import stal_inputs
from mmfine.testing.mmaction2_reference import multisports_inputs, numpy2_iou3dt_voc

LABELS = ['a', 'b', 'c']


def _tube(video, label, frames, box):
    return dict(video=video, label=label,
                boxes=np.array([[f, *box] for f in frames], np.float64))


def _det(video, frame, label, score, box):
    return dict(video=video, frame=frame, label=label, score=score, box=box)


def test_pair_box_iou_conventions():
    a, b = np.array([[0., 0, 10, 10]]), np.array([[5., 0, 15, 10]])
    # voc: inter 5*10 = 50, union 100 + 100 - 50 = 150
    assert pair_box_iou(a, b)[0] == pytest.approx(50 / 150)
    # act: sizes +1: inter 6*11 = 66, areas 121 each -> 66 / (242 - 66)
    assert pair_box_iou(a, b, plus_one=True)[0] == pytest.approx(66 / 176)


def test_frame_map_hand_computed_voc_vs_act():
    gt = [_tube('v', 0, [1, 2], [0, 0, 10, 10]), _tube('v', 0, [1], [0, 0, 9, 10])]
    dets = [
        _det('v', 1, 0, 0.9, [0, 0, 10, 10]),  # both GT boxes of frame 1 overlap; best = gt0
        _det('v', 1, 0, 0.8, [0, 0, 10, 10]),  # best is gt0 again (taken)
        _det('v', 2, 0, 0.7, [0, 0, 10, 10]),  # frame 2: gt0 -> TP
        _det('v', 3, 0, 0.6, [0, 0, 10, 10]),  # no GT on frame 3 -> FP
    ]
    # voc: TP FP TP FP with 3 GT boxes; precision 1, 1/2, 2/3, 1/2; recall 1/3 1/3 2/3 2/3
    #   AP = 1/3 * 1 + 1/3 * 2/3 = 5/9
    assert frame_map(gt, dets, LABELS)['mAP'] == pytest.approx(5 / 9)
    # act: the second detection takes the free gt1 (IoU 0.9) -> TP TP TP FP
    #   points (0,1) (1/3,1) (2/3,1) (1,1) (1,3/4): trapezoids sum to 1
    out = frame_map(gt, dets, LABELS, convention='act')
    assert out['mAP'] == pytest.approx(1.0)
    assert list(out['per_class']) == ['a']  # classes without ground truth are skipped


def test_frame_map_act_trapezoid_is_not_interpolated():
    gt = [_tube('v', 1, [1], [0, 0, 10, 10]), _tube('v', 1, [2], [0, 0, 10, 10])]
    dets = [_det('v', 5, 1, 0.9, [0, 0, 10, 10]), _det('v', 1, 1, 0.8, [0, 0, 10, 10]),
            _det('v', 2, 1, 0.7, [0, 0, 10, 10])]
    # FP TP TP: points (0,1) (0,0) (1/2,1/2) (1,2/3)
    # act: 0 + 1/2 * (0 + 1/2) / 2 + 1/2 * (1/2 + 2/3) / 2 = 1/8 + 7/24 = 5/12
    assert frame_map(gt, dets, LABELS, convention='act')['mAP'] == pytest.approx(5 / 12)
    # voc: envelope 2/3 over recall (0, 1] -> 2/3
    assert frame_map(gt, dets, LABELS)['mAP'] == pytest.approx(2 / 3)


def test_frame_map_edge_cases():
    gt = [_tube('v', 0, [1], [0, 0, 10, 10])]
    assert frame_map(gt, [], LABELS)['mAP'] == 0.0  # no detections
    # all scores equal: ties keep the input order
    d_tp, d_fp = _det('v', 1, 0, 0.5, [0, 0, 10, 10]), _det('v', 1, 0, 0.5, [50, 50, 60, 60])
    assert frame_map(gt, [d_tp, d_fp], LABELS)['mAP'] == pytest.approx(1.0)
    assert frame_map(gt, [d_fp, d_tp], LABELS)['mAP'] == pytest.approx(0.5)
    # several thresholds in one pass
    out = frame_map(gt, [_det('v', 1, 0, 0.5, [0, 0, 10, 5])], LABELS, iou_thr=(0.4, 0.6))
    assert out['mAP@0.40'] == 1.0 and out['mAP@0.60'] == 0.0


def test_video_map_hand_computed():
    g = _tube('v', 0, range(1, 11), [0, 0, 10, 10])  # frames 1..10
    d = _tube('v', 0, range(6, 16), [0, 0, 10, 5])  # frames 6..15, half the box
    d['score'] = 0.9
    # voc: temporal (10 - 6) / (15 - 1) = 4/14; spatial IoU 0.5 -> 1/7
    assert video_map([g], [d], LABELS, iou_thr=0.14)['mAP'] == 1.0
    assert video_map([g], [d], LABELS, iou_thr=0.15)['mAP'] == 0.0
    # act: temporal (4 + 1) / (14 + 1) = 1/3, spatial 66/121 (sizes 11x11 vs 11x6)
    st = (1 / 3) * 66 / 121
    assert video_map([g], [d], LABELS, st - 1e-9, 'act')['mAP'] == 1.0
    assert video_map([g], [d], LABELS, st + 1e-9, 'act')['mAP'] == 0.0


def test_video_map_one_frame_tubes():
    g = _tube('v', 2, [7], [0, 0, 10, 10])
    d = dict(_tube('v', 2, [7], [0, 0, 10, 10]), score=1.0)
    # voc divides 0 frames by 0 frames: the official code gets NaN (never matched), we give 0
    assert video_map([g], [d], LABELS, 0.5)['mAP'] == 0.0
    # act counts frames inclusively: 1 / 1
    assert video_map([g], [d], LABELS, 0.5, 'act')['mAP'] == 1.0


@pytest.mark.parametrize('bad, match', [
    (dict(score=-1.0), r'detections\[0\] has an invalid score'),
    (dict(score=float('nan')), r'detections\[0\] has an invalid score'),
    (dict(box=[10, 0, 0, 10]), r'detections\[0\] has a box with x2 < x1'),
    (dict(label=7), r'detections\[0\] has label 7'),
    (dict(frame=1.5), r'detections\[0\] has a non-integer frame'),
])
def test_frame_map_invalid_detections(bad, match):
    det = dict(_det('v', 1, 0, 0.5, [0, 0, 10, 10]), **bad)
    with pytest.raises(ValueError, match=match):
        frame_map([_tube('v', 0, [1], [0, 0, 10, 10])], [det], LABELS)


def test_video_map_tube_with_a_gap():
    """A frame inside the overlap where a tube has no box counts as box IoU 0."""
    gt = [_tube('v', 0, [1, 2, 3], [0, 0, 10, 10])]
    det = dict(_tube('v', 0, [1, 3], [0, 0, 10, 10]), score=0.9)  # no box at frame 2
    # temporal IoU (3 - 1) / (3 - 1) = 1; box IoU 1, 0, 1 over frames 1..3 -> ST-IoU 2/3
    res = video_map(gt, [det], LABELS, iou_thr=[0.6, 0.7])
    assert (res['mAP@0.60'], res['mAP@0.70']) == (1.0, 0.0)
    # the same with the gap on the ground-truth side
    res = video_map([_tube('v', 0, [1, 3], [0, 0, 10, 10])],
                    [dict(_tube('v', 0, [1, 2, 3], [0, 0, 10, 10]), score=0.9)], LABELS,
                    iou_thr=[0.6, 0.7])
    assert (res['mAP@0.60'], res['mAP@0.70']) == (1.0, 0.0)


def test_invalid_tubes():
    dup = dict(video='v', label=0, boxes=np.array([[1, 0, 0, 5, 5], [1, 0, 0, 5, 5.]]))
    with pytest.raises(ValueError, match=r'gt_tubes\[0\] has frame 1 twice'):
        frame_map([dup], [], LABELS)
    flipped = _tube('v', 0, [1, 2], [5, 0, 0, 5])
    with pytest.raises(ValueError, match=r'gt_tubes\[0\] has a box with x2 < x1'):
        video_map([flipped], [], LABELS)
    with pytest.raises(ValueError, match=r'det_tubes\[0\] boxes must be a non-empty'):
        video_map([_tube('v', 0, [1], [0, 0, 5, 5])],
                  [dict(video='v', label=0, score=1., boxes=np.zeros((0, 5)))], LABELS)
    # a detection tube that meets no ground truth (other video) is not read: no error
    res = video_map([_tube('v', 0, [1], [0, 0, 5, 5])],
                    [dict(video='w', label=0, score=1., boxes=np.zeros((0, 5)))], LABELS)
    assert res['mAP'] == 0.0
    with pytest.raises(ValueError, match=r"det_tubes\[0\] has no key 'score'"):
        video_map([_tube('v', 0, [1], [0, 0, 5, 5])], [_tube('v', 0, [1], [0, 0, 5, 5])],
                  LABELS)
    with pytest.raises(ValueError, match='convention must be one of'):
        frame_map([_tube('v', 0, [1], [0, 0, 5, 5])], [], LABELS, convention='coco')


def test_mmaction2_video_ap_fails_on_numpy2_as_shipped():
    """Upstream bug pinned: ``int(np.where(...)[0])`` raises on numpy >= 2 for one-element
    arrays, so mmaction2's videoAP cannot run on our stack without a patch."""
    from mmaction.evaluation.functional.multisports_utils import iou3dt_voc
    b = np.array([[1, 0, 0, 5, 5], [2, 0, 0, 5, 5]], np.float64)
    if int(np.__version__.split('.')[0]) < 2:
        pytest.skip('numpy < 2')
    with pytest.raises(TypeError):
        iou3dt_voc(b, b)


def test_matches_mmaction2_multisports(monkeypatch):
    import mmaction.evaluation.functional.multisports_utils as ms
    monkeypatch.setattr(ms, 'iou3dt_voc', numpy2_iou3dt_voc())
    d = stal_inputs(num_videos=80, num_classes=6, seed=3)
    gt, alldets, tubes = multisports_inputs(d)
    ref = ms.frameAP(gt, alldets, 0.5, print_info=False) / 100
    assert frame_map(d['gt_tubes'], d['detections'], d['labels'])['mAP'] == pytest.approx(
        ref, abs=1e-9)
    ours = video_map(d['gt_tubes'], d['det_tubes'], d['labels'], (0.2, 0.5))
    for thr in (0.2, 0.5):
        ref = ms.videoAP(gt, tubes, thr, print_info=False) / 100
        assert ours[f'mAP@{thr:.2f}'] == pytest.approx(ref, abs=1e-9)
        assert 0 < ref < 1

"""TubeLinker: per-frame detections -> tubes (hand-built cases), and the metric using it."""
import numpy as np
import pytest

from mmfine.evaluation import FrameVideoMAPMetric
from mmfine.models.task_modules import TubeLinker


def _track(frames, x0, dx=1.0, score=0.9, label=0):
    frames = np.asarray(frames)
    boxes = np.stack([x0 + dx * frames, np.full(len(frames), 10.),
                      x0 + dx * frames + 20, np.full(len(frames), 50.)], 1)
    return frames, np.full(len(frames), label), np.full(len(frames), score), boxes


def _cat(*tracks):
    return [np.concatenate(v) for v in zip(*tracks)]


def test_two_tracks_become_two_tubes_with_mean_scores():
    a = _track(range(1, 21), 0, score=0.9)
    b = _track(range(5, 25), 100, score=0.5)
    b[2][:] = np.linspace(0.4, 0.6, 20)  # mean 0.5
    tubes = TubeLinker(min_len=5)(*_cat(a, b))
    assert [len(t['boxes']) for t in tubes] == [20, 20]
    assert tubes[0]['score'] == pytest.approx(0.9) and tubes[1]['score'] == pytest.approx(0.5)
    assert tubes[1]['boxes'][0, 0] == 5 and tubes[1]['boxes'][-1, 0] == 24
    np.testing.assert_allclose(tubes[0]['boxes'][:, 1:], a[3])


def test_link_takes_the_best_overlapping_detection_and_nms():
    f, l, s, b = _track(range(1, 11), 0)
    # a duplicate (IoU > 0.6 with the track) of lower score on every frame: removed by NMS
    dup = b + np.array([1., 0, 1, 0])
    tubes = TubeLinker(min_len=1)(*_cat((f, l, s, b), (f, l, s * 0.5, dup)))
    assert len(tubes) == 1 and tubes[0]['score'] == pytest.approx(0.9)
    # without NMS the duplicate forms a second tube, the best detection extends the first
    tubes = TubeLinker(min_len=1, nms_iou=1.0)(*_cat((f, l, s, b), (f, l, s * 0.5, dup)))
    assert [t['score'] for t in tubes] == pytest.approx([0.9, 0.45])


def test_gaps_min_len_min_score_and_classes():
    f, l, s, b = _track([1, 2, 3, 5, 6, 7], 0)
    assert [len(t['boxes']) for t in TubeLinker(min_len=1)(f, l, s, b)] == [3, 3]
    tubes = TubeLinker(min_len=1, max_gap=1)(f, l, s, b)
    assert len(tubes) == 1 and tubes[0]['boxes'][:, 0].tolist() == [1, 2, 3, 4, 5, 6, 7]
    np.testing.assert_allclose(tubes[0]['boxes'][3, 1], 4.0)  # interpolated frame 4
    assert TubeLinker(min_len=8, max_gap=1)(f, l, s, b) == []
    assert TubeLinker(min_len=1, min_score=0.95)(f, l, s, b) == []
    assert TubeLinker(min_len=1, det_score_thr=0.95)(f, l, s, b) == []
    # the same boxes under two classes are linked separately
    tubes = TubeLinker(min_len=1, max_gap=1)(*_cat((f, l, s, b), (f, l + 1, s * 0.5, b)))
    assert sorted(t['label'] for t in tubes) == [0, 1]


def test_class_agnostic_linking_survives_class_flips():
    # one player on frames 1-10, reported with two classes per frame; the best class flips
    # from 0 to 1 on frames 4-5 (class 0: 0.6 / 0.3, class 1: 0.2 / 0.5)
    f, _, _, b = _track(range(1, 11), 0)
    s0 = np.where((f == 4) | (f == 5), 0.3, 0.6)
    s1 = np.where((f == 4) | (f == 5), 0.5, 0.2)
    rows = _cat((f, np.zeros(10), s0, b), (f, np.ones(10), s1, b))
    # per class (MultiSports): class 0's tube has a hole at 4-5 and breaks into 3 + 5 frames,
    # class 1 gets a 2-frame tube
    per_class = TubeLinker(min_len=1, det_score_thr=0.35)(*rows)
    assert sorted(len(t['boxes']) for t in per_class if t['label'] == 0) == [3, 5]
    assert [len(t['boxes']) for t in per_class if t['label'] == 1] == [2]
    # class-agnostic: one track of 10 frames, reported once per class with its mean score
    # (every row of a kept detection counts, also those below det_score_thr)
    tubes = TubeLinker(min_len=1, det_score_thr=0.35, class_agnostic=True)(*rows)
    assert [t['label'] for t in tubes] == [0, 1]
    assert [len(t['boxes']) for t in tubes] == [10, 10]
    assert tubes[0]['score'] == pytest.approx((8 * 0.6 + 2 * 0.3) / 10)
    assert tubes[1]['score'] == pytest.approx((8 * 0.2 + 2 * 0.5) / 10)
    np.testing.assert_allclose(tubes[0]['boxes'][:, 1:], b)
    # min_score drops a class's copy, not the track; min_len still applies to the track
    tubes = TubeLinker(min_len=1, min_score=0.3, class_agnostic=True)(*rows)
    assert [t['label'] for t in tubes] == [0]
    assert TubeLinker(min_len=11, class_agnostic=True)(*rows) == []
    # two players stay two tracks (the second, only ever class 1, has no class-0 copy: its
    # mean class-0 score 0 is below min_score); no detections give no tubes
    g = _track(range(1, 11), 100, score=0.4, label=1)
    tubes = TubeLinker(min_len=1, class_agnostic=True)(*_cat(rows, g))
    assert [(t['label'], round(t['score'], 2)) for t in tubes] == [(0, 0.54), (1, 0.4),
                                                                   (1, 0.26)]
    assert tubes[1]['boxes'][0, 1] == 101 and {len(t['boxes']) for t in tubes} == {10}
    assert TubeLinker(class_agnostic=True)(np.zeros(0), np.zeros(0), np.zeros(0),
                                           np.zeros((0, 4))) == []


def test_smooth_window_averages_the_boxes_over_frames():
    f, l, s, b = _track(range(1, 8), 0)
    jitter = b.copy()
    jitter[1::2, [0, 2]] += 2.0  # frames 2, 4, 6 shifted right by 2 px
    raw = TubeLinker(min_len=1)(f, l, s, jitter)[0]['boxes']
    np.testing.assert_allclose(raw[:, 1:], jitter)
    smooth = TubeLinker(min_len=1, smooth_window=3)(f, l, s, jitter)[0]['boxes']
    # inside: the mean of 3 frames (a straight track stays on its line, the jitter averages)
    x1 = jitter[:, 0]
    np.testing.assert_allclose(smooth[1:-1, 1], (x1[:-2] + x1[1:-1] + x1[2:]) / 3)
    # the ends average the frames they have
    assert smooth[0, 1] == pytest.approx(x1[:2].mean())
    assert smooth[-1, 1] == pytest.approx(x1[-2:].mean())
    np.testing.assert_allclose(smooth[:, [2, 4]], jitter[:, [1, 3]])  # y untouched
    with pytest.raises(ValueError, match='smooth_window'):
        TubeLinker(smooth_window=0)


def test_linker_rejects_bad_input():
    with pytest.raises(ValueError, match='one row per detection'):
        TubeLinker()(np.arange(3), np.zeros(3), np.ones(2), np.zeros((3, 4)))
    with pytest.raises(ValueError, match='max_gap'):
        TubeLinker(max_gap=-1)


def test_metric_links_frame_detections_into_tubes():
    """Perfect frame detections give frame-mAP 1 and, once linked, video-mAP 1; a wrong
    class gives 0 for both."""
    gt_boxes = np.concatenate([np.arange(3, 19)[:, None], _track(range(3, 19), 0)[3]], 1)
    gt = [dict(label=1, boxes=gt_boxes)]

    def run(label):
        metric = FrameVideoMAPMetric(classes=['a', 'b'], linker=dict(
            type='TubeLinker', min_len=8))
        for fr in range(1, 21):  # one sample per clip / keyframe, like PoSTAL's test
            dets = dict(frame=np.zeros(0), label=np.zeros(0), score=np.zeros(0),
                        box=np.zeros((0, 4)))
            if 3 <= fr <= 18:
                row = gt_boxes[fr - 3]
                dets = dict(frame=np.array([fr]), label=np.array([label]),
                            score=np.array([0.8]), box=row[None, 1:])
            metric.process({}, [dict(video_id='v', gt_video_tubes=gt, pred_frame_dets=dets)])
        return metric.compute_metrics(metric.results)

    res = run(1)
    assert res['frame_mAP@0.50'] == pytest.approx(1.0)
    assert res['video_mAP@0.20'] == pytest.approx(1.0)
    assert res['video_mAP@0.50'] == pytest.approx(1.0)
    res = run(0)
    assert res['frame_mAP@0.50'] == 0 and res['video_mAP@0.50'] == 0


def test_metric_reports_zero_video_map_when_nothing_links():
    gt = [dict(label=0, boxes=np.array([[1, 0, 0, 10, 10], [2, 0, 0, 10, 10.]]))]
    metric = FrameVideoMAPMetric(classes=['a'], linker=dict(type='TubeLinker', min_len=5))
    dets = dict(frame=np.array([1]), label=np.array([0]), score=np.array([0.5]),
                box=np.array([[0, 0, 10, 10.]]))
    metric.process({}, [dict(video_id='v', gt_video_tubes=gt, pred_frame_dets=dets)])
    res = metric.compute_metrics(metric.results)
    assert res['video_mAP@0.20'] == 0 and res['video_mAP@0.50'] == 0
    assert res['frame_mAP@0.50'] == pytest.approx(0.5)

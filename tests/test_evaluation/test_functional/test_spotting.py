from collections import defaultdict

import numpy as np
import pytest

from mmfine.evaluation.functional import spot_nms, spotting_map


def _naive_spot_map(truth, preds, tol):
    """Loop-by-loop statement of the E2E-Spot rule (our own oracle, not the official code)."""
    by_label = defaultdict(lambda: defaultdict(list))
    for x in truth:
        for e in x['events']:
            by_label[e['label']][x['video']].append(e['frame'])
    aps = []
    for label, events in sorted(by_label.items()):
        ranked = sorted([(x['video'], e['frame'], e['score']) for x in preds
                         for e in x['events'] if e['label'] == label], key=lambda z: -z[2])
        total = sum(len(v) for v in events.values())
        recalled, at_hits = set(), []
        for i, (video, frame, _) in enumerate(ranked, 1):
            free = [g for g in events.get(video, []) if (video, g) not in recalled]
            if free:
                best = min(free, key=lambda g: abs(frame - g))  # first on ties
                if abs(frame - best) <= tol:
                    recalled.add((video, best))
                    at_hits.append(len(recalled) / i)
        interp = [max(at_hits[k:]) for k in range(len(at_hits))]
        aps.append(sum(interp) / total)
    return float(np.mean(aps))


def test_hand_computed():
    truth = [dict(video='v', events=[dict(label='a', frame=10), dict(label='a', frame=20)])]
    preds = [dict(video='v', events=[
        dict(label='a', frame=11, score=0.9),  # 1 frame from 10
        dict(label='a', frame=30, score=0.8),  # 10 from 20
        dict(label='a', frame=20, score=0.7)])]  # exact
    out = spotting_map(truth, preds, tolerances=(0, 1))
    # tol 0: FP FP TP -> precision at the hit 1/3 -> AP = (1/3) / 2 = 1/6
    # tol 1: TP FP TP -> precisions 1, 2/3 -> interpolated 1, 2/3 -> AP = 5/6
    assert out['mAP@0'] == pytest.approx(1 / 6)
    assert out['mAP@1'] == pytest.approx(5 / 6)
    assert out['mAP'] == pytest.approx(0.5)


def test_closest_free_event_and_duplicates():
    truth = [dict(video='v', events=[dict(label='a', frame=10), dict(label='a', frame=14)])]
    preds = [dict(video='v', events=[dict(label='a', frame=12, score=0.9),
                                     dict(label='a', frame=13, score=0.8)])]
    # the first prediction is 2 from both events: the first listed (10) wins; the second
    # then takes 14 (distance 1) -> both TP at tolerance 2
    assert spotting_map(truth, preds, (2,))['mAP'] == pytest.approx(1.0)
    # two events on one frame are recalled together but both count
    dup = [dict(video='v', events=[dict(label='a', frame=10), dict(label='a', frame=10)])]
    one = [dict(video='v', events=[dict(label='a', frame=10, score=1.0)])]
    assert spotting_map(dup, one, (0,))['mAP'] == pytest.approx(0.5)


def test_matches_naive_statement_with_ties_and_nms():
    rng = np.random.default_rng(1)
    truth, preds = [], []
    for v in range(15):
        truth.append(dict(video=f'v{v}', events=[
            dict(label=str(rng.integers(3)), frame=int(f)) for f in rng.integers(0, 200, 8)]))
        preds.append(dict(video=f'v{v}', events=[
            dict(label=str(rng.integers(4)), frame=int(f), score=float(np.round(rng.random(), 1)))
            for f in rng.integers(0, 200, 30)]))
    out = spotting_map(truth, preds, (0, 1, 2, 4, 8))
    for t in (0, 1, 2, 4, 8):
        assert out[f'mAP@{t}'] == pytest.approx(_naive_spot_map(truth, preds, t), abs=1e-12)
    # NMS: same as running the rule on the suppressed list ordered as the official script does
    kept = []
    for x in preds:
        evs = [e for e in x['events'] if not any(
            o['label'] == e['label'] and o['frame'] != e['frame'] and
            abs(o['frame'] - e['frame']) <= 5 and o['score'] > e['score'] for o in x['events'])]
        groups = defaultdict(list)
        for e in evs:
            groups[e['label']].append(e)
        kept.append(dict(video=x['video'], events=sorted(
            [e for g in groups.values() for e in g], key=lambda e: e['frame'])))
    out = spotting_map(truth, preds, (0, 2, 8), nms_window=5)
    for t in (0, 2, 8):
        assert out[f'mAP@{t}'] == pytest.approx(_naive_spot_map(truth, kept, t), abs=1e-12)


def test_spot_nms():
    group = np.array([0, 0, 0, 1, 0])
    frame = np.array([10, 12, 20, 12, 10])
    score = np.array([0.5, 0.9, 0.1, 0.1, 0.95])
    # 10 (0.5) suppressed by 12 (0.9); 12 (0.9) is not suppressed by 10 (0.95)? it is:
    # 0.95 at frame 10 is 2 away and higher -> dropped; 20 is 8 away from the rest -> kept;
    # other group kept; 0.95 at 10 has nothing higher -> kept
    assert spot_nms(group, frame, score, 3).tolist() == [False, False, True, True, True]


def test_invalid_input():
    truth = [dict(video='v', events=[dict(label='a', frame=1)])]
    with pytest.raises(ValueError, match="preds\\[0\\] is for video 'w'"):
        spotting_map(truth, [dict(video='w', events=[])])
    with pytest.raises(ValueError, match='invalid score'):
        spotting_map(truth, [dict(video='v', events=[dict(label='a', frame=1, score=-1)])])
    with pytest.raises(ValueError, match="label 'z', not in classes"):
        spotting_map(truth, [dict(video='v', events=[dict(label='z', frame=1, score=1)])],
                     classes=['a'])
    with pytest.raises(ValueError, match="has no key 'score'"):
        spotting_map(truth, [dict(video='v', events=[dict(label='a', frame=1)])])


def test_spot_nms_is_local_maximum_suppression_not_greedy():
    """A rising chain 10 (0.5), 11 (0.6), 12 (0.7) with window 1: E2E-Spot keeps 12 only (10
    is dropped by 11, itself dropped); greedy NMS would keep 12 and 10."""
    group = np.zeros(3, np.int64)
    frame = np.array([10, 11, 12])
    score = np.array([0.5, 0.6, 0.7])
    assert spot_nms(group, frame, score, 1).tolist() == [False, False, True]
    # equal scores are all kept
    assert spot_nms(group, frame, np.full(3, 0.4), 1).tolist() == [True, True, True]


def test_window_stitching_means_overlaps_and_covers_every_frame():
    from mmfine.evaluation.functional import (WindowScoreStitcher, scores_to_events,
                                              stitch_window_scores)
    from mmfine.fileio import sliding_window_starts
    rng = np.random.default_rng(0)
    N, L = 23, 10
    full = rng.random((N + 5, 3))
    starts = sliding_window_starts(N, L, L // 2)
    windows = [full[s:s + L] + 0.0 for s in starts]
    out = stitch_window_scores(N, starts, windows)
    assert out.shape == (N, 3)
    assert np.allclose(out, full[:N], atol=1e-6)  # same scores per frame -> the same mean
    # different values in an overlap are averaged
    st = WindowScoreStitcher(4, 2)
    st.add(0, np.array([[1, 0], [1, 0], [1, 0]]))
    st.add(2, np.array([[0, 1], [0, 1], [0, 1]]))  # the last row falls outside the video
    assert np.allclose(st.result(), [[1, 0], [1, 0], [0.5, 0.5], [0, 1]])
    gap = WindowScoreStitcher(5, 2)
    gap.add(0, np.ones((2, 2)))
    with pytest.raises(ValueError, match='covered by no window'):
        gap.result()
    ev = scores_to_events(np.array([[0.9, 0.05, 0.005], [0.2, 0.3, 0.5]]), 0.01)
    assert ev['frames'].tolist() == [0, 1, 1] and ev['labels'].tolist() == [0, 0, 1]
    assert np.allclose(ev['scores'], [0.05, 0.3, 0.5])

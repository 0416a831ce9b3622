"""Property tests: every value stays in [0, 1] and shuffling the inputs changes nothing.

Scores are drawn distinct: with ties, the conventions rank by input order on purpose. The
ground-truth order is kept: it breaks similarity ties by convention (a detection box that contains
two equal ground-truth boxes has the same IoU with both; an event halfway between two), so only
the predictions are shuffled.
"""
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from mmfine.evaluation.functional import (anet_detection_map, anet_proposal_ar_an, frame_map,
                                          spotting_map, video_map)

# derandomize: the same examples on every run, so CI results do not depend on luck
SETTINGS = settings(max_examples=40, deadline=None, derandomize=True, database=None)
LABELS = ['a', 'b', 'c']


def _values(d):
    for k, v in d.items():
        if isinstance(v, dict):
            yield from _values(v)
        elif isinstance(v, (list, tuple)):
            yield from np.ravel(v).tolist()
        else:
            yield v


def _in_unit(d, skip=()):
    vals = list(_values({k: v for k, v in d.items() if k not in skip}))
    return all(0.0 <= v <= 1.0 for v in vals)


@st.composite
def stal_case(draw):
    seed = draw(st.integers(0, 10_000))
    rng = np.random.default_rng(seed)
    n_gt, n_det = draw(st.integers(1, 6)), draw(st.integers(0, 12))
    gt, tubes = [], []
    for i in range(n_gt):
        s = int(rng.integers(1, 10))
        f = np.arange(s, s + int(rng.integers(1, 8)))
        xy = rng.uniform(0, 50, 2)
        gt.append(dict(video=f'v{rng.integers(3)}', label=int(rng.integers(3)),
                       boxes=np.column_stack([f, np.tile([*xy, *(xy + 20)], (len(f), 1))])))
    scores = rng.permutation(n_det) / max(n_det, 1) + 0.01  # distinct
    for i in range(n_det):
        src = gt[int(rng.integers(n_gt))]
        b = src['boxes'].copy()
        b[:, 1:] += rng.normal(0, 6, (len(b), 4))
        b[:, 3:] = np.maximum(b[:, 3:], b[:, 1:3])
        tubes.append(dict(video=src['video'] if rng.random() < .8 else 'v9',
                          label=int(rng.integers(3)), score=float(scores[i]), boxes=b))
    perm = draw(st.permutations(range(n_det)))
    return gt, tubes, list(perm)


@SETTINGS
@given(stal_case(), st.sampled_from(['voc', 'act']))
def test_frame_and_video_map_properties(case, convention):
    gt, tubes, perm = case
    dets = [dict(video=t['video'], frame=int(r[0]), label=t['label'],
                 score=t['score'] * (1 - 1e-3 * k), box=r[1:])
            for t in tubes for k, r in enumerate(t['boxes'])]
    shuffled = [tubes[i] for i in perm]
    rng = np.random.default_rng(len(dets))
    for fn, a, b in ((frame_map, dets, [dets[i] for i in rng.permutation(len(dets))]),
                     (video_map, tubes, shuffled)):
        out = fn(gt, a, LABELS, 0.3, convention)
        assert _in_unit(out)
        again = fn(gt, b, LABELS, 0.3, convention)
        assert again['mAP'] == out['mAP']
        assert again['per_class'] == out['per_class']


@st.composite
def tal_case(draw):
    rng = np.random.default_rng(draw(st.integers(0, 10_000)))
    gt = [dict(video=f'v{rng.integers(3)}', t_start=float(s), t_end=float(s + rng.uniform(1, 20)),
               label=int(rng.integers(2)), duration=60.0) for s in rng.uniform(0, 40, 5)]
    n = draw(st.integers(0, 30))
    scores = rng.permutation(n) / max(n, 1) + 0.01
    preds = [dict(video=f'v{rng.integers(4)}', t_start=float(s), t_end=float(s + rng.uniform(0, 30)),
                  label=int(rng.integers(2)), score=float(c)) for s, c in
             zip(rng.uniform(-5, 50, n), scores)]
    return gt, preds, list(draw(st.permutations(range(n))))


@SETTINGS
@given(tal_case())
def test_temporal_metrics_properties(case):
    gt, preds, perm = case
    gt = [g for g in gt if g['video'] != 'v3']
    shuffled = [preds[i] for i in perm]
    det = anet_detection_map(gt, [p for p in preds if p['label'] in {g['label'] for g in gt}])
    det2 = anet_detection_map(gt, [p for p in shuffled
                                         if p['label'] in {g['label'] for g in gt}])
    assert _in_unit(det) and det['mAP'] == det2['mAP']
    for iou in ('standard', 'fineaction'):
        ar = anet_proposal_ar_an(gt, preds, max_avg_proposals=10, iou=iou, ar_at=(1, 10))
        ar2 = anet_proposal_ar_an(gt, shuffled, max_avg_proposals=10, iou=iou, ar_at=(1, 10))
        assert _in_unit(ar, skip=('proposals_per_video',))
        assert ar['AUC'] == ar2['AUC'] and ar['AR@10'] == ar2['AR@10']


@SETTINGS
@given(st.integers(0, 10_000), st.sampled_from([None, 3]))
def test_spotting_properties(seed, nms):
    rng = np.random.default_rng(seed)
    truth = [dict(video=f'v{v}', events=[dict(label=int(rng.integers(2)), frame=int(f))
                                         for f in rng.integers(0, 50, 3)]) for v in range(3)]
    n = 15
    scores = rng.permutation(n) / n + 0.01
    events = [dict(video=f'v{rng.integers(3)}', label=int(rng.integers(2)),
                   frame=int(rng.integers(0, 50)), score=float(s)) for s in scores]

    def group(evs):
        out = {}
        for e in evs:
            out.setdefault(e['video'], []).append(
                dict(label=e['label'], frame=e['frame'], score=e['score']))
        return [dict(video=v, events=x) for v, x in out.items()]

    out = spotting_map(truth, group(events), (0, 2, 5), nms)
    again = spotting_map(truth, group([events[i] for i in rng.permutation(n)]), (0, 2, 5),
                         nms)
    assert _in_unit(out)
    assert out == again

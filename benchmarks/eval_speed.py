"""Speed and agreement of mmfine's evaluation functions vs mmaction2 1.2.0, in one run.

    python benchmarks/eval_speed.py [--seed 0] [--quick]

Inputs come from :mod:`mmfine.testing.eval_data` (seeded): FineSports scale (2,500 videos of
50-150 frames, one ground-truth tube each over 52 classes, 6 scored tubes per video turned into
frame detections) and FineAction scale (4,174 videos, 6 segments each over 106 classes, 100
labelled proposals per video). Each side is timed on its native input (mmaction2: its arrays /
dicts; mmfine: columnar dicts for frame detections, lists of dicts otherwise), best of
``--repeat`` runs, conversion of our inputs included.

mmaction2 is run with the smallest patches that make it run on this stack, printed below:
- ``multisports_utils.iou3dt_voc``: ``int(np.where(...)[0])`` -> ``[0][0]`` (numpy 2 refuses
  int() of a one-element array);
- ``np.trapz`` restored as ``np.trapezoid`` for ``average_recall_at_avg_proposals``, and its
  float32 casts (of segments and of ``pairwise_temporal_iou``'s output) made float64 like the
  official ActivityNet code: as shipped, float32 tIoU moves AR by up to 4e-5;
- video-mAP is given the detection tubes directly, so mmaction2's ``link_tubes`` (and its
  tube-score bug: every linked box gets the score of the last detection of the video) is not
  involved on either side.
"""
import argparse
import inspect
import json
import os
import platform
import tempfile
import time

import numpy as np


def best_of(fn, repeat):
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def patched_multisports():
    import mmaction.evaluation.functional.multisports_utils as ms
    from mmfine.testing.mmaction2_reference import numpy2_iou3dt_voc
    ms.iou3dt_voc = numpy2_iou3dt_voc()
    return ms


def finesports(args, rows):
    from mmfine.evaluation.functional import frame_map, video_map
    from mmfine.testing.eval_data import stal_inputs
    from mmfine.testing.mmaction2_reference import multisports_inputs
    ms = patched_multisports()
    d = stal_inputs(num_videos=args.stal_videos, seed=args.seed)
    det = d['detections']
    gt, alldets, tubes = multisports_inputs(d)
    n_det = len(det['score'])

    t_ref, ref = best_of(lambda: ms.frameAP(gt, alldets, 0.5, print_info=False) / 100, 1)
    t_ours, ours = best_of(lambda: frame_map(d['gt_tubes'], det, d['labels'])['mAP'],
                           args.repeat)
    rows.append((f'frame-mAP@0.5 ({args.stal_videos} videos, {n_det} dets)', t_ours, t_ref,
                 abs(ours - ref), ours))
    t_ref, ref = best_of(lambda: [ms.videoAP(gt, tubes, t, print_info=False) / 100
                                  for t in (0.2, 0.5)], args.repeat)
    t_ours, ours = best_of(lambda: video_map(d['gt_tubes'], d['det_tubes'], d['labels'],
                                             (0.2, 0.5)), args.repeat)
    ours = [ours['mAP@0.20'], ours['mAP@0.50']]
    rows.append((f'video-mAP@0.2+0.5 ({len(d["det_tubes"])} tubes)', t_ours, t_ref,
                 max(abs(a - b) for a, b in zip(ours, ref)), ours[1]))
    t_all, _ = best_of(lambda: (frame_map(d['gt_tubes'], det, d['labels']),
                                video_map(d['gt_tubes'], d['det_tubes'], d['labels'],
                                          (0.2, 0.5))), args.repeat)
    rows.append(('FineSports frame + video evaluation (ours, total)', t_all, float('nan'),
                 float('nan'), float('nan')))


def fineaction(args, rows):
    from mmaction.evaluation.functional import (ActivityNetLocalization,
                                                average_recall_at_avg_proposals)
    from mmfine.evaluation.functional import anet_detection_map, anet_proposal_ar_an
    from mmfine.testing.eval_data import tal_inputs
    from mmfine.testing.mmaction2_reference import proposal_inputs
    import mmaction.evaluation.functional.accuracy as acc
    if not hasattr(np, 'trapz'):
        np.trapz = np.trapezoid
    ns = dict(vars(acc))
    for fn in (acc.pairwise_temporal_iou, acc.average_recall_at_avg_proposals):
        exec(inspect.getsource(fn).replace('np.float32', 'np.float64'), ns)
    average_recall_at_avg_proposals = ns['average_recall_at_avg_proposals']
    d = tal_inputs(num_videos=args.tal_videos, seed=args.seed)
    gt, props = proposal_inputs(d)
    t_ref, ref = best_of(lambda: average_recall_at_avg_proposals(
        gt, props, len(d['preds']), 100), 1)
    t_ours, ours = best_of(lambda: anet_proposal_ar_an(d['gt'], d['preds']), args.repeat)
    diff = max(np.abs(np.array(ours['avg_recall']) - ref[1]).max(),
               abs(100 * ours['AUC'] - ref[3]) / 100)
    rows.append((f'AR@AN + AUC ({args.tal_videos} videos, {len(d["preds"])} proposals)',
                 t_ours, t_ref, diff, ours['AUC']))
    with tempfile.TemporaryDirectory() as tmp:
        gt_file, res_file = os.path.join(tmp, 'gt.json'), os.path.join(tmp, 'res.json')
        db = {}
        for g in d['gt']:
            db.setdefault('v_' + g['video'], dict(duration_second=g['duration'],
                                                  annotations=[]))['annotations'].append(
                dict(segment=[g['t_start'], g['t_end']], label=str(g['label'])))
        json.dump(db, open(gt_file, 'w'))
        res = {}
        for p in d['preds']:
            res.setdefault(p['video'], []).append(
                dict(segment=[p['t_start'], p['t_end']], label=str(p['label']),
                     score=p['score']))
        json.dump(dict(results=res), open(res_file, 'w'))
        ev = ActivityNetLocalization(gt_file, res_file, verbose=False)
        t_ref, ref = best_of(lambda: ev.evaluate()[1], 1)
    preds = [dict(p, label=str(p['label'])) for p in d['preds']]
    gts = [dict(g, label=str(g['label'])) for g in d['gt']]
    t_ours, ours = best_of(lambda: anet_detection_map(gts, preds)['mAP'], args.repeat)
    rows.append((f'detection mAP@[0.5:0.95] ({len(preds)} predictions)', t_ours, t_ref,
                 abs(ours - ref), ours))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--repeat', type=int, default=5, help='best of N for each side')
    parser.add_argument('--quick', action='store_true', help='1/10 of the sizes (smoke run)')
    args = parser.parse_args()
    args.stal_videos, args.tal_videos = (250, 417) if args.quick else (2500, 4174)
    rows = []
    finesports(args, rows)
    fineaction(args, rows)
    print(f'machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, '
          f'numpy {np.__version__}, seed {args.seed}')
    print(f'{"metric":62s} {"ours s":>8s} {"mmaction2 s":>12s} {"ratio":>7s} '
          f'{"max |diff|":>11s} {"value":>7s}')
    for name, t_ours, t_ref, diff, value in rows:
        ratio = t_ref / t_ours if t_ref == t_ref else float('nan')
        print(f'{name:62s} {t_ours:8.3f} {t_ref:12.3f} {ratio:7.1f} {diff:11.2e} {value:7.4f}')


if __name__ == '__main__':
    main()

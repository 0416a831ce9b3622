"""How well can each transition decoder do on the real FineDiving labels? (AIoU ceilings)

Every clip of the annotation file is sampled to ``--num-frames`` frames as training does
(:class:`SampleAQAFrames`, no jitter; absolute frame numbers from ``--coarse`` when given) and
its two ground-truth transitions are derived from the frame labels. Each decoder of
:class:`TransitionDecoder` then decodes a PERFECT probability map (1 at the true transitions,
0 elsewhere); the AIoU of those decodings against the truth is the best that decoder can ever
reach, whatever TAP predicts. Also printed: how many clips a decoder cannot express.

Usage::

    python tools/analysis_tools/fineparser_transition_ceiling.py \\
        ../shared/data/finediving_aqa/fine-grained_annotation_aqa.pkl \\
        --coarse ../shared/data/finediving_aqa/FineDiving_coarse_annotation.pkl \\
        [--split ../shared/data/finediving_aqa/test_split.pkl] [--out ceiling.json]
"""
import argparse
import json
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('ann_file', help='fine-grained_annotation_aqa.pkl')
    p.add_argument('--coarse', help='FineDiving_coarse_annotation.pkl (absolute frame numbers)')
    p.add_argument('--split', help='only the keys of this split pickle')
    p.add_argument('--num-frames', type=int, default=96)
    p.add_argument('--out', help='write the figures as json')
    args = p.parse_args()

    import numpy as np
    import torch

    from mmfine.datasets import (SampleAQAFrames, load_coarse_frames,
                                 load_finediving_annotations, load_split)
    from mmfine.evaluation.functional import aiou, mean_segment_ious
    from mmfine.models.task_modules import TRANSITION_DECODERS, TransitionDecoder

    ann = load_finediving_annotations(args.ann_file)
    coarse = load_coarse_frames(args.coarse) if args.coarse else {}
    keys = load_split(args.split) if args.split else sorted(ann)
    sampler = SampleAQAFrames(args.num_frames, test_mode=True)
    gts = []
    for key in keys:
        a = ann[key]
        res = sampler(dict(total_frames=len(a['frames_labels']),
                           start_frame=coarse.get(key, (0, 0))[0], has_steps=True,
                           frames_labels=a['frames_labels'], video_id=f'{key[0]}/{key[1]}'))
        gts.append(res['gt_transitions'])
    gt = torch.as_tensor(np.stack(gts))  # [N, 2]
    perfect = torch.zeros(len(gt), args.num_frames, 2)
    perfect[torch.arange(len(gt)), gt[:, 0], 0] = 1
    perfect[torch.arange(len(gt)), gt[:, 1], 1] = 1
    report = dict(clips=len(gt), num_frames=args.num_frames,
                  t1_range=[int(gt[:, 0].min()), int(gt[:, 0].max())],
                  t2_range=[int(gt[:, 1].min()), int(gt[:, 1].max())], decoders={})
    print(f'{len(gt)} clips, {args.num_frames} frames: t1 in {report["t1_range"]}, '
          f't2 in {report["t2_range"]}')
    print(f'{"decoder":<16}{"not expressible":>17}{"AIoU@0.5":>10}{"AIoU@0.75":>11}'
          f'{"mean IoU":>10}')
    for method in TRANSITION_DECODERS:
        pred = TransitionDecoder(method)(perfect)
        wrong = int((pred != gt).any(1).sum())
        items = [dict(gt=g.tolist(), pred=[q.tolist()]) for g, q in zip(gt, pred)]
        a = aiou(items, (0.5, 0.75))
        miou = float(mean_segment_ious(items).mean())
        report['decoders'][method] = dict(not_expressible=wrong, mean_iou=miou, **a)
        print(f'{method:<16}{wrong:>17}{a["AIoU@0.5"]:>10.4f}{a["AIoU@0.75"]:>11.4f}'
              f'{miou:>10.4f}')
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(report, f, indent=1)


if __name__ == '__main__':
    main()

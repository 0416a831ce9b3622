"""Predicted against true scores of a ``tools/test.py --dump`` file of an AQA model (PNG).

One dot per test clip, coloured by dive number (the largest groups), with the identity line;
the title gives Spearman's rho overall and within dive numbers. Each clip's voters (their
scores and relative scores) are in the dump too.

    python tools/test.py CONFIG CKPT --dump results.pkl
    python tools/analysis_tools/plot_aqa_scores.py results.pkl --out scores.png
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('dump', help='pickle written by tools/test.py --dump')
    p.add_argument('--out', default='aqa_scores.png')
    p.add_argument('--groups', type=int, default=8, help='coloured dive numbers')
    args = p.parse_args(argv)

    import cv2
    import numpy as np

    from mmfine.evaluation.functional import rho_within_groups, spearman_rho
    from mmfine.fileio import safe_pickle_load
    from mmfine.visualization import FineVisualizer

    samples = safe_pickle_load(args.dump, allow_tensors=True)
    if not isinstance(samples, list) or not samples:
        raise ValueError(f'{args.dump}: expected the list of data samples of tools/test.py '
                         '--dump')
    for i, s in enumerate(samples):
        for k in ('pred_score', 'gt_score'):
            if k not in s:
                raise KeyError(f'{args.dump}: sample {i} has no {k!r} (not an AQA dump?)')
    pred = np.array([float(np.asarray(s['pred_score']).reshape(-1)[0]) for s in samples])
    gt = np.array([float(np.asarray(s['gt_score']).reshape(-1)[0]) for s in samples])
    groups = [str(s.get('dive_number', '')) for s in samples]
    rho = spearman_rho(pred, gt)
    within = rho_within_groups(pred, gt, groups)['rho_within']
    vis = FineVisualizer(name=f'aqa_scores_{id(samples)}', top_k=args.groups)
    img = vis.draw_score_scatter(pred, gt, groups,
                                 title=f'{len(samples)} clips: rho {rho:.3f}, '
                                       f'within dive numbers {within:.3f}')
    cv2.imwrite(args.out, cv2.cvtColor(img, cv2.COLOR_RGB2BGR))
    print(f'{args.out}: {len(samples)} clips, rho {rho:.4f}, rho within {within:.4f}')
    return dict(rho=rho, rho_within=within)


if __name__ == '__main__':
    main()

"""Mask quality of a FineParser ``tools/test.py --dump`` by step (take-off / flight / entry).

For every test clip the dump holds ``pred_mask`` (T, H, W) in [0, 1], ``gt_masks`` (T, H, W)
uint8 and ``gt_transitions``; each frame is put in the step the ground-truth transitions give
it (frames whose ground-truth mask is empty in their own row). Prints, per step, the frames,
the diver's share of the pixels, MAE, the S-measure, the MAE of an empty prediction (what a
model that predicts nothing scores) and the mean predicted probability on the diver and
elsewhere::

    python tools/test.py CONFIG CKPT --dump results.pkl
    python tools/analysis_tools/aqa_mask_breakdown.py results.pkl
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

STEPS = ('take-off', 'flight', 'entry', 'empty gt')


def breakdown(samples) -> dict:
    """``{step: dict(frames, fg, mae, s, empty_mae, p_fg, p_bg)}`` (means over frames; p_fg /
    p_bg: the mean predicted probability on the diver's / the other pixels) and ``'all'``."""
    import numpy as np

    from mmfine.evaluation.functional.mask import mask_image_stats
    rows = {k: [] for k in STEPS}
    for i, s in enumerate(samples):
        for k in ('pred_mask', 'gt_masks', 'gt_transitions'):
            if k not in s:
                raise KeyError(f'sample {i} has no {k!r} (a FineParser dump with SAP?)')
        pred = np.asarray(s['pred_mask'], np.float32)
        gt = np.asarray(s['gt_masks'])
        valid = np.asarray(s.get('gt_mask_valid', np.ones(len(gt), bool)), bool)
        t1, t2 = (int(v) for v in np.asarray(s['gt_transitions']).reshape(2))
        for t in range(len(gt)):
            if not valid[t]:
                continue
            fg = gt[t] > 128
            step = 'empty gt' if not fg.any() else STEPS[(t >= t1) + (t >= t2)]
            st = mask_image_stats(pred[t], gt[t])
            p_fg = float(pred[t][fg].mean()) if fg.any() else np.nan
            rows[step].append((fg.mean(), st['mae'], st['s'], p_fg, float(pred[t][~fg].mean())))
    out = {}
    for k, v in list(rows.items()) + [('all', [r for v in rows.values() for r in v])]:
        if v:
            a = np.asarray(v)
            out[k] = dict(frames=len(v), fg=a[:, 0].mean(), mae=a[:, 1].mean(),
                          s=a[:, 2].mean(), empty_mae=a[:, 0].mean(),
                          p_fg=np.nanmean(a[:, 3]) if np.isfinite(a[:, 3]).any() else np.nan,
                          p_bg=a[:, 4].mean())
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('dump', help='pickle written by tools/test.py --dump')
    args = p.parse_args(argv)
    from mmfine.fileio import safe_pickle_load
    samples = safe_pickle_load(args.dump, allow_tensors=True)
    if not isinstance(samples, list) or not samples:
        raise ValueError(f'{args.dump}: expected the list of data samples of tools/test.py '
                         '--dump')
    res = breakdown(samples)
    print(f'{"step":10s} {"frames":>7s} {"fg share":>9s} {"MAE":>7s} {"S":>7s} '
          f'{"empty MAE":>10s} {"p on diver":>11s} {"p elsewhere":>12s}')
    for k, r in res.items():
        print(f'{k:10s} {r["frames"]:7d} {r["fg"]:9.4f} {r["mae"]:7.4f} {r["s"]:7.4f} '
              f'{r["empty_mae"]:10.4f} {r["p_fg"]:11.4f} {r["p_bg"]:12.4f}')


if __name__ == '__main__':
    main()

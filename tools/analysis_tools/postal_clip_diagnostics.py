"""Where does a trained PoSTAL go wrong? Per-clip checks of each stage on a dataset split.

For evenly spaced keyframe clips of a split (the config's test pipeline, the clips' own
prompts), it reports:

- ``contain_acc``: the PTA's contains-target decision (p > 0.5) against "a ground-truth tube
  covers the keyframe", over all checked clips;
- on the clips whose keyframe the target's tube covers:

  - ``target_map_hit``: the PTA target map's most likely cell centre lies in the target's
    keyframe box (grown by 4 pixels); only for models with a target map;
  - ``iou_best_tube``: IoU of the best-scoring tube's keyframe box with the target's box;
  - ``iou_best_tube_when_hit``: the same, on the clips where the target map hit;
  - ``iou_any_tube``: the best IoU over all N tubes (the head's ``max_per_clip`` is lifted
    here, so every tube is seen);
  - ``class_acc``: the best-scoring tube's class is the ground truth's.

A model that finds the target but cannot name its action shows high ``iou_best_tube_when_hit``
and ``class_acc`` near 1 / K; one that cannot tell the target from its look-alikes shows a low
``target_map_hit``.

Usage::

    python tools/analysis_tools/postal_clip_diagnostics.py CONFIG CHECKPOINT \
        [--split train|test] [--num-clips 150] [--out result.json]
"""
import argparse
import json
import os.path as osp
import sys
import time

import numpy as np
import torch

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from mmengine.config import Config  # noqa: E402
from mmengine.dataset import pseudo_collate  # noqa: E402

from mmfine.apis import init_postal  # noqa: E402
from mmfine.datasets import build_split_dataset  # noqa: E402
from mmfine.evaluation.functional import pair_box_iou  # noqa: E402
from mmfine.models.heads import tube_boxes_to_pixels  # noqa: E402
from mmfine.models.layers import cell_centres  # noqa: E402


def map_cell_centre(target_map: torch.Tensor, grid: tuple, img_shape: tuple) -> tuple:
    """Pixel centre (x, y) of the most likely cell of a (H'W',) target map."""
    cx, cy = cell_centres(grid)[int(target_map.argmax())].tolist()
    h, w = img_shape
    return cx * w, cy * h


@torch.no_grad()
def diagnose(model, dataset, num_clips: int = 150) -> dict:
    idx = np.unique(np.linspace(0, len(dataset) - 1, min(num_clips, len(dataset))).astype(int))
    contain_ok, hit, iou_best, iou_any, cls_ok = [], [], [], [], []
    for i in idx:
        data = model.data_preprocessor(pseudo_collate([dataset[int(i)]]), False)
        inputs, samples = data['inputs'], data['data_samples']
        outs = model.extract_feat(inputs, model._prompts(samples))
        sample = model.predict_from_outs(outs, samples)[0]
        gt, k = sample.gt_tubes, sample.metainfo['key_index']
        covered = bool(gt.valid.shape[0] and gt.valid[:, k].any())
        if 'contain_logits' in outs:
            p = float(outs['contain_logits'].softmax(-1)[0, 1])
            contain_ok.append((p > 0.5) == covered)
        if not covered:
            continue
        row = int(torch.nonzero(gt.valid[:, k])[0])
        box = gt.boxes[row, k].numpy()  # network-input pixels
        if 'target_map' in outs:
            grid = tuple(outs['feats'].shape[-2:])
            x, y = map_cell_centre(outs['target_map'][0], grid, sample.metainfo['img_shape'])
            hit.append(box[0] - 4 <= x <= box[2] + 4 and box[1] - 4 <= y <= box[3] + 4)
        tubes = sample.pred_clip_tubes  # boxes in annotation pixels: map the GT there too
        h, w = sample.metainfo['img_shape']
        gt_pix = tube_boxes_to_pixels(gt.boxes[row, k] / torch.tensor([w, h, w, h]),
                                      sample.metainfo).numpy()
        ious = pair_box_iou(tubes.boxes[:, k].numpy(), np.repeat(gt_pix[None], len(tubes), 0))
        best = int(tubes.scores.argmax())
        iou_best.append(float(ious[best]))
        iou_any.append(float(ious.max()))
        cls_ok.append(int(tubes.labels[best]) == int(gt.labels[row]))
    hit_a, iou_a = np.array(hit, bool), np.array(iou_best)
    mean = (lambda v: float(np.mean(v)) if len(v) else None)
    return dict(
        clips=len(idx), covered=len(iou_best), contain_acc=mean(contain_ok),
        target_map_hit=mean(hit_a), iou_best_tube=mean(iou_a),
        iou_best_tube_when_hit=mean(iou_a[hit_a]) if len(hit_a) else None,
        iou_any_tube=mean(iou_any), class_acc=mean(cls_ok))


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('config')
    p.add_argument('checkpoint')
    p.add_argument('--split', choices=['train', 'val', 'test'], default='test')
    p.add_argument('--num-clips', type=int, default=150)
    p.add_argument('--out', default=None)
    args = p.parse_args()
    t0 = time.time()
    model = init_postal(args.config, args.checkpoint)
    model.head.test_cfg['max_per_clip'] = None  # every tube, for iou_any_tube
    res = diagnose(model, build_split_dataset(Config.fromfile(args.config), args.split),
                   args.num_clips)
    res['split'] = args.split
    print(', '.join(f'{k} {v:.3f}' if isinstance(v, float) else f'{k} {v}'
                    for k, v in res.items()) + f'; {time.time() - t0:.0f} s')
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(res, f, indent=1)


if __name__ == '__main__':
    main()

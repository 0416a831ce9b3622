"""Score a dive in a video with FineParser: the predicted diver mask and the step timeline drawn
on the video, the score and its voters printed (and written as JSON).

Example (the synthetic FineDiving-HM of tools/data/finediving, a clip turned into a video)::

    python demo/fineparser_demo.py dive.mp4 --dive-number 407c \
        configs/fineparser/fineparser_i3d-tiny_1xb4-14e_finediving-hm-synthetic.py \
        work_dirs/fineparser_i3d-tiny_1xb4-14e_finediving-hm-synthetic/epoch_14.pth \
        --exemplars data/finediving_synthetic/Annotations/fine-grained_annotation_aqa.pkl \
        --out out.mp4

The video holds one dive (take-off to entry). Only the test pipeline's sampled frames (96 in
the paper config) are decoded, at the model's input size; the voters are E clips of the same
dive number from the exemplar split of the config (``--exemplar-split`` to change it), whose
frames must be where the config's ``data_prefix`` says; ``--exemplars`` replaces the config's
annotation file. The annotated video is written at the video's own size in a second, streamed
pass: each frame shows the mask of the nearest sampled frame and a take-off / flight / entry
bar with the predicted transitions.
"""
import argparse
import json
import os.path as osp
import sys

import numpy as np
from mmengine.config import DictAction

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmfine.apis import (build_exemplar_pool, inference_fineparser, init_model,  # noqa: E402
                         mask_on_frame, result_to_json)
from mmfine.fileio import VideoReadError  # noqa: E402
from mmfine.visualization import FineVisualizer, write_annotated_video  # noqa: E402

STEPS = ('take-off', 'flight', 'entry')


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('video')
    p.add_argument('config')
    p.add_argument('checkpoint', help="checkpoint file ('none': random weights, for testing)")
    p.add_argument('--dive-number', required=True, help="e.g. 407c (the voters' group)")
    p.add_argument('--difficulty', type=float, default=None,
                   help='the group of a pool grouped by difficulty (MTL-AQA configs)')
    p.add_argument('--exemplars', default=None,
                   help="annotation file of the voters (default: the config's ann_file)")
    p.add_argument('--exemplar-split', default=None,
                   help="split file of the voters (default: the config's exemplar split)")
    p.add_argument('--num-voters', type=int, default=None)
    p.add_argument('--out', default='fineparser_demo.mp4', help='annotated video (mp4)')
    p.add_argument('--out-json', default=None,
                   help='score JSON (default: --out with the extension .json)')
    p.add_argument('--device', default='cpu')
    p.add_argument('--cfg-options', nargs='+', action=DictAction, default={},
                   help='override config settings (e.g. the exemplars\' data_prefix)')
    return p.parse_args(argv)


def write_video(video: str, out: str, result: dict) -> int:
    """The video with the predicted mask of the nearest sampled frame and the step bar."""
    vis = (FineVisualizer.get_instance('fineparser_demo')
           if FineVisualizer.check_instance_created('fineparser_demo') else
           FineVisualizer.get_instance('fineparser_demo', line_width=1, font_scale=0.4))
    ids = np.asarray(result['frame_ids'])
    size = result['native_size']
    bounds = result['transition_frames'] or []
    num = int(ids[-1]) + 1
    masks = {}  # sampled index -> mask at the video's size (each built once)

    def draw(i, frame):
        t = int(np.abs(ids - i).argmin())
        if result['mask'] is not None:
            if t not in masks:
                masks.clear()  # frames come in order: keep one
                masks[t] = mask_on_frame(result, t, size)
            frame = vis.draw_mask_on(frame, masks[t], color=(255, 40, 40), alpha=0.5)
        return vis.draw_step_bar(frame, num, bounds, i, STEPS if bounds else None,
                                 text=f'score {result["score"]:.2f}')

    return write_annotated_video(video, out, draw)


def run(model, video: str, dive_number: str, out: str, out_json: str = None,
        exemplars: str = None, exemplar_split: str = None, num_voters: int = None,
        difficulty: float = None) -> dict:
    pool = build_exemplar_pool(model.cfg, exemplars, exemplar_split, num_voters)
    result = inference_fineparser(model, video, dive_number, pool, difficulty)
    data = result_to_json(result)
    data.update(video=video, dive_number=dive_number)
    print(f'{video}: dive {dive_number}, predicted score {result["score"]:.2f} '
          f'(mean over {len(result["voters"])} voters of delta + the voter\'s score)')
    for v in result['voters']:
        print(f'  voter {v["key"][0]}/{v["key"][1]}: score {v["score"]:.2f} '
              f'delta {v["delta"]:+.2f} -> {v["prediction"]:.2f}')
    if result['transition_frames']:
        t1, t2 = result['transition_frames']
        print(f'  steps: take-off frames 0-{t1 - 1}, flight {t1}-{t2 - 1}, entry from {t2}')
    n = write_video(video, out, result)
    out_json = out_json or osp.splitext(out)[0] + '.json'
    with open(out_json, 'w') as f:
        json.dump(data, f, indent=1)
    print(f'wrote {out} ({n} frames) and {out_json}')
    return data


def main(argv=None):
    args = parse_args(argv)
    ckpt = None if args.checkpoint.lower() == 'none' else args.checkpoint
    model = init_model(args.config, ckpt, device=args.device, cfg_options=args.cfg_options)
    try:
        run(model, args.video, args.dive_number, args.out, args.out_json, args.exemplars,
            args.exemplar_split, args.num_voters, args.difficulty)
    except VideoReadError as e:
        raise SystemExit(f'error: {e}') from None


if __name__ == '__main__':
    main()

"""Spot events in a video with a spotting model (E2E-Spot): an events JSON and a timeline PNG.

Example (the synthetic spotting data of tools/data/spotting, a clip written as a video)::

    python demo/spotting_demo.py dive.mp4 \
        configs/spotting/e2e-spot_regnety-tiny-gsm-gru_1xb4-9e_finediving-synthetic.py \
        work_dirs/e2e-spot_regnety-tiny-gsm-gru_1xb4-9e_finediving-synthetic/best.pth \
        --out events.json

The video is read in windows of the model's clip length, at the model's input size (a bounded
frame cache: any length of video). Scores of overlapping windows are averaged per frame, each
class's local maxima kept (E2E-Spot's suppression, ``--nms-window`` frames), and events scoring
at least ``--score-thr`` written with their frame and time. ``--soccernet`` writes the
official SoccerNet-v2 ``results_spotting.json`` layout instead (``--half`` of the game; every
event >= 0.01 with the best of each 0.5 s cell, as the evaluator expects).
"""
import argparse
import json
import os.path as osp
import sys

import cv2
from mmengine.config import DictAction

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmfine.apis import inference_spotter, init_model  # noqa: E402
from mmfine.evaluation.soccernet_export import soccernet_predictions  # noqa: E402
from mmfine.fileio import VideoReadError  # noqa: E402
from mmfine.visualization import FineVisualizer  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('video')
    p.add_argument('config')
    p.add_argument('checkpoint', help="checkpoint file ('none': random weights, for testing)")
    p.add_argument('--out', default='spotting_events.json', help='events JSON')
    p.add_argument('--timeline', default=None,
                   help='timeline PNG (default: --out with the extension .png)')
    p.add_argument('--score-thr', type=float, default=0.5,
                   help='events written and plotted (default 0.5); --soccernet writes every '
                        'event >= 0.01 and plots those >= this')
    p.add_argument('--nms-window', type=int, default=None,
                   help='suppression window in frames (default 1; --soccernet: 2)')
    p.add_argument('--height', type=int, default=None,
                   help="decode height (default: the config's test crop / decode size)")
    p.add_argument('--batch-size', type=int, default=4, help='windows per forward pass')
    p.add_argument('--soccernet', action='store_true',
                   help='write the SoccerNet-v2 results_spotting.json layout')
    p.add_argument('--half', type=int, default=1, help='--soccernet: the half (1 or 2)')
    p.add_argument('--device', default='cpu')
    p.add_argument('--cfg-options', nargs='+', action=DictAction, default={})
    return p.parse_args(argv)


def run(model, video: str, out: str, timeline: str = None, score_thr: float = 0.5,
        nms_window: int = None, soccernet: bool = False, half: int = 1, height: int = None,
        batch_size: int = 4) -> dict:
    nms = nms_window if nms_window is not None else (2 if soccernet else 1)
    res = inference_spotter(model, video, batch_size=batch_size, height=height, nms_window=nms)
    classes = res['classes']
    shown = [e for e in res['events'] if e['score'] >= score_thr]
    if soccernet:  # every event >= 0.01 (res['events']), the best of each 0.5 s cell
        ev = res['events']
        preds = soccernet_predictions([e['frame'] for e in ev], [e['label_index'] for e in ev],
                                      [e['score'] for e in ev], res['fps'], half, classes)
        data = {'UrlLocal': osp.splitext(osp.basename(video))[0], 'predictions': preds}
    else:
        data = dict(video=video, num_frames=res['num_frames'], fps=res['fps'],
                    classes=classes, score_thr=score_thr, nms_window=nms, events=shown)
    with open(out, 'w') as f:
        json.dump(data, f, indent=1)
    vis = (FineVisualizer.get_instance('spotting_demo')
           if FineVisualizer.check_instance_created('spotting_demo') else
           FineVisualizer.get_instance('spotting_demo'))
    plot = vis.draw_score_timeline(res['scores'][:, 1:], classes, shown, fps=res['fps'],
                                   title=f'{osp.basename(video)}: {len(shown)} events >= '
                                         f'{score_thr}')
    timeline = timeline or osp.splitext(out)[0] + '.png'
    cv2.imwrite(timeline, cv2.cvtColor(plot, cv2.COLOR_RGB2BGR))
    print(f"{video}: {res['num_frames']} frames at {res['fps']:.2f} fps, decoded at "
          f"{res['decode_size'][0]}x{res['decode_size'][1]}")
    for e in shown:
        t = f" ({e['time']:.2f} s)" if 'time' in e else ''
        print(f"  frame {e['frame']}{t}: {e['label']} {e['score']:.3f}")
    print(f'wrote {out} and {timeline}')
    return data


def main(argv=None):
    args = parse_args(argv)
    ckpt = None if args.checkpoint.lower() == 'none' else args.checkpoint
    model = init_model(args.config, ckpt, device=args.device, cfg_options=args.cfg_options)
    try:
        run(model, args.video, args.out, args.timeline, args.score_thr, args.nms_window,
            args.soccernet, args.half, args.height, args.batch_size)
    except VideoReadError as e:
        raise SystemExit(f'error: {e}') from None


if __name__ == '__main__':
    main()

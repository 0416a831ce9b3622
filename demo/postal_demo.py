"""Follow the prompted player through a video: PoSTAL tubes drawn on the frames + a JSON.

Example::

    python demo/postal_demo.py video.mp4 "a player wearing a white jersey number 35" \
        configs/postal/postal_tiny_1xb8-4x2-2e_finesports-synthetic.py \
        work_dirs/postal_tiny/epoch_2.pth --out out.mp4

The video is decoded with decord; a clip is centred on every frame (``--frame-stride``), the
detections of each clip's centre frame are linked into tubes (the config's
``test_evaluator.linker``), and tubes scoring at least ``--score-thr`` are drawn with their class.
Pass the prompt ``auto`` to fill the prompt's words from the video (the release's test mode).
"""
import argparse
import json
import os
import os.path as osp
import sys

import cv2
import numpy as np

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmfine.apis import inference_postal, init_postal, tubes_to_json  # noqa: E402

PALETTE = [(230, 25, 75), (60, 180, 75), (255, 225, 25), (0, 130, 200), (245, 130, 48),
           (145, 30, 180), (70, 240, 240), (240, 50, 230)]


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('video')
    p.add_argument('prompt', help='"a player wearing a <colour> jersey number <n>" or "auto"')
    p.add_argument('config')
    p.add_argument('checkpoint')
    p.add_argument('--out', default='postal_demo.mp4', help='annotated video (mp4)')
    p.add_argument('--out-json', default=None,
                   help='tubes JSON (default: --out with the extension .json)')
    p.add_argument('--score-thr', type=float, default=0.3, help='draw tubes scoring at least')
    p.add_argument('--frame-stride', type=int, default=1)
    p.add_argument('--batch-size', type=int, default=8)
    p.add_argument('--device', default='cpu')
    return p.parse_args()


def draw(frames: np.ndarray, tubes: list, classes, score_thr: float) -> np.ndarray:
    """Frames (T, H, W, 3) RGB with each tube's box, class and score drawn."""
    out = frames.copy()
    for i, t in enumerate(tubes):
        if t['score'] < score_thr:
            continue
        color = PALETTE[i % len(PALETTE)]
        name = classes[t['label']] if classes else str(t['label'])
        for row in t['boxes']:
            f = int(row[0]) - 1
            if not 0 <= f < len(out):
                continue
            x1, y1, x2, y2 = (int(round(v)) for v in row[1:])
            cv2.rectangle(out[f], (x1, y1), (x2, y2), color, 1)
            cv2.putText(out[f], f'{name} {t["score"]:.2f}', (x1, max(y1 - 3, 8)),
                        cv2.FONT_HERSHEY_SIMPLEX, 0.3, color, 1, cv2.LINE_AA)
    return out


def main():
    args = parse_args()
    prompt = None if args.prompt.strip().lower() == 'auto' else args.prompt
    model = init_postal(args.config, args.checkpoint, device=args.device)
    from mmfine.apis import decode_video
    frames, fps = decode_video(args.video)
    result = inference_postal(model, frames, prompt=prompt, frame_stride=args.frame_stride,
                              batch_size=args.batch_size)
    result['fps'] = fps
    classes = (model.dataset_meta or {}).get('classes')
    classes = list(classes) if classes else None
    annotated = draw(frames, result['tubes'], classes, args.score_thr)
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    h, w = annotated.shape[1:3]
    writer = cv2.VideoWriter(args.out, cv2.VideoWriter_fourcc(*'mp4v'), fps or 25.0, (w, h))
    if not writer.isOpened():
        raise RuntimeError(f'OpenCV cannot write {args.out}')
    for frame in annotated:
        writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    writer.release()
    out_json = args.out_json or osp.splitext(args.out)[0] + '.json'
    data = tubes_to_json(result, classes)
    data['score_thr'] = args.score_thr
    data['drawn'] = sum(t['score'] >= args.score_thr for t in data['tubes'])
    with open(out_json, 'w') as f:
        json.dump(data, f, indent=1)
    print(f'{len(result["tubes"])} tubes ({data["drawn"]} drawn, score >= {args.score_thr}); '
          f'wrote {args.out} and {out_json}')


if __name__ == '__main__':
    main()

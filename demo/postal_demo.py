"""Follow the prompted player through a video: PoSTAL tubes drawn on the frames + a JSON.

Example (the synthetic videos are in ``data/finesports_postal_synthetic/videos/``; a clip's
prompts are in ``prompts_with_color.json`` of the same folder, keyed by the video id)::

    python demo/postal_demo.py video.mp4 "a player wearing a white jersey number 35" \
        configs/postal/postal_tiny_1xb8-4x2-2e_finesports-synthetic.py \
        work_dirs/postal_tiny/epoch_2.pth --out out.mp4

The video is streamed: clips are decoded with decord at the model's input size (the config's
test resize, e.g. 192x144 for the synthetic config, 400x224 for the paper's; ``--input-size W
H`` overrides it, and the size used is printed), never the whole video at once. A clip is
centred on every frame (``--frame-stride``); the detections of each clip's centre frame are
linked into tubes (the config's ``test_evaluator.linker``); tubes scoring at least
``--score-thr`` are drawn with their class (a lower ``--score-thr`` than the linker's
``det_score_thr`` lowers that too). The annotated video is written at the input video's size,
frame by frame, in a second streamed pass. Pass the prompt ``auto`` for no prompt: a model
whose PTA has ``prompt_source='video'`` fills the prompt's words from the video (the release's
test mode); other models then see no descriptive words.
"""
import argparse
import json
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmfine.apis import (config_linker, inference_postal, init_postal, open_video,  # noqa: E402
                         tubes_to_json)
from mmfine.fileio import VideoReadError  # noqa: E402
from mmfine.visualization import PALETTE, FineVisualizer, write_annotated_video  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('video')
    p.add_argument('prompt', help='"a player wearing a <colour> jersey number <n>" or "auto"')
    p.add_argument('config')
    p.add_argument('checkpoint', help="checkpoint file ('none': random weights, for testing)")
    p.add_argument('--out', default='postal_demo.mp4', help='annotated video (mp4)')
    p.add_argument('--out-json', default=None,
                   help='tubes JSON (default: --out with the extension .json)')
    p.add_argument('--score-thr', type=float, default=0.3, help='draw tubes scoring at least')
    p.add_argument('--frame-stride', type=int, default=1)
    p.add_argument('--batch-size', type=int, default=8)
    p.add_argument('--input-size', type=int, nargs=2, metavar=('W', 'H'),
                   help="frame size the model sees (default: the config's test resize)")
    p.add_argument('--device', default='cpu')
    return p.parse_args(argv)


def write_annotated(path: str, out: str, tubes: list, classes, score_thr: float,
                    visualizer, fps: float = None) -> int:
    """Decode ``path`` again frame by frame at its own size, draw the tubes, write ``out``.

    Returns:
        int: frames written.
    """
    drawn = [t for t in tubes if t['score'] >= score_thr]
    by_frame = {}  # 1-based frame -> [(box, caption, colour index)]
    for i, t in enumerate(drawn):
        name = classes[t['label']] if classes else str(t['label'])
        for row in t['boxes']:
            by_frame.setdefault(int(row[0]), []).append((row[1:], f'{name} {t["score"]:.2f}', i))

    def draw(i, frame):
        items = by_frame.get(i + 1, [])
        if not items:
            return frame
        return visualizer.draw_boxes_on(
            frame, [b for b, _, _ in items], [c for _, c, _ in items],
            [PALETTE[k % len(PALETTE)] for _, _, k in items])

    return write_annotated_video(path, out, draw, fps)


def run(model, video: str, prompt, out: str, out_json: str = None, score_thr: float = 0.3,
        frame_stride: int = 1, batch_size: int = 8, input_size=None) -> dict:
    """The demo on an initialised model (used by ``main`` and the memory benchmark)."""
    stream = open_video(video, model.cfg, input_size)
    print(f'{video}: {stream.num_frames} frames, {stream.native_shape[1]}x'
          f'{stream.native_shape[0]} at {stream.fps:.2f} fps; the model sees '
          f'{stream.shape[1]}x{stream.shape[0]} frames')
    linker = config_linker(model.cfg)
    linker['det_score_thr'] = min(float(linker.get('det_score_thr', 0.0)), score_thr)
    result = inference_postal(model, stream, prompt=prompt, frame_stride=frame_stride,
                              batch_size=batch_size, linker=linker, input_size=input_size)
    classes = (model.dataset_meta or {}).get('classes')
    classes = list(classes) if classes else None
    visualizer = (FineVisualizer.get_instance('postal_demo')
                  if FineVisualizer.check_instance_created('postal_demo') else
                  FineVisualizer.get_instance('postal_demo', line_width=1, font_scale=0.35))
    write_annotated(video, out, result['tubes'], classes, score_thr, visualizer, result['fps'])
    out_json = out_json or osp.splitext(out)[0] + '.json'
    data = tubes_to_json(result, classes)
    data['score_thr'] = score_thr
    data['drawn'] = sum(t['score'] >= score_thr for t in data['tubes'])
    with open(out_json, 'w') as f:
        json.dump(data, f, indent=1)
    print(f'{len(result["tubes"])} tubes ({data["drawn"]} drawn, score >= {score_thr}); '
          f'wrote {out} and {out_json}')
    return data


def main(argv=None):
    args = parse_args(argv)
    prompt = None if args.prompt.strip().lower() == 'auto' else args.prompt
    ckpt = None if args.checkpoint.lower() == 'none' else args.checkpoint
    model = init_postal(args.config, ckpt, device=args.device)
    try:
        run(model, args.video, prompt, args.out, args.out_json, args.score_thr,
            args.frame_stride, args.batch_size, args.input_size)
    except VideoReadError as e:
        raise SystemExit(f'error: {e}') from None


if __name__ == '__main__':
    main()

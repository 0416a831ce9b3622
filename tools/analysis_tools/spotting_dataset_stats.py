"""Statistics and a sanity check of a spotting dataset in E2E-Spot's layout.

E2E-Spot's author answers failed reproductions with "check the pre-processing"
(jhong93/spot#2, its ``print_dataset_stats.py``); this is that check. For every split json of
``DATA_DIR`` (``class.txt`` + ``train.json`` / ``val.json`` / ``test.json`` / ``challenge.json``,
read with the same checked loader as :class:`~mmfine.datasets.SpottingDataset`) it prints the
videos, frames, frame rates and events per class, the closest pair of events, and with
``--frames`` / ``--videos`` whether the media match the labels: a missing folder or file, a
frame file missing from ``0 .. num_frames - 1``, or a video whose decoded length differs from
``num_frames``. Exits with status 1 when any problem is found.

Usage::

    python tools/analysis_tools/spotting_dataset_stats.py data/finediving \\
        [--frames data/finediving/frames | --videos VIDEO_DIR --ext .mp4] \\
        [--splits train val test] [--tmpl '{:06d}.jpg'] [--out stats.json]
"""
import argparse
import json
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))


def split_stats(videos, classes) -> dict:
    """Counts of one split (``videos``: :func:`load_spotting_json` entries)."""
    import numpy as np
    labels = np.concatenate([v['event_labels'] for v in videos] or [np.zeros(0, np.int64)])
    frames = np.array([v['num_frames'] for v in videos], np.int64)
    gaps = [np.diff(v['event_frames']).min() for v in videos if len(v['event_frames']) > 1]
    same_frame = sum(int(np.sum(np.diff(v['event_frames']) == 0)) for v in videos)
    fps = sorted({v['fps'] for v in videos})
    return dict(
        videos=len(videos), frames=int(frames.sum()), min_frames=int(frames.min()),
        max_frames=int(frames.max()), fps=fps if len(fps) <= 5 else [fps[0], fps[-1]],
        events=int(len(labels)),
        events_per_class={c: int(np.sum(labels == i + 1)) for i, c in enumerate(classes)},
        events_per_1000_frames=round(1000 * len(labels) / max(int(frames.sum()), 1), 2),
        min_event_gap=int(min(gaps)) if gaps else None, events_sharing_a_frame=same_frame)


def frame_problems(videos, root: str, tmpl: str):
    """Problems of the frame folders ``<root>/<video>/<tmpl % i>``, i in [0, num_frames)."""
    for v in videos:
        folder = osp.join(root, v['video'])
        if not osp.isdir(folder):
            yield f"{v['video']}: frame folder not found: {folder}"
            continue
        present = set(os.listdir(folder))
        missing = [i for i in range(v['num_frames']) if tmpl.format(i) not in present]
        if missing:
            yield (f"{v['video']}: {len(missing)} of {v['num_frames']} frames missing "
                   f"(first {tmpl.format(missing[0])})")
        if tmpl.format(v['num_frames']) in present:
            yield (f"{v['video']}: frames past num_frames={v['num_frames']} "
                   f"({tmpl.format(v['num_frames'])} exists)")


def video_problems(videos, root: str, ext: str):
    """Problems of the video files ``<root>/<video><ext>`` (length against num_frames)."""
    from mmfine.fileio import VideoReadError, VideoStream
    for v in videos:
        path = osp.join(root, v['video'] + ext)
        try:
            n = len(VideoStream(path))
        except VideoReadError as e:
            yield f"{v['video']}: {e}"
            continue
        if n != v['num_frames']:
            yield f"{v['video']}: {path} has {n} frames, the labels say {v['num_frames']}"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('data_dir', help='folder with class.txt and the split jsons')
    p.add_argument('--splits', nargs='+', default=['train', 'val', 'test', 'challenge'],
                   help='split names (missing ones are skipped)')
    media = p.add_mutually_exclusive_group()
    media.add_argument('--frames', help='frame folders root: <frames>/<video>/<tmpl>')
    media.add_argument('--videos', help='video files root: <videos>/<video><ext>')
    p.add_argument('--ext', default='.mp4', help='video file extension (with --videos)')
    p.add_argument('--tmpl', default='{:06d}.jpg', help='frame file name (with --frames)')
    p.add_argument('--max-problems', type=int, default=20, help='problems printed per split')
    p.add_argument('--out', help='write the statistics and problems as json')
    args = p.parse_args(argv)

    from mmfine.datasets import load_spotting_classes, load_spotting_json
    classes = load_spotting_classes(osp.join(args.data_dir, 'class.txt'))
    print(f'{len(classes)} classes: {", ".join(classes)}')
    report, bad = {}, 0
    for split in args.splits:
        path = osp.join(args.data_dir, f'{split}.json')
        if not osp.isfile(path):
            continue
        videos = load_spotting_json(path, classes)
        st = split_stats(videos, classes)
        problems = []
        if args.frames:
            problems = list(frame_problems(videos, args.frames, args.tmpl))
        elif args.videos:
            problems = list(video_problems(videos, args.videos, args.ext))
        st['problems'] = problems
        report[split] = st
        bad += len(problems)
        print(f"\n{split}: {st['videos']} videos, {st['frames']} frames "
              f"({st['min_frames']}-{st['max_frames']} a video), fps {st['fps']}, "
              f"{st['events']} events ({st['events_per_1000_frames']} per 1000 frames), "
              f"closest events {st['min_event_gap']} frames apart, "
              f"{st['events_sharing_a_frame']} sharing a frame")
        width = max(len(c) for c in classes)
        for c, n in st['events_per_class'].items():
            print(f'  {c:<{width}}  {n}')
        if args.frames or args.videos:
            print(f'  media: {len(problems)} problem(s)' if problems else '  media: all match')
            for line in problems[:args.max_problems]:
                print(f'    {line}')
            if len(problems) > args.max_problems:
                print(f'    ... {len(problems) - args.max_problems} more')
    if not report:
        print(f'no split json of {args.splits} in {args.data_dir}', file=sys.stderr)
        return 1
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(report, f, indent=1)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())

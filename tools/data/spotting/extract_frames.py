"""Extract the frames of videos for spotting, streamed, at a given frame rate and size.

    # FineGym / your own videos: every frame, height 224
    python tools/data/spotting/extract_frames.py VIDEO_OR_FOLDER OUT --height 224
    # SoccerNet-v2 as E2E-Spot (frames_as_jpg_soccernet.py): 398 x 224 at 25 / int(25 / 2)
    python tools/data/spotting/extract_frames.py SoccerNet/ OUT --soccernet

Writes ``OUT/<video>/%06d.jpg`` (0-based) and ``OUT/<video>/fps.txt`` (the effective frame
rate ``source fps / stride``, stride ``int(source fps / --fps)``: 25 fps sampled at 2 gives
stride 12 and 2.0833 fps, E2E-Spot's rule). ``<video>`` is the file's path under the input
folder without its extension, ``_720p`` / ``_224p`` dropped (SoccerNet's ``1_720p.mkv`` ->
``<game>/1``). Frames are decoded one at a time (``VideoStream.iter_frames``): memory does
not grow with the video.
"""
import argparse
import glob
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))))

VIDEO_EXTS = ('.mp4', '.mkv', '.avi', '.mov', '.webm')


def video_id(path: str, root: str) -> str:
    rel = osp.relpath(path, root) if osp.isdir(root) else osp.basename(path)
    stem = osp.splitext(rel)[0]
    for tag in ('_720p', '_224p'):
        if stem.endswith(tag):
            stem = stem[:-len(tag)]
    return stem.replace(os.sep, '/')


def extract(path: str, out_dir: str, fps=None, width=None, height=None, quality=95) -> dict:
    """Write the frames of one video; returns ``dict(frames, fps, stride, size)``."""
    import cv2

    from mmfine.fileio import VideoStream
    stream = VideoStream(path)
    src_fps = stream.fps
    stride = max(int(src_fps / fps), 1) if fps else 1
    h0, w0 = stream.native_shape
    if height and not width:
        width = int(round(w0 * height / h0))
    if width and not height:
        height = int(round(h0 * width / w0))
    if width:
        stream.set_size((width, height))
    os.makedirs(out_dir, exist_ok=True)
    n = 0
    for i, frame in stream.iter_frames():
        if i % stride:
            continue
        cv2.imwrite(osp.join(out_dir, f'{n:06d}.jpg'), cv2.cvtColor(frame, cv2.COLOR_RGB2BGR),
                    [cv2.IMWRITE_JPEG_QUALITY, quality])
        n += 1
    stream.close()
    eff = src_fps / stride
    with open(osp.join(out_dir, 'fps.txt'), 'w') as f:
        f.write(f'{eff}\n')
    return dict(frames=n, fps=eff, stride=stride, size=stream.shape[::-1])


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('src', help='a video file or a folder searched recursively')
    p.add_argument('out')
    p.add_argument('--fps', type=float, help='target frame rate (default: every frame)')
    p.add_argument('--width', type=int)
    p.add_argument('--height', type=int)
    p.add_argument('--soccernet', action='store_true',
                   help='E2E-Spot SoccerNet frames: --fps 2 --width 398 --height 224')
    args = p.parse_args(argv)
    if args.soccernet:
        args.fps, args.width, args.height = args.fps or 2, args.width or 398, args.height or 224
    if osp.isdir(args.src):
        files = sorted(f for f in glob.glob(osp.join(args.src, '**', '*'), recursive=True)
                       if f.lower().endswith(VIDEO_EXTS))
    else:
        files = [args.src]
    if not files:
        raise SystemExit(f'no video file in {args.src}')
    for path in files:
        vid = video_id(path, args.src)
        info = extract(path, osp.join(args.out, vid), args.fps, args.width, args.height)
        print(f"{vid}: {info['frames']} frames at {info['fps']:.4f} fps (stride "
              f"{info['stride']}), {info['size'][0]}x{info['size'][1]}")


if __name__ == '__main__':
    main()

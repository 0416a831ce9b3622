"""The streaming reader and the PoSTAL demo on real-world video files (generated here)."""
import fractions
import json
import os
import os.path as osp
import subprocess
import sys

import cv2
import numpy as np
import pytest

from mmfine.fileio import VideoReadError, VideoStream, sliding_window_starts

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def _write_mp4(path, n, w, h, fps=25.0):
    """Frame i is filled with grey level 40 + 3 * i (readable back after lossy coding)."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*'mp4v'), fps, (w, h))
    for i in range(n):
        writer.write(np.full((h, w, 3), 40 + (3 * i) % 200, np.uint8))
    writer.release()
    return str(path)


def _write_vfr(path, n=40, w=160, h=120):
    """A variable-frame-rate mp4 (PyAV): frame gaps alternate 40 ms and 100 ms."""
    av = pytest.importorskip('av')
    container = av.open(str(path), 'w')
    stream = container.add_stream('mpeg4', rate=25)
    stream.width, stream.height, stream.pix_fmt = w, h, 'yuv420p'
    stream.bit_rate = 4_000_000
    stream.codec_context.time_base = fractions.Fraction(1, 1000)
    t = 0
    for i in range(n):
        frame = av.VideoFrame.from_ndarray(np.full((h, w, 3), 40 + 3 * i, np.uint8),
                                           format='rgb24')
        frame.pts, frame.time_base = t, fractions.Fraction(1, 1000)
        t += 40 if i % 2 else 100
        for packet in stream.encode(frame):
            container.mux(packet)
    for packet in stream.encode():
        container.mux(packet)
    container.close()
    return str(path)


def _grey(frames):
    """The frame index each frame's grey level encodes."""
    return (frames.reshape(len(frames), -1).mean(1) - 40) / 3


def _same_frames(a, b):
    """Frames from two decoders / resizers: equal up to rounding (neighbouring frames of the
    test videos differ by 3 grey levels)."""
    assert a.shape == b.shape and a.dtype == b.dtype == np.uint8
    return np.abs(a.astype(int) - b).reshape(len(a), -1).mean(1).max() < 1.5


def test_frames_by_index_at_the_decode_size(tmp_path):
    path = _write_mp4(tmp_path / 'v.mp4', 50, 320, 240)
    stream = VideoStream(path, size=(80, 60), cache_size=12)
    assert (stream.num_frames, stream.native_shape, stream.shape) == (50, (240, 320), (60, 80))
    assert stream.fps == pytest.approx(25.0)
    import decord
    ref = decord.VideoReader(path, width=80, height=60).get_batch(list(range(50))).asnumpy()
    frames = stream.get([10, 3, 10, 49])  # ahead of the reader: sequential decoding
    assert frames.shape == (4, 60, 80, 3)
    assert _same_frames(frames, ref[[10, 3, 10, 49]])
    np.testing.assert_array_equal(frames[0], frames[2])
    behind = stream.get([5, 20])  # behind it and not cached: random access (decord)
    np.testing.assert_array_equal(behind, ref[[5, 20]])
    stream = VideoStream(path, size=(80, 60), cache_size=12)
    for key in range(50):  # a sliding window over the whole video: the cache stays bounded
        idx = np.clip(np.arange(key - 4, key + 4), 0, 49)
        assert _same_frames(stream.get(idx), ref[idx])
        assert len(stream._cache) <= stream.cache_size
    assert stream._random is None  # a forward-moving window never needed random access
    seen = [(i, f) for i, f in stream.iter_frames()]
    assert [i for i, _ in seen] == list(range(50))
    assert _same_frames(np.stack([f for _, f in seen]), ref)
    with pytest.raises(IndexError, match='50'):
        stream.get([50])
    with pytest.raises(RuntimeError, match='set_size after frames were decoded'):
        stream.set_size((40, 30))  # the cache holds frames of the old size
    fresh = VideoStream(path, cache_size=4)
    fresh.set_size((40, 30))  # chosen from the native size before reading
    assert fresh.get([0]).shape == (1, 30, 40, 3)


@pytest.mark.parametrize('kind', ['missing', 'truncated', 'corrupt', 'empty'])
def test_broken_files_stop_with_one_line(tmp_path, kind):
    path = str(tmp_path / f'{kind}.mp4')
    if kind != 'missing':
        full = _write_mp4(tmp_path / 'full.mp4', 60, 320, 240)
        data = open(full, 'rb').read()
        body = {'truncated': data[:len(data) // 2], 'corrupt': os.urandom(len(data)),
                'empty': b''}[kind]
        with open(path, 'wb') as f:
            f.write(body)
    with pytest.raises(VideoReadError) as err:
        VideoStream(path).get(range(60))
    msg = str(err.value)
    assert msg.startswith(path) and '\n' not in msg and len(msg) < 400


def test_variable_frame_rate_and_odd_size(tmp_path):
    vfr = VideoStream(_write_vfr(tmp_path / 'vfr.mp4'), size=(64, 48))
    assert vfr.num_frames == 40 and 10 < vfr.fps < 25  # the average rate
    grey = _grey(vfr.get(range(40)))  # every frame once, in order (no drop, no repeat)
    assert np.all(np.diff(grey) > 0) and np.abs(grey - np.arange(40)).max() < 2.5
    odd = _write_mp4(tmp_path / 'odd.mp4', 10, 175, 143)
    stream = VideoStream(odd, size=(192, 144))
    assert stream.get([0, 9]).shape == (2, 144, 192, 3)


def test_sliding_window_starts():
    assert sliding_window_starts(100, 40).tolist() == [0, 20, 40, 60]
    assert sliding_window_starts(101, 40).tolist() == [0, 20, 40, 60, 61]
    assert sliding_window_starts(10, 40).tolist() == [0]  # shorter than a window: one, padded
    assert sliding_window_starts(100, 40, stride=40).tolist() == [0, 40, 60]
    with pytest.raises(ValueError):
        sliding_window_starts(0, 4)


@pytest.fixture(scope='module')
def demo_model():
    """The synthetic PoSTAL config at the tools tests' size, random weights."""
    from mmengine.config import Config

    from mmfine.apis import init_postal
    cfg = Config.fromfile(osp.join(REPO, 'configs/postal/'
                                         'postal_tiny_1xb8-4x2-2e_finesports-synthetic.py'))
    cfg.merge_from_dict(dict(model=dict(backbone=dict(base_channels=8),
                                        neck=dict(in_channels=32))))
    return init_postal(cfg)


@pytest.mark.parametrize('kind', ['odd_size', 'vfr', 'shorter_than_a_clip', 'hd'])
def test_demo_runs_on_real_world_files(tmp_path, demo_model, kind, tool_module):
    demo = tool_module('demo/postal_demo.py')
    path = {'odd_size': lambda: _write_mp4(tmp_path / 'v.mp4', 12, 175, 143),
            'vfr': lambda: _write_vfr(tmp_path / 'v.mp4', n=14),
            'shorter_than_a_clip': lambda: _write_mp4(tmp_path / 'v.mp4', 2, 192, 144),
            'hd': lambda: _write_mp4(tmp_path / 'v.mp4', 6, 1280, 720)}[kind]()
    out = str(tmp_path / 'out' / 'annotated.mp4')
    data = demo.run(demo_model, path, 'a player wearing a white jersey number 3', out,
                    score_thr=0.0)
    native = VideoStream(path)
    written = VideoStream(out)
    assert written.num_frames == native.num_frames == data['num_frames']
    assert written.native_shape == native.native_shape  # the output keeps the input's size
    assert data['input_shape'] == [144, 192]  # the config's input size, whatever the video
    assert data['resolution'] == list(native.native_shape)
    h, w = native.native_shape
    for t in data['tubes']:  # boxes in the input video's pixels
        b = np.array(t['boxes'])[:, 1:]
        assert (b[:, [0, 2]] >= -1).all() and (b[:, [0, 2]] <= w + 1).all()
        assert (b[:, [1, 3]] >= -1).all() and (b[:, [1, 3]] <= h + 1).all()
    with open(str(tmp_path / 'out' / 'annotated.json')) as f:
        assert json.load(f)['num_frames'] == native.num_frames


def test_demo_input_size_override_and_broken_file_message(tmp_path, demo_model, tool_module):
    demo = tool_module('demo/postal_demo.py')
    path = _write_mp4(tmp_path / 'v.mp4', 5, 640, 360)
    data = demo.run(demo_model, path, None, str(tmp_path / 'o.mp4'), input_size=(96, 64))
    assert data['input_shape'] == [64, 96]
    bad = tmp_path / 'bad.mp4'
    bad.write_bytes(os.urandom(4000))
    proc = subprocess.run([sys.executable, 'demo/postal_demo.py', str(bad), 'auto',
                           'configs/postal/postal_tiny_1xb8-4x2-2e_finesports-synthetic.py',
                           'none', '--out', str(tmp_path / 'x.mp4')], cwd=REPO,
                          capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, OMP_NUM_THREADS='1'))
    assert proc.returncode == 1
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith(f'error: {bad}') and 'Traceback' not in proc.stderr

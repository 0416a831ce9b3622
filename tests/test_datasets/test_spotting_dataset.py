"""E2E-Spot label files, the spotting dataset (training clips, test windows) and its loader."""
import json
import os.path as osp

import numpy as np
import pytest

from mmfine.datasets import (SpottingAnnotationError, SpottingDataset, clip_frame_labels,
                             load_spotting_classes, load_spotting_json)
from mmfine.fileio import sliding_window_starts
from mmfine.datasets.transforms import ClipPhotometric, LoadSpottingClip, PackSpottingInputs


def test_real_finediving_labels_load(shared_data):
    root = osp.join(shared_data, 'finediving')
    classes = load_spotting_classes(osp.join(root, 'class.txt'))
    assert classes == ['Entry', 'Som(s).Pike', 'Som(s).Tuck', 'Twist(s)']
    counts = {}
    for split in ('train', 'val', 'test'):
        videos = load_spotting_json(osp.join(root, f'{split}.json'), classes)
        counts[split] = (len(videos), sum(len(v['event_frames']) for v in videos))
        for v in videos:
            assert v['fps'] == -1  # FineDiving: never divide by it
            assert np.all(np.diff(v['event_frames']) >= 0)
            assert v['event_labels'].min() >= 1 and v['event_labels'].max() <= 4
            assert v['event_frames'].max() < v['num_frames']
    # the release's split sizes (refs/spotting_facts.md 1.2)
    assert counts == {'train': (1801, 4182), 'val': (450, 1063), 'test': (749, 1765)}


def _write(tmp_path, entries, classes=('a', 'b')):
    (tmp_path / 'class.txt').write_text('\n'.join(classes) + '\n')
    p = tmp_path / 'split.json'
    p.write_text(entries if isinstance(entries, str) else json.dumps(entries))
    return str(p), str(tmp_path / 'class.txt')


def _entry(**kw):
    e = dict(video='v1', num_frames=10, fps=25.0, width=8, height=8,
             events=[dict(frame=3, label='a', comment='')])
    e.update(kw)
    return e


@pytest.mark.parametrize('entries, message', [
    ('[{"video": "v1",', 'not a valid json'),
    ('{"video": "v1"}', 'expected a list'),
    ([_entry(events=[dict(frame=10, label='a')])], "video 'v1': events[0]: frame 10 is outside"),
    ([_entry(events=[dict(frame=-1, label='a')])], 'outside the video'),
    ([_entry(events=[dict(frame=2, label='zzz')])], "label 'zzz' is not in the class file"),
    ([_entry(events=[dict(frame=2.5, label='a')])], "field 'frame' must be an integer"),
    ([{k: v for k, v in _entry().items() if k != 'num_frames'}], "has no field 'num_frames'"),
    ([_entry(), _entry()], 'listed twice'),
    ([_entry(num_frames=0)], "'num_frames' must be a positive"),
])
def test_malformed_json_errors_name_file_video_and_field(tmp_path, entries, message):
    path, cls = _write(tmp_path, entries)
    with pytest.raises(SpottingAnnotationError, match='split.json') as e:
        load_spotting_json(path, load_spotting_classes(cls))
    assert message in str(e.value)


def test_clip_labels_with_padding_and_dilation():
    frames, labels = np.array([0, 5, 9]), np.array([1, 2, 1])
    assert clip_frame_labels(frames, labels, -3, 6).tolist() == [0, 0, 0, 1, 0, 0]
    assert clip_frame_labels(frames, labels, 4, 4).tolist() == [0, 2, 0, 0]
    assert clip_frame_labels(frames, labels, 4, 4, dilate=1).tolist() == [2, 2, 2, 0]
    # events just outside the clip (5 before it, 9 after it) reach in through the dilation
    assert clip_frame_labels(frames, labels, 6, 3, dilate=1).tolist() == [2, 0, 1]
    assert clip_frame_labels(frames, labels, 6, 3).tolist() == [0, 0, 0]


def _dataset(root, split, test_mode, **kw):
    pipeline = [LoadSpottingClip(), PackSpottingInputs()]
    return SpottingDataset(ann_file=f'{root}/{split}.json', class_file=f'{root}/class.txt',
                           data_prefix=dict(img=f'{root}/frames'), pipeline=pipeline,
                           test_mode=test_mode, **kw)


def test_training_clips_follow_e2e_spot_sampling(spotting_synth):
    ds = _dataset(spotting_synth, 'train', False, clip_len=40, clips_per_epoch=30)
    assert len(ds) == 30
    np.random.seed(0)
    starts, by_video = [], {}
    for i in range(200):
        info = ds.get_data_info(i % 30)
        s, n = info['clip_start'], info['num_frames']
        assert -5 <= s <= max(0, n - 1 + 10 - 40) - 5
        starts.append(s)
        by_video[info['video_id']] = by_video.get(info['video_id'], 0) + 1
        lab = info['gt_frame_labels']
        for f, c in zip(info['event_frames'], info['event_labels']):
            if 0 <= f - s < 40:
                assert lab[f - s] == c
        assert (lab > 0).sum() == np.sum((info['event_frames'] >= s) &
                                         (info['event_frames'] < s + 40))
    assert min(starts) < 0  # clips may start in the padding
    # videos are drawn in proportion to their length
    n = np.array([v['num_frames'] for v in ds.videos], np.float64)
    ids = [v['video_id'] for v in ds.videos]
    counts = dict.fromkeys(ids, 0)
    for _ in range(4000):
        counts[ds.get_data_info(0)['video_id']] += 1
    freq = np.array([counts[v] for v in ids]) / 4000
    assert np.abs(freq - n / n.sum()).max() < 0.03
    out = ds[0]
    T = out['inputs'].shape[0]
    assert out['inputs'].shape[1] == 3 and T == 40
    valid = out['data_samples'].metainfo['frame_valid']
    assert (out['inputs'][~valid] == 0).all()  # padding is black


def test_test_windows_cover_every_frame_once_per_window(spotting_synth):
    ds = _dataset(spotting_synth, 'test', True, clip_len=40)
    per_video = {}
    for i in range(len(ds)):
        info = ds.get_data_info(i)
        per_video.setdefault(info['video_id'], []).append(info['clip_start'])
        assert info['num_windows'] >= 1
    for v in ds.videos:
        covered = np.zeros(v['num_frames'], int)
        for s in per_video[v['video_id']]:
            covered[max(s, 0):s + 40] += 1
        assert covered.min() >= 1
        assert per_video[v['video_id']] == sliding_window_starts(v['num_frames'], 40,
                                                                  20).tolist()


def test_missing_frame_and_folder_are_named(spotting_synth, tmp_path):
    import shutil
    root = str(tmp_path / 'copy')
    shutil.copytree(spotting_synth, root)
    ds = _dataset(root, 'test', True, clip_len=40)
    vid = ds.videos[0]['video_id']
    import os
    os.remove(osp.join(root, 'frames', vid, '000005.jpg'))
    with pytest.raises(FileNotFoundError, match=f"frame 5 of video '{vid}'"):
        ds[0]
    shutil.rmtree(osp.join(root, 'frames', vid))
    with pytest.raises(FileNotFoundError, match=f'frame folder of {vid!r}'):
        _dataset(root, 'test', True, clip_len=40)


def test_video_files_give_the_frames_of_the_folders(spotting_synth, tmp_path):
    """One video per clip (decord) reads the same frames as the JPG folders (up to codec)."""
    import cv2
    ds = _dataset(spotting_synth, 'test', True, clip_len=40)
    vid = ds.videos[0]['video_id']
    n = ds.videos[0]['num_frames']
    os_dir = tmp_path / 'videos'
    os_dir.mkdir()
    w = cv2.VideoWriter(str(os_dir / f'{vid}.avi'), cv2.VideoWriter_fourcc(*'MJPG'), 25, (64, 64))
    for i in range(n):
        w.write(cv2.imread(osp.join(spotting_synth, 'frames', vid, f'{i:06d}.jpg')))
    w.release()
    dv = SpottingDataset(ann_file=f'{spotting_synth}/test.json',
                         class_file=f'{spotting_synth}/class.txt',
                         data_prefix=dict(video=str(os_dir)), video_ext='.avi',
                         pipeline=[LoadSpottingClip(), PackSpottingInputs()], test_mode=True,
                         clip_len=40, check_files=False)
    a = ds[0]['inputs'].float()
    b = dv[0]['inputs'].float()
    assert a.shape == b.shape
    assert (a - b).abs().mean() < 6


def test_photometric_is_clip_consistent_and_keeps_padding_black():
    rng = np.random.default_rng(0)
    frame = rng.integers(0, 255, (16, 16, 3), dtype=np.uint8)
    imgs = [frame.copy() for _ in range(5)] + [np.zeros_like(frame)]
    np.random.seed(3)
    out = ClipPhotometric(prob=1.0)(dict(imgs=imgs, frame_valid=np.array([1] * 5 + [0], bool)))
    first = out['imgs'][0]
    assert not np.array_equal(first, frame)
    for f in out['imgs'][1:5]:
        assert np.array_equal(f, first)  # the same draw for every frame
    assert out['imgs'][5].max() == 0

"""FineDiving / FineDiving-HM loading: the real pickles, the pairing, the transforms, errors."""
import os
import os.path as osp
import pickle

import cv2
import numpy as np
import pytest
import torch

from mmfine.datasets import (FineDivingDataset, holdout_keys, load_coarse_frames,
                             load_finediving_annotations, load_split, release_transitions)
from mmfine.datasets.transforms import (ClipCrop, ClipFlip, ClipResize, LoadAQAFrames,
                                        PackAQAInputs, SampleAQAFrames)
from mmfine.fileio.safe_pickle import UnsafePickleError
from mmfine.models.task_modules import TransitionDecoder
from mmfine.utils import register_all_modules

register_all_modules()


# ---------------------------------------------------------------------------- the real files
def test_real_pickles_load(finediving_aqa_root):
    REAL = finediving_aqa_root
    ann = load_finediving_annotations(osp.join(REAL, 'fine-grained_annotation_aqa.pkl'))
    train = load_split(osp.join(REAL, 'train_split.pkl'))
    test = load_split(osp.join(REAL, 'test_split.pkl'))
    coarse = load_coarse_frames(osp.join(REAL, 'FineDiving_coarse_annotation.pkl'))
    assert len(ann) == 3000 and len(train) == 2251 and len(test) == 749
    assert not set(train) & set(test) and set(train) | set(test) == set(ann)
    a = ann[('01', 1)]
    assert a['dive_number'] == '407c' and a['score'] == 88.0 and a['difficulty'] == 3.2
    assert len(a['frames_labels']) == 85
    for k, (s, e) in coarse.items():
        assert e - s + 1 == len(ann[k]['frames_labels'])
    assert {a['dive_number'] for a in ann.values()}.__len__() == 52


def test_real_transitions_and_fixed_window_ceiling(finediving_aqa_root):
    """Every real clip yields 2 transitions after 96-frame sampling; the release's fixed
    windows cannot express 206 of them (108 with t1 >= 48, 98 with t2 < 48), the ordered
    decoder every one."""
    REAL = finediving_aqa_root
    ann = load_finediving_annotations(osp.join(REAL, 'fine-grained_annotation_aqa.pkl'))
    coarse = load_coarse_frames(osp.join(REAL, 'FineDiving_coarse_annotation.pkl'))
    sampler = SampleAQAFrames(96, test_mode=True)
    gts = []
    for k, a in ann.items():
        r = sampler(dict(total_frames=len(a['frames_labels']), start_frame=coarse[k][0],
                         has_steps=True, frames_labels=a['frames_labels'], video_id=str(k)))
        assert 0 < r['gt_transitions'][0] < r['gt_transitions'][1] < 96
        gts.append(r['gt_transitions'])
    gt = torch.as_tensor(np.stack(gts))
    assert int((gt[:, 0] >= 48).sum()) == 108 and int((gt[:, 1] < 48).sum()) == 98
    perfect = torch.zeros(len(gt), 96, 2)
    perfect[torch.arange(len(gt)), gt[:, 0], 0] = 1
    perfect[torch.arange(len(gt)), gt[:, 1], 1] = 1
    fixed = TransitionDecoder('fixed_windows')(perfect)
    ordered = TransitionDecoder('ordered')(perfect)
    assert int((fixed != gt).any(1).sum()) == 206
    assert torch.equal(ordered, gt)


def test_transition_ceiling_tool(capsys, finediving_aqa_root, tool_module):
    REAL = finediving_aqa_root
    tool = tool_module('tools/analysis_tools/fineparser_transition_ceiling.py')
    import sys
    argv = sys.argv
    sys.argv = ['x', osp.join(REAL, 'fine-grained_annotation_aqa.pkl'), '--coarse',
                osp.join(REAL, 'FineDiving_coarse_annotation.pkl')]
    try:
        tool.main()
    finally:
        sys.argv = argv
    out = capsys.readouterr().out
    rows = {line.split()[0]: line.split() for line in out.splitlines()[2:]}
    assert rows['fixed_windows'][1] == '206' and rows['ordered'][1] == '0'
    assert float(rows['ordered'][2]) == 1.0 and float(rows['fixed_windows'][3]) < 1.0


# ---------------------------------------------------------------------------- rules
def test_release_transitions():
    # take-off 4, flight 25, entry 36: t1 = first flight frame, t2 = first entry frame
    assert release_transitions([4, 4, 25, 25, 25, 36, 36]) == (2, 5)
    # several flight sub-actions are one middle step; a recurring label keeps its first run
    assert release_transitions([2, 12, 12, 31, 12, 36, 36]) == (1, 5)
    with pytest.raises(ValueError, match='3 \\(take-off, flight, entry\\)'):
        release_transitions([4, 4, 36, 36], 'f.pkl: key')


def test_sample_frames_linspace_and_jitter():
    labels = np.array([1] * 10 + [2] * 30 + [3] * 20)
    base = dict(total_frames=60, start_frame=100, has_steps=True, frames_labels=labels,
                video_id='v/0')
    r = SampleAQAFrames(96, test_mode=True)(dict(base))
    assert np.array_equal(r['frame_ids'], np.linspace(100, 159, 96).astype(np.int64))
    assert np.array_equal(r['frame_inds'], r['frame_ids'] - 100)
    t1, t2 = r['gt_transitions']
    assert labels[r['frame_inds'][t1]] == 2 and labels[r['frame_inds'][t1 - 1]] == 1
    assert labels[r['frame_inds'][t2]] == 3 and labels[r['frame_inds'][t2 - 1]] == 2
    ends = {int(SampleAQAFrames(96)(dict(base))['frame_ids'][-1]) for _ in range(200)}
    assert ends == {156, 157, 158, 159}  # end += randint(-3, 0)
    with pytest.raises(ValueError):
        SampleAQAFrames(96, end_jitter=(0, 2))


def test_holdout_is_deterministic_and_order_free():
    keys = [(f'v{i % 7}', i) for i in range(200)]
    a = holdout_keys(keys, 0.1, seed=3)
    assert len(a) == 20 and a == holdout_keys(keys[::-1], 0.1, seed=3)
    assert a != holdout_keys(keys, 0.1, seed=4)
    # a group's last clip stays in training: 'solo' is never held out
    groups = {k: ('solo' if k == keys[0] else 'many') for k in keys}
    for seed in range(20):
        held = holdout_keys(keys, 0.5, seed, groups)
        assert keys[0] not in held and len(held) == 100


# ---------------------------------------------------------------------------- a real-layout set
DIVES = {  # key -> (dive number, score, difficulty, n frames, start frame)
    ('WorldCup_Men3m', 0): ('107b', 70.0, 3.1, 40, 95),
    ('WorldCup_Men3m', 1): ('107b', 80.0, 3.1, 36, 300),
    ('WorldCup_Men3m', 2): ('107b', 60.0, 3.1, 44, 512),
    ('01', 3): ('407c', 88.0, 3.2, 38, 7),
    ('01', 4): ('407c', 50.0, 3.2, 42, 1000),
    ('01', 5): ('407c', 40.0, 3.2, 30, 20),
}
TRAIN = [('WorldCup_Men3m', 0), ('WorldCup_Men3m', 1), ('01', 3), ('01', 4)]
TEST = [('WorldCup_Men3m', 2), ('01', 5)]
W, H = 40, 24


def _labels(n):
    a, b = n // 4, (3 * n) // 4
    return np.array([1] * a + [12] * (b - a) + [36] * (n - b), np.int64)


def _write_clip(root, key, n, start, mask_size=None):
    """Frames with a bright rectangle (the 'diver') left of centre, its mask the rectangle."""
    video, clip = key
    fdir = osp.join(root, 'frames', video, str(clip))
    mdir = osp.join(root, 'masks', video, str(clip))
    os.makedirs(fdir, exist_ok=True)
    os.makedirs(mdir, exist_ok=True)
    for i in range(n):
        img = np.full((H, W, 3), 40, np.uint8)
        x = 2 + (i % 10)
        img[4:14, x:x + 8] = 230
        cv2.imwrite(osp.join(fdir, f'{start + i:05d}.jpg'), img)
        m = np.zeros((H, W), np.uint8)
        m[4:14, x:x + 8] = 255
        if mask_size is not None:
            m = cv2.resize(m, mask_size, interpolation=cv2.INTER_NEAREST)
        cv2.imwrite(osp.join(mdir, f'{start + i:05d}.jpg'), m)


@pytest.fixture(scope='module')
def fd_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('finediving'))
    ann, coarse = {}, {}
    for key, (dive, score, dd, n, start) in DIVES.items():
        labels = _labels(n)
        ann[key] = [dive, score, dd, np.array([n // 4 - 1, (3 * n) // 4 - 1]), labels]
        coarse[key] = dict(action_type=dive, start_frame=start, end_frame=start + n - 1,
                           dive_score=score, difficulty=dd, judge_scores=[7.0] * 5)
        _write_clip(root, key, n, start, mask_size=(80, 48) if key == ('01', 4) else None)
    for name, obj in (('fine-grained_annotation_aqa.pkl', ann), ('train_split.pkl', TRAIN),
                      ('test_split.pkl', TEST), ('coarse.pkl', coarse)):
        with open(osp.join(root, name), 'wb') as f:
            pickle.dump(obj, f, protocol=3)
    return root


def _pipeline(test_mode, num_frames=16, flip=0.5):
    p = [dict(type='SampleAQAFrames', num_frames=num_frames, test_mode=test_mode),
         dict(type='LoadAQAFrames')]
    if not test_mode:
        p.append(dict(type='ClipFlip', flip_ratio=flip))
    p += [dict(type='ClipResize', scale=(32, 20)),
          dict(type='ClipCrop', size=16, random=not test_mode),
          dict(type='PackAQAInputs')]
    return p


def _infos(ds):
    return [ds.get_data_info(i) for i in range(len(ds))]


def _dataset(root, split='train', test_mode=False, **kw):
    kw.setdefault('pipeline', _pipeline(test_mode))
    return FineDivingDataset(
        ann_file=osp.join(root, 'fine-grained_annotation_aqa.pkl'),
        split_file=osp.join(root, f'{split}_split.pkl'),
        exemplar_split_file=osp.join(root, 'train_split.pkl'),
        data_prefix=dict(img=osp.join(root, 'frames'), mask=osp.join(root, 'masks')),
        test_mode=test_mode, **kw)


def test_train_pairs(fd_root):
    ds = _dataset(fd_root)
    assert len(ds) == 4
    assert ds.get_data_info(0)['start_frame'] == 95  # from the frame folder's names
    for idx in range(len(ds)):
        for _ in range(5):
            s = ds[idx]
            sample = s['data_samples']
            assert s['inputs'].shape == (2, 3, 16, 16, 16) and s['inputs'].dtype == torch.uint8
            key = sample.key
            ex = sample.exemplar_keys[0]
            assert ex != key and DIVES[ex][0] == DIVES[key][0]  # same dive number, not itself
            assert float(sample.exemplar_scores[0]) == DIVES[ex][1]
            assert float(sample.gt_score) == DIVES[key][1]
            assert sample.gt_masks.shape == (16, 16, 16)
            assert sample.exemplar_masks.shape == (1, 16, 16, 16)
            assert sample.exemplar_transitions.shape == (1, 2)


def test_coarse_file_gives_the_same_frames(fd_root):
    a = _dataset(fd_root, coarse_file=osp.join(fd_root, 'coarse.pkl'))
    b = _dataset(fd_root)
    assert [i['start_frame'] for i in _infos(a)] == [i['start_frame'] for i in _infos(b)]
    assert [i['start_frame'] for i in _infos(a)] == [DIVES[k][4] for k in TRAIN]


def test_test_voters_fixed_across_runs_and_orders(fd_root):
    a = _dataset(fd_root, 'test', True, num_voters=10)
    b = _dataset(fd_root, 'test', True, num_voters=10)
    s = a[0]['data_samples']
    assert a[0]['inputs'].shape[0] == 1 + 2  # 107b has 2 training clips: E = 2 < 10
    assert sorted(s.exemplar_keys) == [('WorldCup_Men3m', 0), ('WorldCup_Men3m', 1)]
    # same voters at every evaluation, in any order, in another process's dataset
    assert [b[i]['data_samples'].exemplar_keys for i in (1, 0)] == \
        [a[i]['data_samples'].exemplar_keys for i in (1, 0)]
    two = _dataset(fd_root, 'test', True, num_voters=1)
    assert two[0]['data_samples'].exemplar_keys == [s.exemplar_keys[0]]


def test_holdout_validation_part(fd_root):
    val = _dataset(fd_root, holdout=dict(ratio=0.25, seed=0, part='val'), test_mode=True,
                   pipeline=_pipeline(True))
    train = _dataset(fd_root, holdout=dict(ratio=0.25, seed=0, part='train'))
    val_keys = {i['key'] for i in _infos(val)}
    assert len(val_keys) == 1 and len(train) == 3
    assert not val_keys & {i['key'] for i in _infos(train)}
    assert not val_keys & {i['key'] for i in train._pool}
    assert not val_keys & {i['key'] for i in val._pool}


def test_masks_stay_aligned_through_the_transforms(fd_root):
    """The mask is the bright rectangle of the frame: after flip, resize (incl. a mask file
    of another size) and crop, mask and frame still agree."""
    for key in (('01', 3), ('01', 4)):
        n, start = DIVES[key][3], DIVES[key][4]
        info = dict(key=key, video_id=str(key), media='frames', total_frames=n,
                    start_frame=start, has_steps=True, frames_labels=_labels(n),
                    score=1.0, frame_dir=osp.join(fd_root, 'frames', *map(str, key)),
                    mask_dir=osp.join(fd_root, 'masks', *map(str, key)))
        for seed in range(6):
            np.random.seed(seed)
            r = SampleAQAFrames(12)(dict(info))
            r = LoadAQAFrames()(r)
            r = ClipFlip(0.5)(r)
            r = ClipResize((32, 20))(r)
            r = ClipCrop((24, 16))(r)
            imgs, masks = np.stack(r['imgs']), np.stack(r['masks'])
            assert imgs.shape == (12, 16, 24, 3) and masks.shape == (12, 16, 24)
            agree = (imgs[..., 0] >= 135) == (masks >= 128)
            assert agree.mean() > 0.97, (key, seed, agree.mean())


def test_centre_crop_of_the_release_resize():
    """The release's Resize((200, 112)) gives 112 wide x 200 tall; the centre 112 crop then
    starts at row 44."""
    imgs = [np.arange(256 * 455 * 3, dtype=np.uint32).reshape(256, 455, 3).astype(np.uint8)]
    r = ClipResize((112, 200))(dict(imgs=list(imgs), masks=[imgs[0][..., 0]]))
    assert r['imgs'][0].shape == (200, 112, 3) and r['masks'][0].shape == (200, 112)
    r = ClipCrop(112, random=False)(r)
    assert tuple(r['crop_bbox']) == (0, 44, 112, 156) and r['img_shape'] == (112, 112)


# ---------------------------------------------------------------------------- bad input
def test_refuses_a_malicious_pickle(tmp_path):
    class Evil:
        def __reduce__(self):
            return (os.system, ('echo pwned',))

    path = str(tmp_path / 'fine-grained_annotation_aqa.pkl')
    with open(path, 'wb') as f:
        pickle.dump({('a', 0): Evil()}, f)
    with pytest.raises(UnsafePickleError, match='fine-grained_annotation_aqa.pkl.*system'):
        load_finediving_annotations(path)


def test_errors_name_file_and_key(fd_root, tmp_path):
    import shutil
    root = str(tmp_path / 'fd')
    shutil.copytree(fd_root, root)
    # missing frame folder
    shutil.rmtree(osp.join(root, 'frames', '01', '3'))
    with pytest.raises(FileNotFoundError, match=r"frame folder of \('01', 3\)"):
        _dataset(root)
    shutil.copytree(osp.join(fd_root, 'frames', '01', '3'), osp.join(root, 'frames', '01', '3'))
    # a missing frame file (the folder then holds fewer frames than labelled)
    os.remove(osp.join(root, 'frames', '01', '3', '00010.jpg'))
    with pytest.raises(ValueError, match=r"37 numbered frames.*38 consecutive frames for \('01', 3\)"):
        _dataset(root)
    shutil.copy(osp.join(fd_root, 'frames', '01', '3', '00010.jpg'),
                osp.join(root, 'frames', '01', '3'))
    # mask count different from the frame count
    os.remove(osp.join(root, 'masks', '01', '3', '00010.jpg'))
    ds = _dataset(root)
    idx = next(i for i, d in enumerate(_infos(ds)) if d['key'] == ('01', 3))
    with pytest.raises(ValueError, match='37 masks for the 38 frames of 01/3'):
        ds[idx]
    # unknown dive number: a test dive without a training clip of its number
    ann_path = osp.join(root, 'fine-grained_annotation_aqa.pkl')
    with open(ann_path, 'rb') as f:
        ann = pickle.load(f)
    ann[('01', 5)][0] = '9999z'
    with open(ann_path, 'wb') as f:
        pickle.dump(ann, f)
    with pytest.raises(ValueError, match="dive_number '9999z' of 01/5 has no clip"):
        _dataset(root, 'test', True)
    # a split key without an annotation
    with open(osp.join(root, 'test_split.pkl'), 'wb') as f:
        pickle.dump([('nope', 1)], f)
    with pytest.raises(KeyError, match=r"test_split.pkl: key \('nope', 1\)"):
        _dataset(root, 'test', True)
    # malformed entry
    ann[('01', 5)] = ['407c', 'high', 3.2, None, np.zeros(5, np.int64)]
    with open(ann_path, 'wb') as f:
        pickle.dump(ann, f)
    with pytest.raises(ValueError, match=r"entry \('01', 5\): score"):
        load_finediving_annotations(ann_path)


def test_transitions_outside_the_clip_are_an_error(fd_root):
    info = dict(total_frames=30, start_frame=0, has_steps=True, video_id='01/9 (f.pkl)',
                frames_labels=np.array([1] * 29 + [36]))
    with pytest.raises(ValueError, match='01/9'):
        SampleAQAFrames(8, test_mode=True)(info)  # the entry frame is not sampled

"""MTL-AQA in CoRe's layout (generated files: the real ones have no licence), with FineDiving
steps and FineDiving-HM masks through the shared keys."""
import os
import os.path as osp
import pickle

import cv2
import numpy as np
import pytest
import torch

from mmfine.datasets import MTLAQADataset, load_mtl_aqa_annotations, load_mtl_aqa_split
from mmfine.datasets.transforms import SampleAQAFrames
from mmfine.fileio.safe_pickle import UnsafePickleError
from mmfine.models.losses import BinaryFocalLoss  # noqa: F401 (registry)
from mmfine.utils import register_all_modules

register_all_modules()

CLIP = 20  # a short window for the test (CoRe: 103)
PIPE = [dict(type='SampleAQAFrames', num_frames=8, test_mode=True),
        dict(type='LoadAQAFrames'), dict(type='PackAQAInputs')]


def _write(path, obj):
    with open(path, 'wb') as f:
        pickle.dump(obj, f, protocol=4)


@pytest.fixture
def mtl_root(tmp_path):
    """Two videos ('01' numbered from 1 as ffmpeg writes, '03' from 0); 6 clips, 4 of them
    FineDiving clips (labels 1 / 2 / 3 = take-off / flight / entry, masks on FineDiving's
    window only)."""
    root = tmp_path
    frames = {1: (1, 200), 3: (0, 150)}  # video -> (first number, count)
    for vid, (first, count) in frames.items():
        d = root / 'frames' / f'{vid:02d}'
        d.mkdir(parents=True)
        for i in range(count):
            img = np.full((12, 16, 3), i % 250, np.uint8)  # the value = the position
            cv2.imwrite(str(d / f'{first + i:08d}.jpg'), img)
    ann, fine, coarse = {}, {}, {}
    clips = [((1, 1), 40, 3.0, 80.0, '107b'), ((1, 2), 80, 3.0, 60.0, '107b'),
             ((1, 3), 120, 2.0, 50.0, '205c'), ((1, 4), 190, 2.0, 55.0, '205c'),
             ((3, 1), 60, 3.0, 70.0, '407c'), ((3, 2), 100, 2.0, 40.0, '205c')]
    for (vid, clip), end, dd, score, dive in clips:
        ann[(vid, clip)] = dict(primary_view=0, start_frame=end - CLIP + 3, end_frame=end,
                                difficulty=dd, final_score=score, dive_number=dive.upper(),
                                judge_scores=np.full(7, score / dd / 3))
        if clip == 4 or (vid, clip) == (3, 2):
            continue  # not in FineDiving
        # FineDiving: 1-based numbers, window = the last 14 frames of CoRe's window
        fd_start, fd_end = end - 13, end
        labels = np.array([1] * 4 + [2] * 6 + [3] * 4)
        key = (f'{vid:02d}', clip)
        fine[key] = [dive, score, dd, np.array([3, 9]), labels]
        coarse[key] = dict(start_frame=fd_start, end_frame=fd_end)
        m = root / 'masks' / key[0] / str(clip)
        m.mkdir(parents=True)
        for f in range(fd_start, fd_end + 1):
            cv2.imwrite(str(m / f'{f:05d}.jpg'), np.full((6, 8), 255, np.uint8))
    info = root / 'info'
    info.mkdir()
    _write(info / 'final_annotations_dict_with_dive_number.pkl', ann)
    _write(info / 'train_split_0.pkl', [(1, 1), (1, 2), (1, 3), (1, 4), (3, 1)])
    _write(info / 'test_split_0.pkl', [(3, 2)])
    _write(info / 'fine.pkl', fine)
    _write(info / 'coarse.pkl', coarse)
    return root


def _dataset(root, split='train', **kw):
    cfg = dict(ann_file=str(root / 'info/final_annotations_dict_with_dive_number.pkl'),
               split_file=str(root / f'info/{split}_split_0.pkl'),
               exemplar_split_file=str(root / 'info/train_split_0.pkl'),
               data_prefix=dict(img=str(root / 'frames'), mask=str(root / 'masks')),
               clip_len=CLIP, finediving_ann_file=str(root / 'info/fine.pkl'),
               finediving_coarse_file=str(root / 'info/coarse.pkl'), pipeline=PIPE,
               test_mode=split == 'test')
    cfg.update(kw)
    return MTLAQADataset(**cfg)


def test_loaders_keys_and_fields(mtl_root):
    ann = load_mtl_aqa_annotations(
        str(mtl_root / 'info/final_annotations_dict_with_dive_number.pkl'))
    assert ('01', 1) in ann and ann[('01', 1)]['dive_number'] == '107b'
    assert ann[('01', 1)]['end_frame'] == 40 and ann[('01', 1)]['score'] == 80.0
    assert load_mtl_aqa_split(str(mtl_root / 'info/test_split_0.pkl')) == [('03', 2)]


def test_window_is_cores_positions(mtl_root):
    """Frames at positions end - clip_len .. end - 1 of the sorted list, whatever the folder's
    first number."""
    ds = _dataset(mtl_root, pipeline=[])
    by_key = {i['key']: i for i in (ds.get_data_info(j) for j in range(len(ds)))}
    a = by_key[('01', 1)]  # numbered from 1: position p = number p + 1
    assert a['start_frame'] == 1 + 40 - CLIP and a['frame_bounds'] == (1, 200)
    b = by_key[('03', 1)]  # numbered from 0
    assert b['start_frame'] == 60 - CLIP and b['frame_bounds'] == (0, 149)
    ds = _dataset(mtl_root, pipeline=[dict(type='SampleAQAFrames', num_frames=CLIP,
                                           test_mode=True), dict(type='LoadAQAFrames')])
    for j in range(len(ds)):
        r = ds.pipeline(ds.get_data_info(j))
        end = ds.get_data_info(j)['end_position']
        values = [int(img[0, 0, 0]) for img in r['imgs']]  # each frame's value = its position
        assert values == [p % 250 for p in range(end - CLIP, end)]


def test_finediving_steps_and_masks_through_shared_keys(mtl_root):
    ds = _dataset(mtl_root, pipeline=[dict(type='SampleAQAFrames', num_frames=CLIP,
                                           test_mode=True), dict(type='LoadAQAFrames'),
                                      dict(type='PackAQAInputs')])
    keys = [ds.get_data_info(j)['key'] for j in range(len(ds))]
    s = ds.pipeline(ds.get_data_info(keys.index(('01', 1))))['data_samples']
    # FineDiving's window = the last 14 frames; before it: take-off (label 1)
    # labels over the window: 6 x take-off (outside) + 4 + 6 x flight + 4 x entry
    assert s.has_steps and s.gt_transitions.tolist() == [10, 16]
    assert s.gt_mask_valid.tolist() == [False] * 6 + [True] * 14
    assert s.gt_masks.shape == (CLIP, 12, 16)  # resized to the frame
    assert (s.gt_masks[6:] == 255).all() and (s.gt_masks[:6] == 0).all()
    s = ds.pipeline(ds.get_data_info(keys.index(('01', 4))))['data_samples']
    assert not s.has_steps and not s.gt_mask_valid.any() and s.gt_masks.shape[0] == CLIP


def test_same_difficulty_exemplars_and_fixed_voters(mtl_root):
    ds = _dataset(mtl_root)
    for j in range(len(ds)):
        info = ds.get_data_info(j)
        ex = ds.exemplar_infos(j)
        assert all(e['difficulty'] == info['difficulty'] for e in ex)
        assert all(e['key'] != info['key'] for e in ex)
    test = _dataset(mtl_root, 'test')
    a = [e['key'] for e in test.exemplar_infos(0)]
    b = [e['key'] for e in _dataset(mtl_root, 'test').exemplar_infos(0)]
    assert a == b and len(a) == 2  # the difficulty-2.0 training clips
    sample = test[0]
    assert sample['inputs'].shape[0] == 3
    assert sample['data_samples'].exemplar_mask_valid.shape == (2, 8)


def test_window_jitter_stays_in_the_video(mtl_root):
    ds = _dataset(mtl_root, pipeline=[])
    info = next(ds.get_data_info(j) for j in range(len(ds))
                if ds.get_data_info(j)['key'] == ('01', 4))  # ends at the video's end
    t = SampleAQAFrames(num_frames=CLIP, end_jitter=(-3, 3), jitter='window')
    np.random.seed(0)
    for _ in range(30):
        r = t(dict(info))
        assert r['frame_ids'].max() <= 200 and r['frame_ids'].min() >= 1
        assert len(np.unique(r['frame_ids'])) == CLIP  # shifted, not squeezed
    with pytest.raises(ValueError, match='hi <= 0'):
        SampleAQAFrames(end_jitter=(-3, 3))


def test_sap_loss_ignores_invalid_frames():
    """Frames marked invalid add nothing to L_SAP (the weight is per frame)."""
    from mmfine.registry import MODELS
    loss = MODELS.build(dict(type='BinaryFocalLoss'))
    logits = torch.randn(2, 1, 4, 3, 3)
    target = torch.ones(2, 1, 4, 3, 3)
    w = torch.ones(2, 1, 4, 1, 1)
    w[:, :, 2:] = 0
    changed = logits.clone()
    changed[:, :, 2:] = 50.  # invalid frames: any prediction
    assert torch.allclose(loss(logits, target, w), loss(changed, target, w))
    assert torch.allclose(loss(logits, target, w), loss(logits[:, :, :2], target[:, :, :2]))


def test_errors_name_file_and_key(mtl_root, tmp_path):
    info = mtl_root / 'info'
    ann_file = info / 'final_annotations_dict_with_dive_number.pkl'
    # a missing frame inside the video folder
    os.remove(mtl_root / 'frames' / '03' / f'{10:08d}.jpg')
    with pytest.raises(FileNotFoundError, match='00000010.jpg is missing'):
        _dataset(mtl_root)
    cv2.imwrite(str(mtl_root / 'frames' / '03' / f'{10:08d}.jpg'), np.zeros((12, 16, 3)))
    # a window past the video's frames
    ann = pickle.load(open(ann_file, 'rb'))
    ann[(3, 1)]['end_frame'] = 400
    _write(ann_file, ann)
    with pytest.raises(ValueError, match=r"\('03', 1\).*end_frame 400 is past"):
        _dataset(mtl_root)
    ann[(3, 1)]['end_frame'] = 60
    del ann[(3, 1)]['final_score']
    _write(ann_file, ann)
    with pytest.raises(ValueError, match=r"final_annotations.*\(3, 1\).*final_score"):
        _dataset(mtl_root)
    ann[(3, 1)]['final_score'] = 70.0
    _write(ann_file, ann)
    # mask count different from FineDiving's frame count
    os.remove(mtl_root / 'masks' / '01' / '1' / f'{40:05d}.jpg')
    ds = _dataset(mtl_root)
    j = [ds.get_data_info(i)['key'] for i in range(len(ds))].index(('01', 1))
    with pytest.raises(ValueError, match='13 masks for the 14 frames'):
        ds.pipeline(ds.get_data_info(j))
    # missing video folder
    os.rename(mtl_root / 'frames' / '03', mtl_root / 'frames' / 'x')
    with pytest.raises(FileNotFoundError, match='MTL-AQA video 03'):
        _dataset(mtl_root)
    # untrusted pickle
    class Evil:
        def __reduce__(self):
            return (os.system, ('echo pwned',))
    bad = tmp_path / 'evil.pkl'
    _write(bad, {(1, 1): Evil()})
    with pytest.raises(UnsafePickleError, match='evil.pkl'):
        load_mtl_aqa_annotations(str(bad))

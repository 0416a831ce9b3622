import os.path as osp
import pickle

import numpy as np
import pytest

from mmfine.datasets import ACTFormatError, load_act_gt, split_videos, video_tubes


def _write(tmp_path, obj, name='gt.pkl'):
    path = str(tmp_path / name)
    with open(path, 'wb') as f:
        pickle.dump(obj, f)
    return path


def _valid_gt():
    return dict(labels=['a', 'b'], train_videos=[['a/00001_1']], test_videos=[['b/00002_1']],
                nframes={'a/00001_1': 10, 'b/00002_1': 10},
                resolution={'a/00001_1': (72, 96), 'b/00002_1': (72, 96)},
                gttubes={'a/00001_1': {0: [np.array([[3, 1, 2, 11, 12], [2, 1, 2, 10, 12]],
                                                    np.float32)]},
                         'b/00002_1': {1: [np.array([[1, 0, 0, 5, 5]], np.float32)]}})


def test_real_multisports_pickle(shared_data):
    path = osp.join(shared_data, 'act_format', 'multisports_gt_sample.pkl')
    gt = load_act_gt(path)
    assert len(gt['labels']) == 66
    vids = split_videos(gt, 'test', path)
    assert vids == ['aerobic_gymnastics/v_crsi07chcV8_c004']
    tubes = video_tubes(gt, vids[0])
    assert len(tubes) == 8 and {t['label'] for t in tubes} == {9, 10, 11, 14}
    for t in tubes:
        assert t['boxes'].shape[1] == 5 and np.all(np.diff(t['boxes'][:, 0]) > 0)
        assert t['boxes'][:, 0].max() <= gt['nframes'][vids[0]]
    with pytest.raises(ACTFormatError, match="'train_videos'"):
        split_videos(gt, 'train', path)


def test_tubes_are_sorted_by_frame(tmp_path):
    gt = load_act_gt(_write(tmp_path, _valid_gt()))
    np.testing.assert_array_equal(gt['gttubes']['a/00001_1'][0][0][:, 0], [2, 3])


@pytest.mark.parametrize('mutate, match', [
    (lambda g: g.pop('gttubes'), "missing key 'gttubes'"),
    (lambda g: g['gttubes']['a/00001_1'][0][0].__setitem__((0, 0), 11),
     r"gttubes\['a/00001_1'\]\[0\]\[0\] has frames \[2, 11\] outside \[1, nframes=10\]"),
    (lambda g: g['gttubes']['a/00001_1'][0][0].__setitem__((0, 0), 2), 'duplicate frame'),
    (lambda g: g['gttubes']['a/00001_1'][0][0].__setitem__((0, 3), 0), 'x2 < x1'),
    (lambda g: g['gttubes']['a/00001_1'].__setitem__(5, []), 'label 5 outside'),
    (lambda g: g['nframes'].pop('b/00002_1'), "no entry in 'nframes'"),
    (lambda g: g['gttubes']['b/00002_1'].__setitem__(1, [np.zeros((3, 4))]), r'\(n, 5\)'),
])
def test_malformed_ground_truth_names_file_and_key(tmp_path, mutate, match):
    gt = _valid_gt()
    mutate(gt)
    path = _write(tmp_path, gt)
    with pytest.raises(ACTFormatError, match=match) as err:
        load_act_gt(path)
    assert path in str(err.value)


def test_not_a_pickle_and_missing_file(tmp_path):
    path = str(tmp_path / 'broken.pkl')
    with open(path, 'wb') as f:
        f.write(b'this is not a pickle')
    with pytest.raises(ACTFormatError, match='cannot unpickle'):
        load_act_gt(path)
    with pytest.raises(FileNotFoundError, match='nope.pkl'):
        load_act_gt(str(tmp_path / 'nope.pkl'))
    with pytest.raises(ACTFormatError, match='expected a dict'):
        load_act_gt(_write(tmp_path, [1, 2], 'list.pkl'))


def test_a_missing_validation_split_says_why(tmp_path):
    path = _write(tmp_path, _valid_gt())
    with pytest.raises(ACTFormatError, match=r"no 'val_videos' key.*no validation split.*"
                                             r"regenerate"):
        split_videos(load_act_gt(path), 'val', path)

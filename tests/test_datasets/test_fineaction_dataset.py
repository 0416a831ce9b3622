import json
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.registry import DefaultScope

from mmfine.datasets import FineActionDataset
from mmfine.datasets.transforms import (LoadTemporalFeature, PackTALInputs,
                                        RescaleTemporalFeature)

PIPELINE = [dict(type='LoadTemporalFeature'), dict(type='RescaleTemporalFeature', length=100),
            dict(type='PackTALInputs')]


@pytest.fixture(autouse=True)
def _mmfine_scope():
    with DefaultScope.overwrite_default_scope('mmfine'):
        yield


def _dataset(root, **kw):
    return FineActionDataset(ann_file=f'{root}/annotations_gt.json',
                             data_prefix=dict(feature=f'{root}/features'), pipeline=PIPELINE,
                             **kw)


def test_official_format_subsets_and_classes(tiny_fineaction):
    train = _dataset(tiny_fineaction, subset='training')
    val = _dataset(tiny_fineaction, subset='validation', test_mode=True,
                   class_file=f'{tiny_fineaction}/classes.txt')
    assert (len(train), len(val)) == (6, 3)
    with open(f'{tiny_fineaction}/annotations_gt.json') as f:
        db = json.load(f)['database']
    # classes: sorted label set of the file (every subset)
    labels = sorted({a['label'] for v in db.values() for a in v['annotations']})
    assert train.metainfo['classes'] == tuple(labels)
    sample = val[0]
    info = db[sample['data_samples'].metainfo['video_name']]
    assert sample['inputs'].shape == (64, 100)
    assert torch.allclose(sample['data_samples'].gt_segments,
                          torch.tensor([a['segment'] for a in info['annotations']]))
    names = [val.metainfo['classes'][i] for i in sample['data_samples'].gt_labels]
    assert names == [a['label'] for a in info['annotations']]


def test_mmaction2_layout_with_csv_features(shared_data):
    root = osp.join(shared_data, 'activitynet_format')
    ds = FineActionDataset(ann_file=f'{root}/action_test_anno.json', feature_ext='.csv',
                           data_prefix=dict(feature=root), pipeline=PIPELINE)
    assert len(ds) == 2 and ds.metainfo['classes'] == ('Drinking beer', 'Rock climbing')
    raw = np.loadtxt(f'{root}/v_test1.csv', delimiter=',', skiprows=1)  # (T, 400)
    loaded = LoadTemporalFeature()(dict(feature_path=f'{root}/v_test1.csv'))
    assert loaded['feature'].shape == (400, raw.shape[0])
    np.testing.assert_allclose(loaded['feature'], raw.T.astype(np.float32))
    sample = ds[1]
    assert sample['inputs'].shape == (400, 100)
    assert sample['data_samples'].metainfo['duration'] == 2.0
    assert sample['data_samples'].gt_segments.tolist() == [[1.0, 2.0]]


def _write(tmp_path, database, features=('v1', )):
    for v in features:
        np.save(tmp_path / f'{v}.npy', np.zeros((10, 4), np.float32))
    ann = tmp_path / 'ann.json'
    ann.write_text(json.dumps(dict(database=database)))
    return str(ann)


def _video(segment=(1.0, 2.0), label='a', duration=10.0):
    return dict(subset='training', duration=duration,
                annotations=[dict(segment=list(segment), label=label)])


@pytest.mark.parametrize('database, kwargs, error, match', [
    (dict(v1=_video(), v2=_video()), {}, FileNotFoundError, r"feature file of video 'v2'"),
    (dict(v1=_video(segment=(9.0, 12.0))), {}, ValueError,
     r"video 'v1' annotations\[0\] segment \[9.0, 12.0\] is outside"),
    (dict(v1=_video(segment=(3.0, 2.0))), {}, ValueError, r'outside the video .* or reversed'),
    (dict(v1=_video(label='zzz')), dict(class_file=True), ValueError,
     r"label 'zzz' is not a known class \(class file"),
    (dict(v1=dict(subset='training', annotations=[])), {}, ValueError, r"has no 'duration'"),
])
def test_invalid_annotations(tmp_path, database, kwargs, error, match):
    ann = _write(tmp_path, database)
    if kwargs.get('class_file'):
        (tmp_path / 'classes.txt').write_text('a\nb\n')
        kwargs = dict(class_file=str(tmp_path / 'classes.txt'))
    with pytest.raises(error, match=match):
        FineActionDataset(ann_file=ann, data_prefix=dict(feature=str(tmp_path)), **kwargs)


def test_segment_tolerance_clips(tmp_path):
    ann = _write(tmp_path, dict(v1=_video(segment=(9.0, 10.3))))
    ds = FineActionDataset(ann_file=ann, data_prefix=dict(feature=str(tmp_path)))
    assert ds.get_data_info(0)['gt_segments'].tolist() == [[9.0, 10.0]]


def test_video_cls_file(tmp_path):
    ann = _write(tmp_path, dict(v1=_video(), v2=_video(label='b')), features=('v1', 'v2'))
    scores = tmp_path / 'cls.json'
    scores.write_text(json.dumps(dict(results=dict(v1=[0.2, 0.8], v2=[0.9, 0.1]))))
    ds = FineActionDataset(ann_file=ann, data_prefix=dict(feature=str(tmp_path)),
                           video_cls_file=str(scores), pipeline=PIPELINE[:1] + PIPELINE[2:])
    assert ds[0]['data_samples'].video_cls_scores.tolist() == pytest.approx([0.2, 0.8])
    scores.write_text(json.dumps(dict(v1=[0.2, 0.8])))
    with pytest.raises(KeyError, match="no class scores for video 'v2'"):
        FineActionDataset(ann_file=ann, data_prefix=dict(feature=str(tmp_path)),
                          video_cls_file=str(scores))


def test_rescale_is_linear_interpolation():
    feat = np.stack([np.arange(50, dtype=np.float32), np.ones(50, np.float32)])  # [2, 50]
    out = RescaleTemporalFeature(100)(dict(feature=feat))
    assert out['feature'].shape == (2, 100) and out['feature_len'] == 100
    # align_corners=False: output step j reads input position (j + 0.5) / 2 - 0.5
    j = np.arange(100)
    np.testing.assert_allclose(out['feature'][0], np.clip((j + 0.5) / 2 - 0.5, 0, 49),
                               atol=1e-5)
    same = RescaleTemporalFeature(50)(dict(feature=feat))
    np.testing.assert_array_equal(same['feature'], feat)


def test_pack_requires_feature():
    with pytest.raises(KeyError, match='add LoadTemporalFeature'):
        PackTALInputs()(dict(video_name='v'))


def test_crop_keeps_a_window_and_its_segments():
    from mmfine.datasets.transforms import CropTemporalFeature
    feat = np.arange(40, dtype=np.float32)[None].repeat(3, 0)  # [3, 40], 0.5 s per step
    res = dict(feature=feat, duration=20.0, gt_segments=np.array([[1., 3.], [14., 19.]]),
               gt_labels=np.array([4, 7]))
    out = CropTemporalFeature(max_len=20, random=False)(dict(res))
    # first 20 steps = 10 s: the first segment stays, the second starts after the window
    assert out['feature'].shape == (3, 20) and out['feature'][0, -1] == 19
    assert out['duration'] == 10.0 and out['gt_segments'].tolist() == [[1., 3.]]
    assert out['gt_labels'].tolist() == [4]
    np.random.seed(0)
    out = CropTemporalFeature(max_len=20)(dict(res))
    start = out['feature'][0, 0] * 0.5  # seconds cut off the front
    assert np.allclose(out['gt_segments'], np.clip(res['gt_segments'] - start, 0, 10)[
        (np.clip(res['gt_segments'] - start, 0, 10)[:, 1] >
         np.clip(res['gt_segments'] - start, 0, 10)[:, 0])])


def test_unreadable_feature_files_name_the_file(tmp_path):
    """A non-UTF-8 csv (was: ``TypeError: function takes exactly 5 arguments``), a missing
    file and a malformed npy all raise with the path and the video."""
    bad_csv = tmp_path / 'v_bad.csv'
    bad_csv.write_bytes(b'f0,f1\n\xff\xfe,1\n')
    with pytest.raises(ValueError, match=r"'v_bad'.*v_bad\.csv.*UnicodeDecodeError") as err:
        LoadTemporalFeature()(dict(feature_path=str(bad_csv), video_name='v_bad'))
    assert isinstance(err.value.__cause__, UnicodeDecodeError)
    with pytest.raises(FileNotFoundError, match='missing.npy'):
        LoadTemporalFeature()(dict(feature_path=str(tmp_path / 'missing.npy'), video_name='m'))
    junk = tmp_path / 'junk.npy'
    junk.write_bytes(b'not an npy file')
    with pytest.raises(ValueError, match='junk.npy'):
        LoadTemporalFeature()(dict(feature_path=str(junk), video_name='j'))

import json
import os
import os.path as osp
import pickle
import shutil

import pytest

from mmfine.datasets import FineSportsDataset


def _ds(root, **kwargs):
    kwargs.setdefault('media', 'video')
    prefix = dict(video=osp.join(root, 'videos')) if kwargs['media'] == 'video' else dict(
        img=osp.join(root, 'rgb-images'))
    return FineSportsDataset(
        ann_file=osp.join(root, 'FineSports-GT.pkl'),
        prompt_file=osp.join(root, 'prompts_with_color.json'), data_prefix=prefix, **kwargs)


def test_tube_mode_samples(tiny_finesports):
    ds = _ds(tiny_finesports, split='train', keyframes_per_tube=3)
    with open(osp.join(tiny_finesports, 'FineSports-GT.pkl'), 'rb') as f:
        gt = pickle.load(f)
    assert len(ds) == 3 * len(gt['train_videos'][0])
    assert ds.metainfo['classes'] == tuple(gt['labels'])
    for info in (ds.get_data_info(i) for i in range(len(ds))):
        tube = gt['gttubes'][info['video_id']][info['label']][0]
        assert tube[0, 0] <= info['keyframe'] <= tube[-1, 0]
        assert info['tubes'][info['target']]['label'] == info['label']
        number, prompt = next(iter(json.load(open(
            osp.join(tiny_finesports, 'prompts_with_color.json')))[
                FineSportsDataset.clip_id(info['video_id'])].items()))
        assert info['prompt'] == prompt and f'number {number}' in prompt
        assert info['filename'].endswith(info['video_id'] + '.mp4')


def test_frame_mode_samples(tiny_finesports):
    ds = _ds(tiny_finesports, split='test', sample_mode='frame', frame_stride=4,
             media='frames')
    n_test = len(pickle.load(open(osp.join(tiny_finesports, 'FineSports-GT.pkl'),
                                  'rb'))['test_videos'][0])
    assert len(ds) == n_test * len(range(1, 21, 4))
    info = ds.get_data_info(1)
    assert info['keyframe'] == 5 and info['label'] == -1 and osp.isdir(info['frame_dir'])


def test_missing_video_and_prompt_errors(tiny_finesports, tmp_path):
    root = str(tmp_path / 'copy')
    shutil.copytree(tiny_finesports, root, ignore=shutil.ignore_patterns('rgb-images'))
    gt = pickle.load(open(osp.join(root, 'FineSports-GT.pkl'), 'rb'))
    vid = gt['train_videos'][0][0]
    os.remove(osp.join(root, 'videos', vid + '.mp4'))
    with pytest.raises(FileNotFoundError, match=vid) as err:
        _ds(root, split='train')
    assert 'FineSports-GT.pkl' in str(err.value)
    _ds(root, split='test')  # the other split is intact
    prompts = json.load(open(osp.join(root, 'prompts_with_color.json')))
    key = FineSportsDataset.clip_id(gt['test_videos'][0][0])
    prompts.pop(key)
    json.dump(prompts, open(osp.join(root, 'prompts_with_color.json'), 'w'))
    with pytest.raises(KeyError, match=f"no prompt for clip '{key}'"):
        _ds(root, split='test')


def test_bad_arguments(tiny_finesports):
    with pytest.raises(ValueError, match='sample_mode'):
        _ds(tiny_finesports, sample_mode='clips')
    with pytest.raises(ValueError, match='media'):
        _ds(tiny_finesports, media='gif')


def test_real_act_pickle_without_media(shared_data):
    ds = FineSportsDataset(
        ann_file=osp.join(shared_data, 'act_format', 'multisports_gt_sample.pkl'),
        split='test', sample_mode='tube', check_files=False, media='frames')
    assert len(ds) == 8
    assert len(ds.metainfo['classes']) == 66
    infos = [ds.get_data_info(i) for i in range(len(ds))]
    assert all(info['prompt'] is None for info in infos)
    assert all(info['resolution'] == (720, 1280) for info in infos)

import copy
import itertools
import os.path as osp

import numpy as np
import pytest

from mmfine.datasets import FineSportsDataset
from mmfine.datasets.transforms import (CropAroundTube, LoadFineSportsFrames,
                                        PackFineSportsInputs, SampleTubeClip, TubeCenterCrop,
                                        TubeFlip, TubeRandomCrop, TubeResize)


def _tube(frames, box=(10, 20, 30, 60)):
    return np.array([[f, *box] for f in frames], np.float32)


def test_sample_tube_clip_clamps_and_cuts_tubes():
    results = dict(total_frames=10, keyframe=2, target=1,
                   tubes=[dict(label=4, boxes=_tube([7, 8, 9, 10])),  # outside the clip
                          dict(label=2, boxes=_tube([1, 2, 3, 4])),
                          dict(label=3, boxes=_tube([4, 5]))])
    out = SampleTubeClip(clip_len=6, frame_interval=1).transform(copy.deepcopy(results))
    # keyframe at index 3, frames below 1 replaced by frame 1
    np.testing.assert_array_equal(out['frame_ids'], [1, 1, 1, 2, 3, 4])
    assert out['key_index'] == 3
    np.testing.assert_array_equal(out['gt_tube_labels'], [2, 3])  # tube 0 dropped
    assert out['target'] == 0  # re-indexed after the drop
    np.testing.assert_array_equal(out['gt_tube_valid'],
                                  [[1, 1, 1, 1, 1, 1], [0, 0, 0, 0, 0, 1]])
    np.testing.assert_array_equal(out['gt_tube_boxes'][1, :5], 0)
    out = SampleTubeClip(clip_len=4, frame_interval=3, keep_uncovering_tubes=True).transform(
        copy.deepcopy(results))
    np.testing.assert_array_equal(out['frame_ids'], [1, 1, 2, 5])
    assert out['gt_tube_boxes'].shape == (3, 4, 4) and out['target'] == 1


def _white_box_results(h=60, w=80, box=(20, 10, 36, 40), t=3):
    imgs = []
    for _ in range(t):
        img = np.zeros((h, w, 3), np.uint8)
        img[box[1]:box[3], box[0]:box[2]] = 255
        imgs.append(img)
    boxes = np.tile(np.array(box, np.float32), (1, t, 1))
    return dict(imgs=imgs, img_shape=(h, w), gt_tube_boxes=boxes,
                gt_tube_valid=np.ones((1, t), bool), gt_tube_labels=np.array([0]), target=0,
                label=0, video_id='v')


def _white_extent(img):
    ys, xs = np.nonzero(img[..., 0] > 127)
    return np.array([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1], np.float32)


@pytest.mark.parametrize('transform', [
    TubeResize(scale=(40, 30), keep_ratio=False),
    TubeResize(scale=120),
    TubeCenterCrop(crop_size=(50, 40)),
    TubeRandomCrop(crop_size=48),
    CropAroundTube(scale=1.5),
    CropAroundTube(scale=4.0),  # larger than the frame: zero padding
    CropAroundTube(scale=1.5, scale_jitter=0.3, shift_jitter=0.2),
    TubeFlip(flip_ratio=1.0),
])
def test_boxes_follow_the_pixels(transform):
    np.random.seed(0)
    out = transform.transform(_white_box_results())
    for img, box in zip(out['imgs'], out['gt_tube_boxes'][0]):
        assert img.shape[:2] == out['img_shape']
        np.testing.assert_allclose(_white_extent(img), box, atol=1.0)


def test_crop_invalidates_boxes_that_leave_the_frame():
    out = TubeCenterCrop(crop_size=(10, 10)).transform(_white_box_results(box=(0, 0, 8, 8)))
    assert not out['gt_tube_valid'].any()
    np.testing.assert_array_equal(out['gt_tube_boxes'], 0)


def test_flip_swaps_direction_sensitive_labels():
    results = _white_box_results()
    results['gt_tube_labels'] = np.array([0])
    out = TubeFlip(flip_ratio=1.0, flip_label_map={0: 1, 1: 0}).transform(results)
    assert out['flip'] and out['label'] == 1 and out['gt_tube_labels'].tolist() == [1]
    out = TubeFlip(flip_ratio=0.0, flip_label_map={0: 1}).transform(_white_box_results())
    assert not out['flip'] and out['label'] == 0


def test_crop_around_tube_needs_a_target():
    results = _white_box_results()
    results['target'] = -1
    with pytest.raises(ValueError, match='target tube'):
        CropAroundTube().transform(results)


def _sample(root, media, idx=0):
    prefix = dict(video=osp.join(root, 'videos')) if media == 'video' else dict(
        img=osp.join(root, 'rgb-images'))
    ds = FineSportsDataset(ann_file=osp.join(root, 'FineSports-GT.pkl'),
                           prompt_file=osp.join(root, 'prompts_with_color.json'),
                           data_prefix=prefix, media=media, split='test')
    return copy.deepcopy(ds.get_data_info(idx))


def test_decode_video_and_frames_agree(tiny_finesports):
    outs = {}
    for media in ('video', 'frames'):
        res = SampleTubeClip(clip_len=5, frame_interval=2).transform(
            _sample(tiny_finesports, media))
        outs[media] = LoadFineSportsFrames().transform(res)
    v, f = outs['video'], outs['frames']
    assert len(v['imgs']) == 5 and v['img_shape'] == f['img_shape'] == (144, 192)
    # both are lossy encodings of the same drawn frames
    diff = np.abs(np.stack(v['imgs']).astype(float) - np.stack(f['imgs']).astype(float))
    assert diff.mean() < 8
    np.testing.assert_array_equal(v['gt_tube_boxes'], f['gt_tube_boxes'])


def test_missing_frame_and_short_video_errors(tiny_finesports, tmp_path):
    res = SampleTubeClip(clip_len=3).transform(_sample(tiny_finesports, 'frames'))
    res['frame_dir'] = str(tmp_path)
    with pytest.raises(FileNotFoundError, match=r"frame \d+ of video '.*' missing"):
        LoadFineSportsFrames().transform(res)
    res = SampleTubeClip(clip_len=3).transform(_sample(tiny_finesports, 'video'))
    res['frame_ids'] = res['frame_ids'] + 100
    with pytest.raises(ValueError, match='decodes to 20 frames'):
        LoadFineSportsFrames().transform(res)


def test_resolution_mismatch_rescales_boxes(tiny_finesports):
    res = SampleTubeClip(clip_len=3).transform(_sample(tiny_finesports, 'video'))
    boxes = res['gt_tube_boxes'].copy()
    res['resolution'] = (288, 384)  # annotation at twice the decoded size
    out = LoadFineSportsFrames().transform(res)
    np.testing.assert_allclose(out['gt_tube_boxes'], boxes / 2)


@pytest.mark.parametrize('clip_len, media',
                         list(itertools.product((1, 4, 8), ('video', 'frames'))))
def test_full_pipeline_packs_data_sample(tiny_finesports, clip_len, media):
    from mmaction.datasets.transforms import FormatShape
    res = _sample(tiny_finesports, media, idx=2)
    for t in (SampleTubeClip(clip_len=clip_len), LoadFineSportsFrames(),
              CropAroundTube(), TubeResize((32, 32), keep_ratio=False),
              FormatShape('NCTHW'), PackFineSportsInputs()):
        res = t(res)
    assert tuple(res['inputs'].shape) == (1, 3, clip_len, 32, 32)
    ds = res['data_samples']
    assert ds.gt_label.item() == ds.gt_tubes.labels[ds.metainfo['target']].item()
    assert ds.gt_tubes.boxes.shape == (1, clip_len, 4)
    assert ds.metainfo['prompt'].startswith('a player wearing a ')
    assert ds.frame_ids.shape == (clip_len,)

"""The synthetic FineDiving-HM generator writes the real layout, driven by the real labels."""
import os
import os.path as osp
import pickle
import sys

import cv2
import numpy as np
import pytest



@pytest.fixture(scope='module')
def synth(tmp_path_factory, finediving_aqa_root):
    import importlib.util
    path = osp.join(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))),
                    'tools/data/finediving/generate_synthetic_finediving.py')
    spec = importlib.util.spec_from_file_location('mmfine_tool_gen_finediving', path)
    gen = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = gen
    spec.loader.exec_module(gen)
    root = str(tmp_path_factory.mktemp('fd_synth'))
    info = gen.generate(root, finediving_aqa_root, num_clips=12, size=32, seed=3, workers=1)
    return gen, root, info, finediving_aqa_root


def test_layout_labels_and_scores(synth):
    gen, root, info, REAL = synth
    from mmfine.datasets import (FineDivingDataset, load_coarse_frames,
                                 load_finediving_annotations, load_split)
    ann_dir = osp.join(root, 'Annotations')
    ann = load_finediving_annotations(osp.join(ann_dir, 'fine-grained_annotation_aqa.pkl'))
    real = load_finediving_annotations(osp.join(REAL, 'fine-grained_annotation_aqa.pkl'))
    coarse = load_coarse_frames(osp.join(ann_dir, 'FineDiving_coarse_annotation.pkl'))
    train = load_split(osp.join(ann_dir, 'train_split.pkl'))
    test = load_split(osp.join(ann_dir, 'test_split.pkl'))
    assert len(ann) == len(train) + len(test) == info['train'] + info['test'] <= 12
    train_dives = {ann[k]['dive_number'] for k in train}
    assert all(ann[k]['dive_number'] in train_dives for k in test)  # every test clip has exemplars
    with open(osp.join(root, 'synthetic_meta.pkl'), 'rb') as f:
        quality = pickle.load(f)['quality']
    for k, a in ann.items():
        r = real[k]
        assert a['dive_number'] == r['dive_number'] and a['difficulty'] == r['difficulty']
        assert np.array_equal(a['frames_labels'], r['frames_labels'])
        assert a['score'] == pytest.approx(r['difficulty'] * 30 * quality[k], abs=0.05)
        start, end = coarse[k]
        frames = sorted(os.listdir(osp.join(root, 'FINADiving_MTL_256s', k[0], str(k[1]))))
        masks = sorted(os.listdir(osp.join(root, 'diving_mask_annotation', k[0], str(k[1]))))
        assert frames == masks == [f'{i:05d}.jpg' for i in range(start, end + 1)]
    ds = FineDivingDataset(
        ann_file=osp.join(ann_dir, 'fine-grained_annotation_aqa.pkl'),
        split_file=osp.join(ann_dir, 'train_split.pkl'),
        data_prefix=dict(img=osp.join(root, 'FINADiving_MTL_256s'),
                         mask=osp.join(root, 'diving_mask_annotation')),
        coarse_file=osp.join(ann_dir, 'FineDiving_coarse_annotation.pkl'))
    assert len(ds) == len(train)


def test_masks_are_the_divers_pixels(synth):
    gen, root = synth[:2]
    from mmfine.datasets import load_finediving_annotations, load_coarse_frames
    ann_dir = osp.join(root, 'Annotations')
    ann = load_finediving_annotations(osp.join(ann_dir, 'fine-grained_annotation_aqa.pkl'))
    coarse = load_coarse_frames(osp.join(ann_dir, 'FineDiving_coarse_annotation.pkl'))
    k = sorted(ann)[0]
    t1, _ = gen.phases(ann[k]['frames_labels'])
    start = coarse[k][0]
    name = f'{start + t1 + 2:05d}.jpg'  # in flight
    img = cv2.imread(osp.join(root, 'FINADiving_MTL_256s', k[0], str(k[1]), name))
    mask = cv2.imread(osp.join(root, 'diving_mask_annotation', k[0], str(k[1]), name), 0)
    fg = mask >= 128
    assert 3 <= fg.sum() <= 0.2 * mask.size
    bg = cv2.imread(osp.join(root, 'FINADiving_MTL_256s', k[0], str(k[1]),
                             f'{start:05d}.jpg'))  # the diver is elsewhere at take-off
    diff = np.abs(img.astype(int) - bg.astype(int)).sum(-1)
    assert diff[fg].mean() > 3 * diff[~fg].mean()


def test_parse_dive_numbers(synth):
    gen = synth[0]
    assert gen.parse_dive('107b') == (1.0, 7, 'b', 0)
    assert gen.parse_dive('205c') == (-1.0, 5, 'c', 0)
    assert gen.parse_dive('5253b') == (-1.0, 5, 'b', 3)
    assert gen.parse_dive('626c') == (-1.0, 6, 'c', 0)

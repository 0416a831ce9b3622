"""The player-attribute pretraining data: FineSportsPlayerDataset, CropPlayerClips,
PackPlayerInputs, and FineSportsDataset's type labels."""
import os.path as osp
import pickle

import numpy as np
import pytest
from mmengine.config import Config

from mmfine.datasets import FineSportsDataset, FineSportsPlayerDataset, build_split_dataset
from mmfine.datasets.transforms import CropPlayerClips, PackPlayerInputs
from mmfine.utils import register_all_modules

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
PRE_CFG = osp.join(REPO, 'configs/postal/'
                   'player-attributes_r3d18-tiny_1xb16-2e_finesports-synthetic.py')
register_all_modules(init_default_scope=False)


def _cfg(root):
    cfg = Config.fromfile(PRE_CFG)
    for split in ('train', 'val', 'test'):
        d = cfg[f'{split}_dataloader'].dataset
        d.ann_file = f'{root}/FineSports-GT.pkl'
        d.track_file = f'{root}/player_tracks.pkl'
        d.data_prefix = dict(video=f'{root}/videos')
    return cfg


def test_player_labels_follow_the_tracks(postal_data):
    cfg = _cfg(postal_data)
    ds = build_split_dataset(cfg, 'train', pipeline=None, frame_stride=1)
    tracks = pickle.load(open(osp.join(postal_data, 'player_tracks.pkl'), 'rb'))
    colours, numbers = cfg.colours, cfg.numbers
    assert ds.metainfo['actions'][-1] == 'no action' and len(ds.metainfo['actions']) == 9
    n_acting = n_idle = 0
    for i in range(len(ds)):
        info = ds.get_data_info(i)
        players = tracks[info['video_id']]
        f = info['keyframe']
        assert info['player_boxes'].shape == (len(players), 4)
        for k, p in enumerate(players):
            assert np.allclose(info['player_boxes'][k], p['track'][f - 1, 1:])
            assert colours[info['player_colour'][k]] == p['color']
            assert numbers[info['player_number'][k]] == p['number']
            acting = p['action_frames'] is not None and (
                p['action_frames'][0] <= f <= p['action_frames'][1])
            expected = p['label'] if acting else 8
            assert info['player_action'][k] == expected, (info['video_id'], k, f)
            n_acting += acting
            n_idle += not acting
    assert n_acting and n_idle  # both kinds of labels occur


def test_player_dataset_errors(postal_data, tmp_path):
    cfg = dict(_cfg(postal_data).train_dataloader.dataset, pipeline=[])
    cfg.pop('type')
    bad = dict(cfg, numbers=['23', '30'])
    with pytest.raises(ValueError, match="player_tracks.pkl: video .* has number .*vocabulary"):
        FineSportsPlayerDataset(**bad)
    tracks = pickle.load(open(osp.join(postal_data, 'player_tracks.pkl'), 'rb'))
    gt = pickle.load(open(osp.join(postal_data, 'FineSports-GT.pkl'), 'rb'))
    vid = gt['train_videos'][0][0]
    path = str(tmp_path / 'tracks.pkl')
    pickle.dump({k: v for k, v in tracks.items() if k != vid}, open(path, 'wb'))
    with pytest.raises(KeyError, match=f'video {vid!r} has no player tracks'):
        FineSportsPlayerDataset(**dict(cfg, track_file=path, split='train'))
    short = dict(tracks)
    short[vid] = [dict(p, track=p['track'][:-1]) for p in tracks[vid]]
    pickle.dump(short, open(path, 'wb'))
    with pytest.raises(ValueError, match='track has shape'):
        FineSportsPlayerDataset(**dict(cfg, track_file=path, split='train'))
    with pytest.raises(FileNotFoundError, match='player track file not found'):
        FineSportsPlayerDataset(**dict(cfg, track_file=str(tmp_path / 'none.pkl')))


def _results(h=40, w=60, T=3):
    imgs = [np.full((h, w, 3), 10 * (t + 1), np.uint8) for t in range(T)]
    for t, img in enumerate(imgs):
        img[20, 30] = 200 + t  # a marked pixel at (x=30, y=20)
    return dict(imgs=imgs, img_shape=(h, w), resolution=(2 * h, 2 * w),
                player_boxes=np.array([[50., 30, 70, 50], [0, 0, 8, 8]], np.float32),
                player_colour=np.array([1, 2]), player_number=np.array([3, 4]),
                player_action=np.array([5, 8]))


def test_crop_player_clips_keeps_scale_centres_and_pads():
    """Boxes in annotation pixels (twice the decoded size): player 0's centre (60, 40) is
    decoded (30, 20); its window is centred there without resizing; padding is the mean."""
    t = CropPlayerClips(crop_size=(16, 12), num_players=3, test_mode=True)
    res = t(_results())
    assert len(res['imgs']) == 3 * 3 and res['num_clips'] == 3
    assert res['img_shape'] == (12, 16) and all(c.shape == (12, 16, 3) for c in res['imgs'])
    # player 0: window x 22..38, y 14..26, the marked pixel at (8, 6) on every frame
    assert [int(c[6, 8, 0]) for c in res['imgs'][:3]] == [200, 201, 202]
    assert np.allclose(res['player_centre'][0], (8, 6))
    # player 1 at the corner: the part outside the frame is the pad value
    assert tuple(res['imgs'][3][0, 0]) == (124, 116, 104)
    # slot 2 is padding: ignored labels, index -1
    assert res['player_colour'].tolist() == [1, 2, -100]
    assert res['player_action'].tolist() == [5, 8, -100]
    assert res['player_index'].tolist() == [0, 1, -1]
    packed = PackPlayerInputs()(dict(res, video_id='v'))
    assert packed['inputs'].shape == (9, 12, 16, 3)  # before FormatShape: P*T crops
    assert packed['data_samples'].gt_players.colour.tolist() == [1, 2, -100]


def test_crop_player_clips_training_jitter_and_subset():
    np.random.seed(0)
    t = CropPlayerClips(crop_size=(16, 12), num_players=1, jitter=3)
    seen, centres = set(), []
    for _ in range(30):
        res = t(_results())
        seen.add(int(res['player_index'][0]))
        if res['player_index'][0] == 0:
            centres.append(res['player_centre'][0].copy())
    assert seen == {0, 1}  # a random subset of the players
    c0 = np.array(centres)  # player 0's centre is (8, 6) in an unshifted window
    assert (np.abs(c0 - (8, 6)) <= 3).all() and c0.std() > 0  # shifted by up to 3 px
    with pytest.raises(ValueError, match='num_players >= 1'):
        CropPlayerClips(num_players=0)


def test_pretraining_pipeline_end_to_end(postal_data):
    cfg = _cfg(postal_data)
    ds = build_split_dataset(cfg, 'test')
    item = ds[0]
    assert item['inputs'].shape == (8, 3, 4, 64, 64)  # 8 player crops of 4 frames
    gp = item['data_samples'].gt_players
    assert len(gp) == 8 and (gp.index >= 0).sum() == len(ds.get_data_info(0)['player_colour'])


def test_type_labels_from_the_video_folder(tiny_finesports):
    names = ['drive left', 'drive right', 'shoot', 'pass', 'dribble', 'post up', 'crossover',
             'layup']
    ds = FineSportsDataset(ann_file=osp.join(tiny_finesports, 'FineSports-GT.pkl'),
                           data_prefix=dict(video=osp.join(tiny_finesports, 'videos')),
                           split='train', type_names=names)
    for i in range(len(ds)):
        info = ds.get_data_info(i)
        folder = info['video_id'].split('/')[0]  # e.g. 'PostUp'
        assert names[info['type_label']].replace(' ', '') == folder.lower()
    with pytest.raises(ValueError, match='none of the configured type_names'):
        FineSportsDataset(ann_file=osp.join(tiny_finesports, 'FineSports-GT.pkl'),
                          data_prefix=dict(video=osp.join(tiny_finesports, 'videos')),
                          split='train', type_names=names[:2])
    assert 'type_label' not in FineSportsDataset(
        ann_file=osp.join(tiny_finesports, 'FineSports-GT.pkl'),
        data_prefix=dict(video=osp.join(tiny_finesports, 'videos'))).get_data_info(0)


def test_build_split_dataset_errors(postal_data):
    cfg = _cfg(postal_data)
    with pytest.raises(ValueError, match='split must be one of'):
        build_split_dataset(cfg, 'dev')
    cfg.val_dataloader = None
    with pytest.raises(ValueError, match='no val_dataloader'):
        build_split_dataset(cfg, 'val')

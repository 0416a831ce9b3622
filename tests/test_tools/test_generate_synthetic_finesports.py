import json
import os.path as osp
import pickle

import numpy as np
import pytest

from mmfine.datasets import load_act_gt


def test_release_format_and_prompts(tiny_finesports, generator):
    gt = load_act_gt(osp.join(tiny_finesports, 'FineSports-GT.pkl'))  # validates the schema
    assert gt['labels'] == generator.ACTIONS and len(gt['labels']) >= 6
    assert len(gt['train_videos'][0]) == 16 and len(gt['test_videos'][0]) == 8
    # a validation split (default: half the test size), disjoint from the others
    val = gt['val_videos'][0]
    assert len(val) == 4 and not set(val) & set(gt['train_videos'][0] + gt['test_videos'][0])
    from mmfine.datasets import FineSportsDataset
    ds = FineSportsDataset(ann_file=osp.join(tiny_finesports, 'FineSports-GT.pkl'),
                           prompt_file=osp.join(tiny_finesports, 'prompts_with_color.json'),
                           data_prefix=dict(video=osp.join(tiny_finesports, 'videos')),
                           media='video', split='val', sample_mode='tube', pipeline=[])
    assert sorted({d['video_id'] for d in ds}) == sorted(val)
    prompts = json.load(open(osp.join(tiny_finesports, 'prompts_with_color.json')))
    meta = pickle.load(open(osp.join(tiny_finesports, 'synthetic_meta.pkl'), 'rb'))['clips']
    for vid in gt['train_videos'][0] + gt['test_videos'][0]:
        label = next(iter(gt['gttubes'][vid]))
        assert vid.startswith(gt['labels'][label] + '/')
        clip = meta[vid]
        assert prompts[vid.split('/')[1].split('_')[0]] == {
            clip['number']: f"a player wearing a {clip['color']} jersey number {clip['number']}"}
        assert clip['color'] in generator.COLORS and clip['number'] in generator.NUMBERS
        players = clip['players']
        assert 4 <= len(players) <= 8
        others = [(p['color'], p['number']) for p in players[1:]]
        assert (clip['color'], clip['number']) not in others
        assert any(c == clip['color'] for c, _ in others)  # same colour distractor
        assert any(n == clip['number'] for _, n in others)  # same number distractor
        tube = gt['gttubes'][vid][label][0]
        target = players[0]
        assert target['action'] == gt['labels'][label]
        np.testing.assert_array_equal(
            tube[:, 0], np.arange(target['start'], target['start'] + target['length']) + 1)


def test_tubes_are_exact_drawn_boxes(tiny_finesports, generator):
    """Tubes equal the target's drawn boxes, and its jersey fills the box's torso band."""
    import cv2
    gt = load_act_gt(osp.join(tiny_finesports, 'FineSports-GT.pkl'))
    meta = pickle.load(open(osp.join(tiny_finesports, 'synthetic_meta.pkl'), 'rb'))['clips']
    checked = 0
    for vid in gt['train_videos'][0] + gt['test_videos'][0]:
        tube = next(iter(gt['gttubes'][vid].values()))[0]
        players = meta[vid]['players']
        drawn = players[0]['boxes'][tube[:, 0].astype(int) - 1]
        np.testing.assert_allclose(tube[:, 1:], drawn.clip(0, [191, 143, 191, 143]), atol=1e-4)
        for frame, x1, y1, x2, y2 in tube:
            others = np.stack([p['boxes'][int(frame) - 1] for p in players[1:]])
            overlap = ((np.minimum(others[:, 2], x2) > np.maximum(others[:, 0], x1)) &
                       (np.minimum(others[:, 3], y2) > np.maximum(others[:, 1], y1)))
            if not overlap.any():
                break
        else:
            continue  # occluded on every frame
        img = cv2.cvtColor(cv2.imread(osp.join(tiny_finesports, 'rgb-images', vid,
                                               f'{int(frame):05d}.jpg')), cv2.COLOR_BGR2RGB)
        jersey = np.array(generator.COLORS[meta[vid]['color']][0])
        h = y2 - y1
        # torso band (below the head, above the legs), between the box sides
        band = img[int(y1 + 0.3 * h):int(y1 + 0.6 * h), int(x1) + 2:int(x2) - 1].reshape(-1, 3)
        close = np.abs(band.astype(int) - jersey).max(axis=1) < 60
        assert close.mean() > 0.5, (vid, frame, close.mean())
        checked += 1
    assert checked >= 12


def test_deterministic_from_seed(tmp_path, generator):
    a = generator.generate(str(tmp_path / 'a'), num_train=3, num_test=1, seed=7, num_frames=12,
                           workers=1)
    b = generator.generate(str(tmp_path / 'b'), num_train=3, num_test=1, seed=7, num_frames=12,
                           workers=1)
    c = generator.generate(str(tmp_path / 'c'), num_train=3, num_test=1, seed=8, num_frames=12,
                           workers=1)
    tubes = lambda g: [t for v in g['gttubes'].values() for ts in v.values() for t in ts]  # noqa
    assert all(np.array_equal(x, y) for x, y in zip(tubes(a), tubes(b)))
    assert not all(np.array_equal(x, y) for x, y in zip(tubes(a), tubes(c)))


def test_player_tracks_and_postal_options(tmp_path, generator):
    """player_tracks.pkl holds every player's track (the target first, its action = the ground
    truth tube); --num-numbers / --acting-lookalikes restrict numbers and make both look-alikes
    act; the defaults are unchanged by the options' existence."""
    gt = generator.generate(str(tmp_path / 'a'), num_train=6, num_test=2, seed=4, num_frames=16,
                            workers=1, num_numbers=5, acting_lookalikes=True)
    with open(tmp_path / 'a' / 'player_tracks.pkl', 'rb') as f:
        tracks = pickle.load(f)
    assert set(tracks) == set(gt['gttubes'])
    for vid, players in tracks.items():
        target, colour_twin, number_twin = players[:3]
        assert target['is_target'] and not any(p['is_target'] for p in players[1:])
        assert colour_twin['color'] == target['color'] and colour_twin['number'] != target[
            'number']
        assert number_twin['number'] == target['number'] and number_twin['color'] != target[
            'color']
        assert colour_twin['label'] >= 0 and number_twin['label'] >= 0  # acting look-alikes
        assert all(p['number'] in generator.NUMBERS[:5] for p in players)
        (label, tubes), = gt['gttubes'][vid].items()
        assert target['label'] == label
        first, last = target['action_frames']
        np.testing.assert_allclose(target['track'][first - 1:last], tubes[0])
        assert all(p['track'].shape == (16, 5) for p in players)
    with pytest.raises(ValueError, match='num_numbers'):
        generator.generate(str(tmp_path / 'b'), num_train=1, num_test=0, num_numbers=1)


def test_number_legibility_options(generator):
    """--number-scale / --number-thickness change only the jersey numbers: a thicker, larger
    number paints more text-coloured pixels inside the jersey; the defaults draw what the
    generator drew before the options existed (font 0.28, stroke 1)."""
    args = (0, 11, 12, 144, 192, 1.0, 10, True)
    frames_default, tube_default, _ = generator.make_clip(args)
    frames_same, _, _ = generator.make_clip(args + ((0.28, 1), ))
    frames_bold, tube_bold, meta = generator.make_clip(args + ((0.4, 2), ))
    np.testing.assert_array_equal(frames_default, frames_same)
    np.testing.assert_array_equal(tube_default, tube_bold)  # same players, same boxes
    text = np.array(generator.COLORS[meta['color']][1])
    f = int(tube_bold[0, 0]) - 1
    x1, y1, x2, y2 = tube_bold[0, 1:].astype(int)
    torso = slice(y1 + 8, y1 + 24), slice(x1 + 1, x2)  # below the head, above the legs

    def text_pixels(frames):
        band = frames[f][torso].astype(int)
        return int((np.abs(band - text).max(-1) < 60).sum())

    assert text_pixels(frames_bold) > 1.3 * text_pixels(frames_default) > 0
    with pytest.raises(ValueError, match='number_thickness'):
        generator.generate('unused', num_train=1, num_test=0, number_thickness=0)

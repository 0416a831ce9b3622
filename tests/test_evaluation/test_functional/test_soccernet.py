import json
import os.path as osp

import numpy as np
import pytest

from mmfine.evaluation.functional import soccernet_average_map

CLASSES = ['Goal', 'Corner', 'Foul']


def _gt(game, half, ms, label, visibility='visible'):
    return dict(game=game, half=half, position_ms=ms, label=label, visibility=visibility)


def _pred(game, half, ms, label, confidence):
    return dict(game=game, half=half, position_ms=ms, label=label, confidence=confidence)


def test_hand_computed_single_delta_class():
    gt = [_gt('g', 1, 10_000, 'Goal')]
    preds = [_pred('g', 1, 10_400, 'Goal', 0.8), _pred('g', 1, 30_000, 'Goal', 0.9)]
    out = soccernet_average_map(gt, preds, CLASSES, 'tight')
    # Goal, any delta: the event (cell 20) takes the prediction at cell 20 -> TP (score 0.8);
    # the one at cell 60 is FP (0.9). Thresholds <= 0.8: P = 1/2, R = 1; above 0.8 up to 0.9:
    # P = 0, R = 0; above 0.9 nothing: P = R = 0. 11-point AP = 11 * 1/2 / 11 = 1/2.
    # Corner / Foul have no event: AP 0, still averaged -> a-mAP = 1/6
    assert out['a_mAP_per_class']['Goal'] == pytest.approx(0.5)
    assert out['a_mAP'] == pytest.approx(0.5 / 3)
    assert out['a_mAP_per_class']['Corner'] == 0.0


def test_tolerance_window_and_unshown():
    gt = [_gt('g', 2, 100_000, 'Foul', 'not shown')]
    preds = [_pred('g', 2, 101_600, 'Foul', 1.0)]  # 1.6 s late: cell 203 vs 200
    tight = soccernet_average_map(gt, preds, CLASSES, 'tight')
    # deltas 1..5 s = 2..10 cells; the window is +-delta/2 cells: matched for delta >= 3 s
    # AP per delta: 0, 0, 1, 1, 1 -> trapezoid (0 + 0.5 + 1 + 1) / 4 = 0.625 for Foul
    assert tight['a_mAP_per_class']['Foul'] == pytest.approx(0.625)
    assert tight['a_mAP_per_class_unshown']['Foul'] == pytest.approx(0.625)
    assert tight['a_mAP_per_class_visible']['Foul'] == 0.0
    assert tight['a_mAP_unshown'] == pytest.approx(0.625 / 3 * 17 / 13)


def test_invalid_input():
    gt = [_gt('g', 1, 0, 'Goal')]
    with pytest.raises(ValueError, match=r"preds\[0\] is for game 'h'"):
        soccernet_average_map(gt, [_pred('h', 1, 0, 'Goal', 1)], CLASSES)
    with pytest.raises(ValueError, match=r"preds\[0\] has label 'Card'"):
        soccernet_average_map(gt, [_pred('g', 1, 0, 'Card', 1)], CLASSES)
    with pytest.raises(ValueError, match=r'gt\[0\] has half 3'):
        soccernet_average_map([_gt('g', 3, 0, 'Goal')], [], CLASSES)
    with pytest.raises(ValueError, match=r'invalid confidence'):
        soccernet_average_map(gt, [_pred('g', 1, 0, 'Goal', -0.5)], CLASSES)
    with pytest.raises(ValueError, match='metric must be one of'):
        soccernet_average_map(gt, [], CLASSES, 'medium')


@pytest.mark.parametrize('metric', ['tight', 'loose'])
def test_matches_the_official_devkit(tmp_path, metric):
    """Same numbers as ``SoccerNet.Evaluation.ActionSpotting.evaluate`` (soccernet 0.2.0)."""
    ActionSpotting = pytest.importorskip('SoccerNet.Evaluation.ActionSpotting')
    rng = np.random.default_rng(0)
    gt, preds = [], []
    for g in range(3):
        game = f'league/season/game{g}'
        anns, plist = [], []
        for _ in range(30):
            half, ms = int(rng.integers(1, 3)), int(rng.integers(0, 45 * 60 * 1000))
            label = CLASSES[rng.integers(3)]
            vis = 'not shown' if rng.random() < 0.2 else 'visible'
            mm, ss = divmod(ms // 1000, 60)
            anns.append(dict(gameTime=f'{half} - {mm:02d}:{ss:02d}', label=label,
                             position=str(ms), visibility=vis))
            gt.append(_gt(game, half, ms, label, vis))
            for _ in range(3):
                pms = max(0, ms + int(rng.normal(0, 4000)))
                plabel = label if rng.random() < 0.8 else CLASSES[rng.integers(3)]
                conf = float(rng.random())
                plist.append(dict(label=plabel, position=str(pms), half=str(half),
                                  confidence=str(conf)))
                preds.append(_pred(game, half, pms, plabel, conf))
        for folder, name, content in (('labels', 'Labels-v2.json', dict(annotations=anns)),
                                      ('preds', 'results_spotting.json',
                                       dict(predictions=plist))):
            path = tmp_path / folder / game
            path.mkdir(parents=True)
            (path / name).write_text(json.dumps(content))
    ref = ActionSpotting.evaluate(str(tmp_path / 'labels'), str(tmp_path / 'preds'),
                                  dataset=None, metric=metric, version=2,
                                  EVENT_DICTIONARY={c: i for i, c in enumerate(CLASSES)})
    ours = soccernet_average_map(gt, preds, CLASSES, metric)
    for key in ('a_mAP', 'a_mAP_visible', 'a_mAP_unshown'):
        assert ours[key] == pytest.approx(ref[key], abs=1e-12)
    np.testing.assert_allclose(list(ours['a_mAP_per_class'].values()), ref['a_mAP_per_class'],
                               atol=1e-12)
    assert 0 < ours['a_mAP'] < 1
    assert osp.isdir(tmp_path / 'labels')

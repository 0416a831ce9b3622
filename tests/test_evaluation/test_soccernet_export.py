"""SoccerNet-v2 export: the official results_spotting.json layout, max per evaluator cell."""
import json

import numpy as np

from mmfine.evaluation.functional import soccernet_average_map
from mmfine.evaluation.soccernet_export import (read_results_spotting, soccernet_predictions,
                                                write_results_spotting)

CLASSES = ['Goal', 'Corner']


def test_layout_and_best_per_cell():
    fps = 25 / 12  # E2E-Spot's SoccerNet frames
    # frames 25 and 26 are 12000 ms and 12480 ms: the same 0.5 s cell (24) of class 0; the
    # evaluator would keep the later 0.4, the export keeps 0.7
    preds = soccernet_predictions([25, 26, 26, 150], [0, 0, 1, 1], [0.7, 0.4, 0.2, 0.9], fps,
                                  2, CLASSES)
    assert [p['label'] for p in preds] == ['Goal', 'Corner', 'Corner']
    goal = preds[0]
    assert goal == {'gameTime': '2 - 00:12', 'label': 'Goal', 'half': '2',
                    'position': '12000', 'confidence': '0.7'}
    assert preds[2]['gameTime'] == '2 - 01:12' and preds[2]['position'] == '72000'


def test_export_round_trip_scores_as_written(tmp_path):
    """Predictions written then read back give the a-mAP of the in-memory predictions."""
    rng = np.random.default_rng(0)
    fps = 25 / 12
    gt, mem = [], []
    for half in (1, 2):
        frames = np.sort(rng.choice(4000, 12, replace=False))
        labels = rng.integers(0, 2, 12)
        gt += [dict(game='g', half=half, position_ms=f / fps * 1000, label=CLASSES[k],
                    visibility='visible') for f, k in zip(frames, labels)]
        pf = np.clip(frames + rng.integers(-3, 4, 12), 0, None)
        preds = soccernet_predictions(pf, labels, rng.random(12), fps, half, CLASSES)
        mem += preds
    path = write_results_spotting(str(tmp_path), 'league/season/g', mem)
    assert path.endswith('league/season/g/results_spotting.json')
    with open(path) as f:
        data = json.load(f)
    assert data['UrlLocal'] == 'league/season/g' and len(data['predictions']) == len(mem)
    back = read_results_spotting(path, game='g')
    direct = [dict(game='g', half=int(p['half']), position_ms=int(p['position']),
                   label=p['label'], confidence=float(p['confidence'])) for p in mem]
    a = soccernet_average_map(gt, back, CLASSES, 'tight')
    b = soccernet_average_map(gt, direct, CLASSES, 'tight')
    assert a['a_mAP'] == b['a_mAP'] and a['a_mAP'] > 0.5

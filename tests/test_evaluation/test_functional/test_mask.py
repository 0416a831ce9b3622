import sys
import types

import numpy as np
import pytest

from mmfine.evaluation.functional import mask_metrics


def _square(h=20, w=30):
    gt = np.zeros((h, w), np.uint8)
    gt[5:15, 10:20] = 255
    return gt


def test_perfect_and_inverted_predictions():
    gt = _square()
    out = mask_metrics([gt.copy()], [gt])
    assert out['MAE'] == 0.0 and out['maxF'] == pytest.approx(1.0)
    assert out['S'] == pytest.approx(1.0, abs=1e-6) and out['adpF'] == pytest.approx(1.0)
    inv = mask_metrics([255 - gt], [gt])
    assert inv['MAE'] == 1.0 and inv['adpF'] == 0.0 and inv['S'] < 0.1


def test_hand_computed_mae_and_f():
    gt = np.array([[255, 0], [0, 0]], np.uint8)
    pred = np.array([[255, 255], [0, 0]], np.uint8)
    out = mask_metrics([pred], [gt])
    # min-max normalised pred is {1, 1, 0, 0}: MAE = 1/4
    assert out['MAE'] == pytest.approx(0.25)
    # thresholds 255..1 keep the two ones: P = 1/2, R = 1,
    # F = 1.3 * 0.5 / (0.3 * 0.5 + 1) = 0.65 / 1.15; threshold 0 keeps all: P = 1/4, R = 1
    f_hi = 1.3 * 0.5 / 1.15
    f_lo = 1.3 * 0.25 / (0.3 * 0.25 + 1)
    assert out['maxF'] == pytest.approx(f_hi)
    assert out['meanF'] == pytest.approx((255 * f_hi + f_lo) / 256)
    # adaptive threshold min(2 * 0.5, 1) = 1: the two ones -> f_hi
    assert out['adpF'] == pytest.approx(f_hi)


def test_all_background_and_errors():
    gt = np.zeros((4, 4), np.uint8)
    pred = np.full((4, 4), 0.25)  # float in [0, 1] -> round(63.75) = 64, constant map
    # all-background ground truth: S = 1 - mean(pred) = 1 - 64/255
    assert mask_metrics([pred], [gt])['S'] == pytest.approx(1 - 64 / 255)
    with pytest.raises(ValueError, match='image 0'):
        mask_metrics([np.zeros((3, 3))], [np.zeros((4, 4))])
    with pytest.raises(ValueError, match='must lie in'):
        mask_metrics([np.full((2, 2), 2.0)], [np.zeros((2, 2))])


def _import_pysodmetrics(monkeypatch):
    """PySODMetrics imports scikit-image / scikit-learn for metrics we do not compare; stub."""
    for name in ('skimage', 'skimage.color', 'skimage.measure', 'skimage.morphology',
                 'sklearn', 'sklearn.neighbors', 'sklearn.preprocessing'):
        if name not in sys.modules:
            monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
    for mod, attrs in (('skimage.color', ('deltaE_ciede2000', 'rgb2lab')),
                       ('sklearn.neighbors', ('NearestNeighbors',)),
                       ('sklearn.preprocessing', ('StandardScaler',)),
                       ('skimage', ('measure', 'morphology'))):
        for a in attrs:
            if not hasattr(sys.modules[mod], a):
                monkeypatch.setattr(sys.modules[mod], a, None, raising=False)
    return pytest.importorskip('py_sod_metrics')


def test_matches_pysodmetrics(monkeypatch):
    psm = _import_pysodmetrics(monkeypatch)
    rng = np.random.default_rng(0)
    preds, gts = [], []
    for i in range(10):
        h, w = rng.integers(20, 60, 2)
        g = np.zeros((h, w), np.uint8)
        y, x = rng.integers(0, h // 2), rng.integers(0, w // 2)
        g[y:y + h // 3, x:x + w // 3] = 255
        if i == 0:
            g[:] = 0
        if i == 1:
            g[:] = 255
        preds.append((rng.random((h, w)) * 120 + (g > 128) * 100).astype(np.uint8))
        gts.append(g)
    mae, sm = psm.MAE(), psm.Smeasure()
    with pytest.warns(UserWarning):  # Fmeasure is deprecated upstream (still the reference)
        fm = psm.Fmeasure()
    for p, g in zip(preds, gts):
        fm.step(p, g)
        mae.step(p, g)
        sm.step(p, g)
    curve = fm.get_results()['fm']['curve']
    ours = mask_metrics(preds, gts)
    assert ours['MAE'] == pytest.approx(mae.get_results()['mae'], abs=1e-12)
    assert ours['maxF'] == pytest.approx(curve.max(), abs=1e-12)
    assert ours['meanF'] == pytest.approx(curve.mean(), abs=1e-12)
    assert ours['adpF'] == pytest.approx(fm.get_results()['fm']['adp'], abs=1e-12)
    assert ours['S'] == pytest.approx(sm.get_results()['sm'], abs=1e-12)

import math

import numpy as np
import pytest

from mmfine.evaluation.functional import relative_l2, spearman_rho


def test_spearman_hand_computed_with_ties():
    # gt ranks: 1, 2, 3, 4; pred [1, 2, 2, 4] -> ranks 1, 2.5, 2.5, 4
    # rho = pearson of ranks: d = (0, .5, -.5, 0); with ties use pearson on ranks:
    # mean 2.5; cov = (-1.5*-1.5 + -.5*0 + .5*0 + 1.5*1.5)/4 = 1.125
    # var_gt = (2.25+.25+.25+2.25)/4 = 1.25; var_pred = (2.25+0+0+2.25)/4 = 1.125
    # rho = 1.125 / sqrt(1.25 * 1.125) = 0.948683...
    assert spearman_rho([1, 2, 2, 4], [10, 20, 30, 40]) == pytest.approx(
        1.125 / math.sqrt(1.25 * 1.125))
    assert spearman_rho([3, 2, 1], [1, 2, 3]) == pytest.approx(-1.0)
    assert math.isnan(spearman_rho([1, 1, 1], [1, 2, 3]))


def test_relative_l2_hand_computed():
    # gt range 90 - 30 = 60; errors 6, -12, 0 -> (0.1^2 + 0.2^2 + 0) / 3 = 0.05 / 3
    assert relative_l2([36, 48, 90], [30, 60, 90]) == pytest.approx(0.05 / 3)
    assert relative_l2([30, 60, 90], [30, 60, 90]) == 0.0


def test_invalid_inputs():
    with pytest.raises(ValueError, match='pred has 2 scores but gt has 3'):
        relative_l2([1, 2], [1, 2, 3])
    with pytest.raises(ValueError, match=r'gt\[1\] is not finite'):
        spearman_rho([1, 2, 3], [1, np.nan, 3])
    with pytest.raises(ValueError, match='all ground-truth scores are equal'):
        relative_l2([1, 2, 3], [5, 5, 5])
    with pytest.raises(ValueError, match='at least 2'):
        spearman_rho([1], [1])


def test_aiou_hand_computed():
    from mmfine.evaluation.functional import aiou
    items = [
        # exemplar IoUs 1 and 5/10 -> mean 0.75: counts at 0.5 and 0.75
        dict(gt=[10, 20], pred=[[10, 20], [15, 20]]),
        # one exemplar, IoU 6/10 = 0.6: counts at 0.5 only
        dict(gt=[10, 20], pred=[12, 18]),
        # no overlap
        dict(gt=[10, 20], pred=[[30, 40]]),
    ]
    out = aiou(items)
    assert out['AIoU@0.5'] == pytest.approx(2 / 3)
    assert out['AIoU@0.75'] == pytest.approx(1 / 3)
    with pytest.raises(ValueError, match=r'items\[0\] pred has t2 < t1'):
        aiou([dict(gt=[1, 2], pred=[[3, 1]])])
    with pytest.raises(ValueError, match=r"items\[0\] needs the keys"):
        aiou([dict(gt=[1, 2])])


def test_rho_within_groups_hand_computed():
    from mmfine.evaluation.functional import rho_within_groups
    # group a: perfect order (rho 1); group b: reversed (rho -1); group c: too small
    pred = [1, 2, 3, 4, 5, 5, 4, 3, 2, 1, 9, 8]
    gt = [10, 20, 30, 40, 50, 10, 20, 30, 40, 50, 1, 2]
    groups = ['a'] * 5 + ['b'] * 5 + ['c'] * 2
    out = rho_within_groups(pred, gt, groups, min_size=5)
    assert out == dict(rho_within=0.0, rho_within_groups=2.0)
    # a prediction that only knows the group (its mean) ranks nothing inside it
    flat = [3] * 5 + [30] * 5 + [9, 9]
    assert rho_within_groups(flat, gt, groups)['rho_within'] == 0.0
    assert np.isnan(rho_within_groups(pred, gt, groups, min_size=6)['rho_within'])
    with pytest.raises(ValueError, match='groups has 2 entries for 12 scores'):
        rho_within_groups(pred, gt, ['a', 'b'])

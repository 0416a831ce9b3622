"""TAP's transition decoders: the release's fixed windows, the ordered decoder, smoothing."""
import math

import pytest
import torch

from mmfine.models.task_modules import (TransitionDecoder, decode_fixed_windows, decode_ordered,
                                        smooth_over_time)


def probs_with(T, peaks1, peaks2, floor=0.01):
    p = torch.full((1, T, 2), floor)
    for t, v in peaks1.items():
        p[0, t, 0] = v
    for t, v in peaks2.items():
        p[0, t, 1] = v
    return p


def test_fixed_windows_and_ordered_by_hand():
    # t1's best frame lies in the second half: the fixed windows cannot reach it
    p = probs_with(10, {6: 0.9, 2: 0.3}, {8: 0.8, 3: 0.5})
    assert decode_fixed_windows(p).tolist() == [[2, 8]]
    assert decode_ordered(p).tolist() == [[6, 8]]
    # the best pair must be ordered: t2's peak before t1's forces a trade-off
    p = probs_with(10, {7: 0.9, 1: 0.5}, {3: 0.9, 9: 0.2})
    # candidates: (1, 3): 0.5 * 0.9 = 0.45; (7, 9): 0.9 * 0.2 = 0.18
    assert decode_ordered(p).tolist() == [[1, 3]]


def test_smoothing_keeps_constants_and_normalises_at_the_ends():
    c = torch.full((2, 12, 2), 0.3)
    assert torch.allclose(smooth_over_time(c, 2.0), c)
    x = torch.rand(2, 12, 2)
    assert smooth_over_time(x, 0) is x
    # a single frame in the middle becomes the normalised Gaussian around it
    d = torch.zeros(1, 21, 2, dtype=torch.float64)
    d[0, 10] = 1.
    out = smooth_over_time(d, 1.0)[0, :, 0]
    g = torch.exp(-0.5 * torch.arange(-3, 4, dtype=torch.float64)**2)
    assert torch.allclose(out[7:14], g / g.sum())
    assert out[:7].abs().max() == 0 and out[14:].abs().max() == 0
    assert math.isclose(out.sum().item(), 1.0, rel_tol=1e-12)
    with pytest.raises(ValueError, match='sigma'):
        smooth_over_time(d, -1)


def test_smoothing_picks_the_strongest_mode_not_the_highest_frame():
    # a lone spike at frame 3 (0.5) against a broad mode on frames 10-12 (0.4 each)
    p = probs_with(24, {3: 0.5, 10: 0.4, 11: 0.4, 12: 0.4}, {20: 0.9})
    assert TransitionDecoder('ordered')(p).tolist() == [[3, 20]]
    assert TransitionDecoder('ordered', smooth_sigma=1.5)(p).tolist() == [[11, 20]]
    assert TransitionDecoder('fixed_windows', smooth_sigma=1.5)(p).tolist() == [[11, 20]]
    with pytest.raises(ValueError, match='smooth_sigma'):
        TransitionDecoder('ordered', smooth_sigma=-0.5)
    assert 'smooth_sigma=1.5' in repr(TransitionDecoder('ordered', smooth_sigma=1.5))

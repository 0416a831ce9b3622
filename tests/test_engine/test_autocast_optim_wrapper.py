"""BF16AutocastOptimWrapper: bfloat16 forward on CPU, float32 weights, a working update."""
import torch
import torch.nn as nn
from mmengine.optim import build_optim_wrapper

from mmfine.utils import register_all_modules

register_all_modules()


def test_forward_in_bfloat16_weights_stay_float32():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 1))
    wrapper = build_optim_wrapper(model, dict(type='BF16AutocastOptimWrapper',
                                              optimizer=dict(type='SGD', lr=0.1)))
    x, y = torch.randn(64, 8), torch.randn(64, 1)
    losses = []
    for _ in range(20):
        with wrapper.optim_context(model):
            out = model(x)
        assert out.dtype == torch.bfloat16
        loss = nn.functional.mse_loss(out.float(), y)
        wrapper.update_params(loss)
        losses.append(loss.item())
    assert all(p.dtype == torch.float32 for p in model.parameters())
    assert losses[-1] < losses[0]
    with torch.no_grad():  # outside the wrapper (test time) the model runs in float32
        assert model(x).dtype == torch.float32


def test_a_step_with_non_finite_gradients_is_skipped():
    model = nn.Linear(4, 1)
    wrapper = build_optim_wrapper(model, dict(type='BF16AutocastOptimWrapper',
                                              optimizer=dict(type='SGD', lr=0.1),
                                              clip_grad=dict(max_norm=1.0)))
    before = [p.detach().clone() for p in model.parameters()]
    with wrapper.optim_context(model):
        out = model(torch.full((2, 4), float('inf')))
    wrapper.update_params(out.float().sum())
    assert wrapper.skipped_steps == 1
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters()))
    assert all(p.grad is None or not p.grad.abs().sum() for p in model.parameters())
    with wrapper.optim_context(model):
        out = model(torch.ones(2, 4))
    wrapper.update_params(out.float().sum())  # a finite step goes through
    assert wrapper.skipped_steps == 1
    assert not all(torch.equal(a, b) for a, b in zip(before, model.parameters()))

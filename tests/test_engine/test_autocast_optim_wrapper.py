"""BF16AutocastOptimWrapper: bfloat16 forward on CPU, float32 weights, a working update."""
import os
import os.path as osp
import subprocess
import sys

import torch
import torch.nn as nn
from mmengine.optim import build_optim_wrapper

from mmfine.utils import register_all_modules

register_all_modules()
REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


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


def test_onednn_is_capped_on_an_amx_cpu_unless_the_user_set_a_cap(monkeypatch, tmp_path):
    from mmfine.engine.optimizers import autocast_optim_wrapper as mod
    for k in mod.ISA_ENV_VARS:
        monkeypatch.delenv(k, raising=False)
    assert not mod.cap_onednn_isa('AVX512_CORE_BF16', flags={'avx512f', 'avx512_bf16'})
    assert 'ONEDNN_MAX_CPU_ISA' not in os.environ
    assert not mod.cap_onednn_isa(None, flags={'amx_bf16'})
    assert 'ONEDNN_MAX_CPU_ISA' not in os.environ
    assert mod.cap_onednn_isa('AVX512_CORE_BF16', flags={'amx_bf16', 'amx_tile'})
    assert os.environ['ONEDNN_MAX_CPU_ISA'] == 'AVX512_CORE_BF16'
    monkeypatch.setenv('ONEDNN_MAX_CPU_ISA', 'AVX2')  # the user's own cap is kept
    assert not mod.cap_onednn_isa('AVX512_CORE_BF16', flags={'amx_bf16'})
    assert os.environ['ONEDNN_MAX_CPU_ISA'] == 'AVX2'
    info = tmp_path / 'cpuinfo'
    info.write_text('processor\t: 0\nflags\t\t: fpu sse2 amx_bf16 avx512_bf16\n')
    assert mod.cpu_flags(str(info)) == {'fpu', 'sse2', 'amx_bf16', 'avx512_bf16'}
    assert mod.cpu_flags(str(tmp_path / 'missing')) == set()


def test_bfloat16_conv3d_weight_gradient_in_a_fresh_process():
    """The PoSTAL-sized bfloat16 Conv3d step that corrupted the heap on an AMX CPU runs and
    matches float32 once the wrapper is built first (a new process: oneDNN takes the cap
    only before its first primitive)."""
    code = '''
import torch
from mmengine.optim import build_optim_wrapper
from mmfine.utils import register_all_modules
register_all_modules()
torch.manual_seed(0)
conv = torch.nn.Conv3d(16, 16, (1, 3, 3), padding=(0, 1, 1), bias=False)
wrapper = build_optim_wrapper(conv, dict(type='BF16AutocastOptimWrapper',
                                         optimizer=dict(type='SGD', lr=0.1)))
x = torch.randn(4, 16, 4, 144, 192)
with wrapper.optim_context(conv):
    y = conv(x)
assert y.dtype == torch.bfloat16
y.float().square().mean().backward()
g = conv.weight.grad.clone()
conv.weight.grad = None
conv(x).square().mean().backward()
err = ((g - conv.weight.grad).norm() / conv.weight.grad.norm()).item()
assert err < 0.05, err
print('ok')
'''
    env = {k: v for k, v in os.environ.items() if k not in ('ONEDNN_MAX_CPU_ISA',
                                                             'DNNL_MAX_CPU_ISA')}
    proc = subprocess.run([sys.executable, '-c', code], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and proc.stdout.strip().endswith('ok'), (
        proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:])

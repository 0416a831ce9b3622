"""bfloat16 mixed-precision training on any device, CPU included."""
import os
from contextlib import contextmanager
from typing import Optional, Set

import torch
import torch.nn as nn
from mmengine.logging import MessageHub, MMLogger
from mmengine.optim import OptimWrapper

from mmfine.registry import OPTIM_WRAPPERS


ISA_ENV_VARS = ('ONEDNN_MAX_CPU_ISA', 'DNNL_MAX_CPU_ISA')


def cpu_flags(path: str = '/proc/cpuinfo') -> Set[str]:
    """The CPU feature flags of the first processor in ``path`` (empty where unreadable)."""
    try:
        with open(path) as f:
            for line in f:
                if line.startswith('flags'):
                    return set(line.split(':', 1)[1].split())
    except OSError:
        pass
    return set()


def cap_onednn_isa(isa: Optional[str], flags: Optional[Set[str]] = None) -> bool:
    """Cap oneDNN's CPU instruction set at ``isa`` on a CPU with AMX, unless the user already
    set ``ONEDNN_MAX_CPU_ISA`` / ``DNNL_MAX_CPU_ISA``. Returns whether it set the cap.

    oneDNN reads the cap when it creates its first primitive, so this must run before the
    first convolution of the process (the optimizer wrapper is built before the first
    training iteration).
    """
    if isa is None or any(k in os.environ for k in ISA_ENV_VARS):
        return False
    if 'amx_bf16' not in (cpu_flags() if flags is None else flags):
        return False
    os.environ['ONEDNN_MAX_CPU_ISA'] = isa
    return True


@OPTIM_WRAPPERS.register_module()
class BF16AutocastOptimWrapper(OptimWrapper):
    """:class:`~mmengine.optim.OptimWrapper` whose forward pass runs under
    ``torch.autocast(dtype=torch.bfloat16)`` on the model's device.

    mmengine's ``AmpOptimWrapper`` refuses CPU-only machines. bfloat16 has float32's range, so
    no loss scaling is needed: the parameters, their gradients and the optimizer state stay
    float32, only the autocast ops (convolutions, linear layers, matrix products) compute in
    bfloat16. On a CPU with AVX512-BF16 / AMX this is the fast path (the synthetic PoSTAL
    training step: 3.71 instead of 2.82 iterations/s on the 2-core AMD EPYC of the CI machine,
    ``benchmarks/postal_speed.py``); on a CPU without bfloat16 units it is slower, so it is a
    config choice, never a default.

    As a gradient scaler does for float16, a step whose gradients are not all finite (a
    bfloat16 forward can overflow: seen with the tiny randomly initialised PoSTAL of the tools
    tests) is skipped instead of writing NaN into the weights: the gradients are dropped, the
    count is kept in ``skipped_steps`` (and the message hub's info) and warned about.

    On a CPU with AMX (Intel Sapphire Rapids and later), torch 2.13.0+cpu's oneDNN AMX kernel
    for the weight gradient of a bfloat16 3D convolution (``brgconv_bwd_w``) corrupts the heap
    (``double free or corruption``; seen with the PoSTAL CSN at 8-64 channels, not with a
    2D convolution or a linear layer). The wrapper therefore caps oneDNN at ``cpu_isa``
    (AVX512-BF16, which has no such fault) before the first iteration, where the CPU has AMX
    and the user set no cap of their own (``ONEDNN_MAX_CPU_ISA``); float32 kernels do not use
    AMX and are unaffected.

    Args:
        *args: as :class:`~mmengine.optim.OptimWrapper`.
        cpu_isa (str, optional): the oneDNN cap on an AMX CPU; None leaves oneDNN alone (a
            torch whose AMX kernel is fixed). Defaults to ``'AVX512_CORE_BF16'``.
        **kwargs: as :class:`~mmengine.optim.OptimWrapper`.
    """

    def __init__(self, *args, cpu_isa: Optional[str] = 'AVX512_CORE_BF16', **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.skipped_steps = 0
        if cap_onednn_isa(cpu_isa):
            MMLogger.get_current_instance().info(
                f'BF16AutocastOptimWrapper: AMX CPU, oneDNN capped at {cpu_isa} (its AMX '
                'bfloat16 3D-convolution weight gradient corrupts memory in this torch)')

    @contextmanager
    def optim_context(self, model: nn.Module):
        param = next(model.parameters(), None)
        device_type = param.device.type if param is not None else 'cpu'
        with super().optim_context(model), torch.autocast(device_type=device_type,
                                                           dtype=torch.bfloat16):
            yield

    def _grads_finite(self) -> bool:
        maxes = [p.grad.detach().abs().max() for group in self.optimizer.param_groups
                 for p in group['params'] if p.grad is not None and p.grad.numel()]
        return not maxes or bool(torch.isfinite(torch.stack(maxes)).all())

    def step(self, **kwargs) -> None:
        """The optimizer step (with gradient clipping), skipped when a gradient is not
        finite."""
        if not self._grads_finite():
            self.skipped_steps += 1
            MMLogger.get_current_instance().warning(
                f'BF16AutocastOptimWrapper: non-finite gradients, step skipped '
                f'({self.skipped_steps} so far)')
            MessageHub.get_current_instance().update_info('skipped_steps', self.skipped_steps)
            return
        super().step(**kwargs)

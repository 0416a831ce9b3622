"""bfloat16 mixed-precision training on any device, CPU included."""
from contextlib import contextmanager

import torch
import torch.nn as nn
from mmengine.logging import MessageHub, MMLogger
from mmengine.optim import OptimWrapper

from mmfine.registry import OPTIM_WRAPPERS


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

    Args:
        *args: as :class:`~mmengine.optim.OptimWrapper`.
        **kwargs: as :class:`~mmengine.optim.OptimWrapper`.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.skipped_steps = 0

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

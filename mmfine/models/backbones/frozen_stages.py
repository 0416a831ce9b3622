"""``frozen_stages`` and ``norm_eval`` for mmfine's own backbones (mmaction / mmdet style)."""
from typing import List

from torch import nn


class FrozenStagesMixin:
    """Frozen first stages and BN statistics kept while training.

    The class sets ``frozen_stages`` (int) and ``norm_eval`` (bool) and lists its stages in
    :meth:`frozen_modules`. Those stay in eval mode without gradients; with ``norm_eval``
    every BatchNorm keeps its running statistics in ``train()`` mode too.
    """

    frozen_stages: int = 0
    norm_eval: bool = False

    def frozen_modules(self) -> List[nn.Module]:
        """The first ``frozen_stages`` stages."""
        raise NotImplementedError

    def _freeze(self) -> None:
        for m in self.frozen_modules():
            m.eval()
            for p in m.parameters():
                p.requires_grad = False

    def train(self, mode: bool = True):
        super().train(mode)
        self._freeze()
        if mode and self.norm_eval:
            for m in self.modules():
                if isinstance(m, nn.modules.batchnorm._BatchNorm):
                    m.eval()
        return self

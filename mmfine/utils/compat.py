"""Compatibility shims for the verified stack (mmaction2 1.2.0, mmengine 0.10.7, torch >= 2.6).

Each shim is idempotent, applied by :func:`apply_compat_shims` when ``mmfine`` is imported, and has
a test in ``tests/test_utils/test_compat.py`` that fails if it is removed.

1. ``mmaction2`` 1.2.0 wheels and sdists lack ``mmaction/models/localizers/drn/`` (upstream issue
   https://github.com/open-mmlab/mmaction2/issues/2714), so ``import mmaction.models`` fails. We
   register placeholder modules ``mmaction.models.localizers.drn(.drn)`` whose ``DRN`` raises a clear
   error when built. Nothing happens when the real package is present.
2. torch >= 2.6 loads checkpoints with ``weights_only=True`` by default and mmengine 0.10.7 passes
   no ``weights_only``: its own checkpoints (which pickle ``HistoryBuffer`` and numpy arrays in the
   message hub) then fail with ``UnpicklingError``. We keep the safe loader and allow-list exactly
   the types mmengine writes (see :func:`_mmengine_checkpoint_globals`) with
   ``torch.serialization.add_safe_globals``. Arbitrary code in untrusted checkpoints is still refused.
   :func:`apply_checkpoint_error_message` makes the refusal name the file and the refused global
   (torch's own message suggests retrying with ``weights_only=False``, which would run the code).
3. mmaction2 1.2.0 enables its multimodal models (VindLU) whenever ``transformers`` is installed,
   and they import ``timm`` (which needs torchvision, absent on CPU-only installs): with
   transformers and without timm, ``import mmaction.models`` fails. When timm is missing we set
   ``mmaction.utils.dependency.WITH_MULTIMODAL = False`` before mmaction.models is imported, so
   mmaction registers its own placeholders for VindLU (they explain what to install).
"""
import importlib.util
import os.path as osp
import sys
import types

DRN_ISSUE_URL = 'https://github.com/open-mmlab/mmaction2/issues/2714'


def _mmaction_has_drn() -> bool:
    spec = importlib.util.find_spec('mmaction')
    if spec is None or not spec.submodule_search_locations:
        return True  # mmaction missing altogether: nothing to patch
    root = list(spec.submodule_search_locations)[0]
    return osp.isfile(osp.join(root, 'models', 'localizers', 'drn', 'drn.py'))


def apply_mmaction_drn_shim() -> bool:
    """Register a placeholder for mmaction2 1.2.0's missing DRN localizer.

    Returns:
        bool: True if the placeholder was installed (now or by an earlier call).
    """
    name = 'mmaction.models.localizers.drn'
    if name in sys.modules:
        return getattr(sys.modules[name], '__mmfine_placeholder__', False)
    if _mmaction_has_drn():
        return False

    from mmaction.registry import MODELS
    from mmengine.model import BaseModel

    class DRN(BaseModel):
        """Placeholder for mmaction2's DRN, which the 1.2.0 release does not ship."""

        def __init__(self, *args, **kwargs):
            raise RuntimeError(
                'DRN is not available: mmaction2 1.2.0 was released without '
                f'mmaction/models/localizers/drn/ (see {DRN_ISSUE_URL}). mmfine installs this '
                'placeholder only so that `import mmaction.models` works; install mmaction2 from '
                'source (main branch) to use DRN.')

        def forward(self, *args, **kwargs):  # pragma: no cover (never constructed)
            raise RuntimeError('DRN placeholder')

    pkg = types.ModuleType(name)
    pkg.__path__ = []  # a package, so `from .drn.drn import DRN` resolves
    pkg.__mmfine_placeholder__ = True
    mod = types.ModuleType(name + '.drn')
    mod.DRN = DRN
    mod.__mmfine_placeholder__ = True
    pkg.drn = mod
    pkg.DRN = DRN
    sys.modules[name] = pkg
    sys.modules[name + '.drn'] = mod
    if 'DRN' not in MODELS.module_dict:  # not MODELS.get: it would import mmaction.models
        MODELS.register_module(name='DRN', module=DRN)
    return True


def _mmengine_checkpoint_globals() -> list:
    import numpy as np
    from mmengine.logging import HistoryBuffer

    # HistoryBuffer pickles its statistics methods as getattr(HistoryBuffer, 'min'), so the
    # builtin getattr is needed. The weights-only unpickler only *calls* allow-listed callables
    # (REDUCE) and only BUILDs instances of allow-listed types, so getattr can read attributes
    # of objects built from allow-listed types but cannot run anything else.
    allowed = [HistoryBuffer, np.ndarray, np.dtype, getattr]
    # numpy's pickle reconstructors (module path changed in numpy 2: core -> _core)
    for mod_name in ('numpy._core.multiarray', 'numpy.core.multiarray'):
        try:
            mod = importlib.import_module(mod_name)
        except ImportError:
            continue
        allowed += [mod._reconstruct, mod.scalar]
        break
    # dtype classes (numpy >= 1.25 pickles dtypes as numpy.dtypes.Float64DType etc.)
    dtypes = getattr(np, 'dtypes', None)
    if dtypes is not None:
        allowed += [getattr(dtypes, n) for n in dir(dtypes) if n.endswith('DType')]
    return allowed


def apply_checkpoint_allowlist() -> list:
    """Allow-list the types mmengine writes into checkpoints for ``weights_only`` loading.

    Returns:
        list: the allow-listed globals (empty on torch without ``add_safe_globals``).
    """
    import torch
    add = getattr(torch.serialization, 'add_safe_globals', None)
    if add is None:
        return []
    allowed = _mmengine_checkpoint_globals()
    add(allowed)
    return allowed


def _refused_global(message: str) -> str:
    import re
    m = re.search(r'GLOBAL ([\w.]+)', message) or re.search(r'global ([\w.]+)', message)
    return m.group(1) if m else 'an object that is not weights-only data'


def apply_checkpoint_error_message() -> bool:
    """Make a refused local checkpoint say which file and which global, and nothing else.

    mmengine loads local checkpoints with ``torch.load`` (``weights_only=True`` on torch >=
    2.6). A checkpoint that carries an arbitrary object is refused there, with a message that
    invites re-running with ``weights_only=False``; we re-raise it as an ``UnpicklingError``
    naming the file and the refused ``module.name``.

    Returns:
        bool: True if the wrapper is (now) installed.
    """
    import pickle

    from mmengine.runner.checkpoint import CheckpointLoader
    current = CheckpointLoader._schemes.get('')
    if current is None:
        return False
    if getattr(current, '__mmfine_wrapped__', False):
        return True

    def load_from_local(filename, map_location):
        try:
            return current(filename, map_location)
        except pickle.UnpicklingError as e:
            raise pickle.UnpicklingError(
                f'{filename}: refused to load this checkpoint: it contains '
                f'{_refused_global(str(e))}, which is not weights-only data (tensors, numpy '
                'arrays, containers and the mmengine types in mmfine.utils.compat). mmfine '
                'never unpickles arbitrary objects from checkpoints. If you trust the file, '
                'load it yourself and save only its state_dict.') from None

    load_from_local.__mmfine_wrapped__ = True
    CheckpointLoader._schemes[''] = load_from_local
    return True


def apply_mmaction_multimodal_shim() -> bool:
    """Disable mmaction2's multimodal (VindLU) models when ``timm`` is not installed.

    Returns:
        bool: True if mmaction's multimodal switch is (now) off because timm is missing.
    """
    if importlib.util.find_spec('mmaction') is None or importlib.util.find_spec('timm'):
        return False
    if 'mmaction.models.multimodal' in sys.modules:
        return not sys.modules['mmaction.utils.dependency'].WITH_MULTIMODAL
    import mmaction.utils.dependency as dependency
    dependency.WITH_MULTIMODAL = False
    return True


def apply_compat_shims() -> None:
    """Apply every shim (idempotent). Must run before ``mmaction.models`` is imported."""
    apply_mmaction_multimodal_shim()
    apply_mmaction_drn_shim()
    apply_checkpoint_allowlist()
    apply_checkpoint_error_message()


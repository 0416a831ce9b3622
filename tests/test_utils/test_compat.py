import os.path as osp
import pickle

import numpy as np
import pytest
import torch

import mmfine  # noqa: F401
from mmfine.utils import DRN_ISSUE_URL, apply_checkpoint_allowlist, apply_mmaction_drn_shim
from mmfine.utils.compat import _mmaction_has_drn


def test_mmaction_models_imports_with_drn_shim():
    import mmaction.models  # noqa: F401  (fails on mmaction2 1.2.0 without the shim)
    from mmaction.registry import MODELS
    if _mmaction_has_drn():
        pytest.skip('this mmaction2 ships DRN; the shim is not needed')
    assert apply_mmaction_drn_shim() is True  # idempotent: already installed
    with pytest.raises(RuntimeError, match='2714') as err:
        MODELS.build(dict(type='DRN'))
    assert DRN_ISSUE_URL in str(err.value)


def _mmengine_like_checkpoint(path):
    from mmengine.logging import HistoryBuffer
    buf = HistoryBuffer()
    buf.update(1.5)
    buf.update(np.float64(2.5))
    ckpt = dict(
        meta=dict(epoch=1, iter=3, seed=np.int64(0), dataset_meta=dict(classes=('a', 'b'))),
        state_dict={'w': torch.ones(2)},
        message_hub=dict(log_scalars={'train/loss': buf},
                         runtime_info={'arr': np.arange(3, dtype=np.float32)}))
    torch.save(ckpt, path)


def test_checkpoint_allowlist_makes_mmengine_checkpoints_loadable(tmp_path):
    path = str(tmp_path / 'ckpt.pth')
    _mmengine_like_checkpoint(path)
    allowed = apply_checkpoint_allowlist()
    assert allowed, 'torch without add_safe_globals: the shim is a no-op here'
    # the default torch.load is weights_only=True on torch >= 2.6: safe loader + allow-list
    ckpt = torch.load(path)
    assert ckpt['message_hub']['log_scalars']['train/loss'].current() == 2.5
    from mmengine.runner import CheckpointLoader
    ckpt = CheckpointLoader.load_checkpoint(path, map_location='cpu')
    np.testing.assert_array_equal(ckpt['message_hub']['runtime_info']['arr'], [0, 1, 2])


@pytest.mark.filterwarnings('ignore:Detected pickle protocol')
def test_checkpoint_allowlist_still_refuses_arbitrary_code(tmp_path):
    path = str(tmp_path / 'evil.pth')

    class Evil:
        def __reduce__(self):
            return (osp.join, ('a', 'b'))

    with open(path, 'wb') as f:
        pickle.dump({'x': Evil()}, f)
    with pytest.raises(pickle.UnpicklingError):
        torch.load(path, weights_only=True)


def test_mmaction_multimodal_models_disabled_without_timm():
    import importlib.util

    from mmfine.utils import apply_mmaction_multimodal_shim
    if importlib.util.find_spec('timm') is not None:
        pytest.skip('timm is installed: mmaction can import its multimodal models')
    import mmaction.models  # noqa: F401  (imports VindLU, hence timm, without the shim)
    import mmaction.utils.dependency as dependency
    assert dependency.WITH_MULTIMODAL is False
    assert apply_mmaction_multimodal_shim() is True
    from mmaction.registry import MODELS
    with pytest.raises(ImportError):  # mmaction's own placeholder asks to install the extras
        MODELS.build(dict(type='VindLUVQA'))


def test_checkpoint_with_an_arbitrary_object_is_refused_clearly(tmp_path):
    """A checkpoint carrying an object that would run a command: refused, nothing run, and the
    message names the file and the global (not torch's advice to retry unsafely)."""
    import os

    from mmengine.runner import load_checkpoint
    marker = tmp_path / 'ran'

    class Payload:
        def __reduce__(self):
            return (os.system, (f'touch {marker}',))

    path = str(tmp_path / 'evil.pth')
    torch.save({'state_dict': {'weight': torch.ones(1)}, 'meta': Payload()}, path)
    model = torch.nn.Linear(1, 1, bias=False)
    with pytest.raises(pickle.UnpicklingError) as err:
        load_checkpoint(model, path, map_location='cpu')
    msg = str(err.value)
    assert path in msg and 'system' in msg and 'refused' in msg
    assert 'weights_only=False' not in msg
    assert not marker.exists()

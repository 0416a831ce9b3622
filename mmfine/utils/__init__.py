from .checkpoint_files import read_checkpoint_state, write_converted_checkpoint
from .compat import (DRN_ISSUE_URL, apply_checkpoint_allowlist, apply_compat_shims,
                     apply_mmaction_drn_shim, apply_mmaction_multimodal_shim)
from .dist import finalize_distributed, init_cpu_distributed
from .setup_env import register_all_modules

__all__ = [
    'register_all_modules', 'apply_compat_shims', 'apply_mmaction_drn_shim',
    'apply_mmaction_multimodal_shim', 'apply_checkpoint_allowlist', 'init_cpu_distributed',
    'finalize_distributed', 'DRN_ISSUE_URL', 'read_checkpoint_state',
    'write_converted_checkpoint'
]

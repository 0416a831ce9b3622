"""mmfine: an OpenMMLab 2.x plugin for fine-grained sports-video understanding."""
from .version import __version__
from .utils.compat import apply_compat_shims
from .utils.version_check import check_versions

check_versions()  # a warning naming the package and the range, never an assert

# must run before anything imports ``mmaction.models`` (see mmfine/utils/compat.py)
apply_compat_shims()

__all__ = ['__version__']

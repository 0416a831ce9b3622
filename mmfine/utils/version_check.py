"""Installed-version check: a clear warning instead of import-time asserts.

:data:`SUPPORTED` repeats the ranges of ``requirements/mminstall.txt`` (an installed package has
no requirements/ folder); ``tests/test_utils/test_version_check.py`` keeps the two equal.
"""
import warnings
from typing import Dict, List, Optional, Tuple

from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version

SUPPORTED: Dict[str, str] = {
    'mmengine': '>=0.10.7,<1.0.0',
    'mmcv': '>=2.1.0,<2.2.0',
    'mmdet': '>=3.3.0,<3.4.0',
    'mmaction2': '>=1.2.0,<1.3.0',
}


def _installed_version(dist_name: str) -> Optional[str]:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version(dist_name)
    except PackageNotFoundError:
        return None


def check_versions(supported: Optional[Dict[str, str]] = None,
                   warn: bool = True) -> List[Tuple[str, Optional[str], str]]:
    """Compare installed OpenMMLab packages with the supported ranges.

    Args:
        supported (dict, optional): distribution name -> specifier. Defaults to
            :data:`SUPPORTED`.
        warn (bool): emit one ``UserWarning`` listing every problem. Defaults to True.

    Returns:
        list[tuple]: ``(name, installed version or None, required specifier)`` for each package
        that is missing or outside its range.
    """
    problems = []
    for name, spec in (supported or SUPPORTED).items():
        installed = _installed_version(name)
        try:
            ok = installed is not None and Version(installed) in SpecifierSet(spec)
        except InvalidVersion:
            ok = False
        if not ok:
            problems.append((name, installed, spec))
    if problems and warn:
        lines = [f'  {n}: installed {v or "nothing"}, mmfine is tested with {s}'
                 for n, v, s in problems]
        warnings.warn('mmfine: unsupported OpenMMLab versions (things may break):\n' +
                      '\n'.join(lines) + '\nRun `bash tools/setup_env.sh` (or see '
                      'docs/install.md) to install the verified stack.', stacklevel=2)
    return problems

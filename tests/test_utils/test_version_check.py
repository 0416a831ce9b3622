import os.path as osp
import re

import pytest

from mmfine.utils.version_check import SUPPORTED, check_versions

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def test_installed_stack_is_supported():
    assert check_versions(warn=False) == []


def test_out_of_range_and_missing_packages_warn_with_names():
    with pytest.warns(UserWarning, match=r'mmcv: installed 2\.1\.0, mmfine is tested with <2\.1'):
        problems = check_versions({'mmcv': '<2.1', 'surely-not-installed-pkg': '>=1'})
    assert problems == [('mmcv', '2.1.0', '<2.1'), ('surely-not-installed-pkg', None, '>=1')]


def test_ranges_match_requirements_file():
    with open(osp.join(REPO, 'requirements', 'mminstall.txt')) as f:
        reqs = dict(re.match(r'([\w-]+)(.*)', ln.strip()).groups() for ln in f
                    if ln.strip() and not ln.startswith('#'))
    assert reqs == SUPPORTED

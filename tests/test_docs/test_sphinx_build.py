"""The documentation builds with Sphinx (myst pages + API reference), warnings as errors, and the
API reference documents every component mmfine registers."""
import os.path as osp
import re
import subprocess
import sys

import pytest

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def test_docs_build_without_warnings_and_list_every_registered_component(tmp_path):
    pytest.importorskip('sphinx')
    pytest.importorskip('myst_parser')
    out = tmp_path / 'html'
    proc = subprocess.run([sys.executable, '-m', 'sphinx', '-W', '--keep-going', '-q', '-b',
                           'html', 'docs', str(out)], cwd=REPO, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    for page in ('index', 'install', 'quick_start', 'adding_a_module', 'evaluation', 'api',
                 'tasks/postal_stal', 'tasks/fineaction_tal', 'tasks/spotting'):
        assert (out / f'{page}.html').is_file(), page
    documented = set(re.findall(r'id="mmfine\.[\w.]*?\.(\w+)"', (out / 'api.html').read_text()))
    import mmfine.registry as reg
    from mmfine.utils import register_all_modules
    register_all_modules()
    missing = []
    for name in dir(reg):
        registry = getattr(reg, name)
        if getattr(registry, 'scope', None) != 'mmfine':
            continue
        for cls_name, cls in registry.module_dict.items():
            if cls.__module__.startswith('mmfine.') and cls_name not in documented:
                missing.append(f'{name}: {cls_name}')
    assert not missing, 'registered but not in docs/api.md:\n' + '\n'.join(missing)

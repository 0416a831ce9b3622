"""Sphinx configuration of the mmfine documentation (myst markdown pages + API reference).

Build: ``.venv/bin/python -m sphinx -W -b html docs docs/_build/html`` (warnings are errors;
``tests/test_docs/test_sphinx_build.py`` runs it).
"""
import os
import sys

sys.path.insert(0, os.path.abspath('..'))
os.environ.setdefault('HF_HUB_OFFLINE', '1')

import mmfine  # noqa: E402,F401  (compat shims before anything imports mmaction.models)

project = 'mmfine'
copyright = '2026, mmfine contributors'
author = 'mmfine contributors'
release = mmfine.__version__

extensions = ['myst_parser', 'sphinx.ext.autodoc', 'sphinx.ext.napoleon',
              'sphinx.ext.viewcode']
source_suffix = {'.md': 'markdown'}
master_doc = 'index'
exclude_patterns = ['_build']
myst_enable_extensions = ['colon_fence']
myst_heading_anchors = 3
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_rtype = False
autodoc_member_order = 'bysource'
autodoc_typehints = 'none'
autodoc_default_options = {'members': True, 'show-inheritance': True}
html_theme = 'alabaster'
# Pages link to files of the repository outside docs/ (configs/*/README.md, scripts): those
# links are meant for GitHub and have no Sphinx target.
suppress_warnings = ['myst.xref_missing']

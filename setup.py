"""Minimal setup.py: all metadata lives in setup.cfg (kept for ``pip install -e .`` on old pips)."""
from setuptools import setup

setup()

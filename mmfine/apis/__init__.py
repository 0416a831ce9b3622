"""Inference APIs used by demo/: added with the PoSTAL issue."""

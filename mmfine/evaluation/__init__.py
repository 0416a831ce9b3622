"""Metrics (numpy math in functional/ + mmengine wrappers): added by the Evaluation issue."""

"""Visualizers (tube overlays, spotting timelines, AQA plots): added with the task issues."""

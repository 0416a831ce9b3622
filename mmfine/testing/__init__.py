"""Helpers for tests and benchmarks (seeded synthetic inputs)."""

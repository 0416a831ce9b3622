"""Helpers shared by the metric wrappers."""
import numpy as np


def to_numpy(x, dtype=None) -> np.ndarray:
    """Tensor / sequence / scalar -> numpy array (CPU)."""
    if hasattr(x, 'detach'):
        x = x.detach().cpu().numpy()
    return np.asarray(x) if dtype is None else np.asarray(x, dtype)


def get(sample: dict, key: str, where: str):
    """``sample[key]``, also looking in ``sample['metainfo']``; a clear error when absent."""
    if key in sample:
        return sample[key]
    meta = sample.get('metainfo', {})
    if key in meta:
        return meta[key]
    raise KeyError(f'{where}: the data sample has no {key!r} (keys: {sorted(sample)})')


def curves_at(curves: dict, t: int) -> dict:
    """``{class: {'precision', 'recall'}}`` at threshold index ``t`` of the functional
    ``return_curves`` output (each (T, P_c) there, (P_c,) here)."""
    return {c: {k: v[t] for k, v in cv.items()} for c, cv in curves.items()}

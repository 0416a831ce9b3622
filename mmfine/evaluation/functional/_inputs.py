"""Turning the documented list-of-dicts inputs into numpy columns, with clear errors."""
import itertools
from operator import itemgetter
from typing import Dict, Sequence, Union

import numpy as np

Records = Union[Sequence[dict], Dict[str, Sequence]]


def columns(items: Records, keys: Sequence[str], what: str,
            dtypes: Dict[str, object] = None) -> Dict[str, np.ndarray]:
    """Gather ``keys`` of every record into arrays.

    Args:
        items (list[dict] | dict[str, Sequence]): records, or already columnar data (a dict of
            equal-length sequences, the fast path for large inputs).
        keys (Sequence[str]): required keys.
        what (str): name used in error messages (``'detections'`` -> ``detections[12]``).
        dtypes (dict, optional): numpy dtype per key; default float64; ``object`` makes an
            object array; ``list`` keeps the Python list (for per-record arrays); ``'box'``
            makes an (N, 4) float array.

    Returns:
        dict[str, np.ndarray]: one array per key, first axis = number of records.

    Raises:
        ValueError: a record without one of the keys, or columns of different lengths.
    """
    dtypes = dtypes or {}
    if isinstance(items, dict):
        missing = [k for k in keys if k not in items]
        if missing:
            raise ValueError(f'{what} has no column {missing[0]!r}')
        out = {k: _convert(items[k], dtypes.get(k, np.float64), what) for k in keys}
        lengths = {k: len(v) for k, v in out.items()}
        if len(set(lengths.values())) > 1:
            raise ValueError(f'{what} columns have different lengths: {lengths}')
        return out
    out = {}
    for k in keys:
        try:
            vals = list(map(itemgetter(k), items))
        except KeyError:
            i = next(i for i, d in enumerate(items) if k not in d)
            raise ValueError(f'{what}[{i}] has no key {k!r}') from None
        out[k] = _convert(vals, dtypes.get(k, np.float64), what)
    return out


def _convert(vals, dtype, what):
    if dtype is list:
        return list(vals)
    if dtype == 'box':
        if isinstance(vals, np.ndarray):
            return vals.astype(np.float64).reshape(-1, 4)
        flat = np.fromiter(itertools.chain.from_iterable(vals), np.float64)
        if flat.size != 4 * len(vals):
            bad = next(i for i, b in enumerate(vals) if len(b) != 4)
            raise ValueError(f'{what}[{bad}] has a box with {len(vals[bad])} numbers, not 4')
        return flat.reshape(-1, 4)
    if dtype is object:
        if isinstance(vals, np.ndarray) and vals.dtype.kind in 'iu':
            return vals.reshape(-1)  # integer labels: no need for Python objects
        arr = np.empty(len(vals), object)
        arr[:] = list(vals)
        return arr
    return np.asarray(vals, dtype).reshape(-1)


def check_labels(labels: np.ndarray, num_classes: int, what: str) -> np.ndarray:
    """Integer class ids in [0, num_classes), or a ``ValueError`` naming the first bad entry."""
    lab = np.asarray(labels)
    try:
        as_int = lab.astype(np.int64) if lab.size else np.zeros(0, np.int64)
        bad = np.nonzero((as_int != lab) | (as_int < 0) | (as_int >= num_classes))[0]
    except (TypeError, ValueError):  # e.g. a string label
        bad = np.array([i for i, v in enumerate(lab.tolist())
                        if not (isinstance(v, (int, np.integer)) and 0 <= v < num_classes)])
    if len(bad):
        value = lab[bad[0]].item() if isinstance(lab[bad[0]], np.generic) else lab[bad[0]]
        raise ValueError(f'{what}[{int(bad[0])}] has label {value!r}, not a class index '
                         f'in [0, {num_classes})')
    return as_int

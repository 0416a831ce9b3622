"""A restricted unpickler for annotation files downloaded from third parties.

Plain unpickling runs whatever callable a file names: a crafted ``FineSports-GT.pkl`` or
``fine-grained_annotation_aqa.pkl`` can run a shell command before any validation. Every pickle
mmfine reads goes through :func:`safe_pickle_load`, which resolves only the globals the real
annotation files need (the pattern of torch's ``weights_only`` unpickler):

- plain containers and scalars (``dict``, ``list``, ``tuple``, ``set``, ``frozenset``,
  ``bytearray``, ``complex``, ``slice``, ``range``, ``collections.OrderedDict`` /
  ``defaultdict``), resolved through pickle's Python 2 name mapping too (``__builtin__``);
- numpy arrays, dtypes and scalars (``ndarray``, ``dtype``, the ``numpy.dtypes`` classes,
  ``_reconstruct``, ``scalar``, ``_frombuffer``, in both the numpy 1 ``numpy.core`` and the numpy 2
  ``numpy._core`` module paths);
- ``_codecs.encode`` for text codecs only (protocol-2 pickles written by Python 2 store byte
  strings as ``_codecs.encode(text, 'latin1')``);
- with ``allow_tensors=True`` only (files written by ``tools/test.py --dump``): CPU torch tensors,
  whose storages are read back with ``torch.load(weights_only=True)``.

Anything else is refused with :class:`UnsafePickleError` naming the file and the
``module.name`` before it is imported or called.
"""
import _compat_pickle
import codecs
import importlib
import importlib.util
import collections
import io
import os.path as osp
import pickle
from typing import Any, Callable, Dict, Tuple, Union

_BUILTINS = ('dict', 'list', 'tuple', 'set', 'frozenset', 'bytearray', 'bytes', 'str', 'int',
             'float', 'bool', 'complex', 'slice', 'range')
_NUMPY_FUNCS = ('_reconstruct', 'scalar', '_frombuffer')
_TEXT_CODECS = ('latin1', 'latin-1', 'iso-8859-1', 'iso8859-1', 'utf-8', 'utf8', 'ascii')


class UnsafePickleError(pickle.UnpicklingError):
    """A pickle names a global outside the allow-list (message names the file and global)."""


def _encode_text(obj: str, encoding: str = 'utf-8', errors: str = 'strict') -> bytes:
    """``_codecs.encode`` restricted to text codecs (no zlib / base64 / rot13 tricks)."""
    if not isinstance(obj, str) or codecs.lookup(encoding).name not in {
            codecs.lookup(c).name for c in _TEXT_CODECS}:
        raise UnsafePickleError(f'_codecs.encode is allowed for text codecs only, got '
                                f'{type(obj).__name__} with {encoding!r}')
    return obj.encode(encoding, errors)


def _numpy_globals() -> Dict[Tuple[str, str], Any]:
    import numpy as np
    allowed = {('numpy', 'ndarray'): np.ndarray, ('numpy', 'dtype'): np.dtype}
    # numpy 2 moved numpy.core to numpy._core; pickles name either. Import whichever this
    # numpy has (importing the deprecated alias warns) and answer to both names.
    core = 'numpy._core' if importlib.util.find_spec('numpy._core') else 'numpy.core'
    for sub in ('multiarray', 'numeric'):
        mod = importlib.import_module(f'{core}.{sub}')
        for name in _NUMPY_FUNCS:
            if hasattr(mod, name):
                for prefix in ('numpy.core', 'numpy._core'):
                    allowed[(f'{prefix}.{sub}', name)] = getattr(mod, name)
    dtypes = getattr(np, 'dtypes', None)
    if dtypes is not None:  # numpy >= 1.25 pickles dtypes as numpy.dtypes.Float64DType, ...
        for name in dir(dtypes):
            if name.endswith('DType'):
                allowed[('numpy.dtypes', name)] = getattr(dtypes, name)
    # numpy scalar types (np.float64 ...) can appear as dtype arguments in old pickles
    for name in ('bool_', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32',
                 'uint64', 'float16', 'float32', 'float64', 'complex64', 'complex128',
                 'str_', 'bytes_'):
        if hasattr(np, name):
            allowed[('numpy', name)] = getattr(np, name)
    return allowed


def _load_storage_weights_only(data: bytes):
    import torch
    return torch.load(io.BytesIO(data), weights_only=True, map_location='cpu')


def _tensor_globals() -> Dict[Tuple[str, str], Any]:
    import torch
    import torch._utils
    return {
        ('torch._utils', '_rebuild_tensor_v2'): torch._utils._rebuild_tensor_v2,
        ('torch._utils', '_rebuild_tensor'): torch._utils._rebuild_tensor,
        ('torch._tensor', '_rebuild_from_type_v2'): _rebuild_plain_tensor,
        ('torch', 'Tensor'): torch.Tensor,
        # the storage bytes are a torch.save file of their own: read them weights-only
        ('torch.storage', '_load_from_bytes'): _load_storage_weights_only,
    }


def _rebuild_plain_tensor(func: Callable, new_type, args, state):
    """``torch._tensor._rebuild_from_type_v2`` for plain tensors only."""
    import torch
    if new_type is not torch.Tensor:
        raise UnsafePickleError(f'only plain torch.Tensor objects are allowed, got {new_type!r}')
    ret = func(*args)
    if state:
        raise UnsafePickleError('tensors with pickled Python state are not allowed')
    return ret


class RestrictedUnpickler(pickle.Unpickler):
    """``pickle.Unpickler`` that only resolves allow-listed globals.

    Args:
        file: binary file object.
        source (str): file name used in error messages.
        allow_tensors (bool): also allow plain CPU torch tensors. Defaults to False.
        encoding (str): how Python 2 ``str`` objects are decoded. Defaults to ``'latin1'``
            (the only one that reads Python 2 numpy arrays).
    """

    def __init__(self, file, source: str = '<bytes>', allow_tensors: bool = False,
                 encoding: str = 'latin1'):
        super().__init__(file, encoding=encoding)
        self.source = source
        self.allowed = dict(_numpy_globals())
        self.allowed.update({('builtins', n): getattr(__import__('builtins'), n)
                             for n in _BUILTINS})
        self.allowed.update({('collections', 'OrderedDict'): collections.OrderedDict,
                             ('collections', 'defaultdict'): collections.defaultdict,
                             ('_codecs', 'encode'): _encode_text})
        if allow_tensors:
            self.allowed.update(_tensor_globals())

    def find_class(self, module: str, name: str):
        # Python 2 names (__builtin__.set, copy_reg...) -> Python 3, as pickle's fix_imports
        if (module, name) in _compat_pickle.NAME_MAPPING:
            module, name = _compat_pickle.NAME_MAPPING[(module, name)]
        elif module in _compat_pickle.IMPORT_MAPPING:
            module = _compat_pickle.IMPORT_MAPPING[module]
        found = self.allowed.get((module, name))
        if found is None:
            raise UnsafePickleError(
                f'{self.source}: refused to unpickle global {module}.{name}: mmfine only loads '
                'numpy arrays, dtypes and scalars, plain containers, strings and numbers from '
                'pickles (a file that needs anything else may run code when unpickled)')
        return found

    def persistent_load(self, pid):
        raise UnsafePickleError(f'{self.source}: persistent ids are not allowed ({pid!r})')


def safe_pickle_loads(data: bytes, source: str = '<bytes>', allow_tensors: bool = False,
                      encoding: str = 'latin1') -> Any:
    """Unpickle bytes with :class:`RestrictedUnpickler` (arguments as there)."""
    return RestrictedUnpickler(io.BytesIO(data), source, allow_tensors, encoding).load()


def safe_pickle_load(file: Union[str, Any], allow_tensors: bool = False,
                     encoding: str = 'latin1') -> Any:
    """Load a pickle file without running code from it.

    Args:
        file (str | file): path, or a binary file object (its ``name`` is used in errors).
        allow_tensors (bool): also allow plain CPU torch tensors (``tools/test.py --dump``
            files). Defaults to False.
        encoding (str): decoding of Python 2 ``str`` objects. Defaults to ``'latin1'``.

    Returns:
        The unpickled object.

    Raises:
        FileNotFoundError: ``file`` is a path that does not exist.
        UnsafePickleError: the pickle names a global outside the allow-list (nothing of it is
            called); the message names the file and the global.
        pickle.UnpicklingError: the file is truncated, corrupt or not a pickle (names the file).
    """
    if isinstance(file, str):
        if not osp.isfile(file):
            raise FileNotFoundError(f'pickle file not found: {file}')
        with open(file, 'rb') as f:
            return safe_pickle_load(f, allow_tensors, encoding)
    source = getattr(file, 'name', '<stream>')
    try:
        return RestrictedUnpickler(file, str(source), allow_tensors, encoding).load()
    except UnsafePickleError:
        raise
    except Exception as e:  # noqa: BLE001 (truncated / corrupt / not a pickle)
        raise pickle.UnpicklingError(
            f'{source}: not a readable pickle ({type(e).__name__}: {e})') from e

"""The restricted unpickler: crafted files refused before anything runs, real files load."""
import os
import os.path as osp
import pickle
import re
import struct
import subprocess

import numpy as np
import pytest
import torch

from mmfine.datasets.act_format import load_act_gt
from mmfine.fileio import UnsafePickleError, safe_pickle_load, safe_pickle_loads

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SHARED = osp.join(osp.dirname(REPO), 'shared', 'data')


class _TouchFile:
    """Unpickling this runs a shell command that creates a file."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (os.system, (f'touch {self.path}',))


def _crafted_gt(tmp_path):
    marker = tmp_path / 'pwned'
    path = tmp_path / 'FineSports-GT.pkl'
    with open(path, 'wb') as f:  # the payload sits inside an otherwise plausible dict
        pickle.dump({'labels': ['a'], 'payload': _TouchFile(marker)}, f)
    return str(path), marker


def test_crafted_pickle_is_refused_and_runs_nothing(tmp_path):
    path, marker = _crafted_gt(tmp_path)
    with pytest.raises(UnsafePickleError) as err:
        safe_pickle_load(path)
    msg = str(err.value)
    assert path in msg and re.search(r'global (posix|nt|os)\.system', msg)
    assert not marker.exists()
    # the plain pickle module would have run it (proof that the file is a real payload)
    with open(path, 'rb') as f:
        pickle.load(f)
    assert marker.exists()


def test_load_act_gt_refuses_the_crafted_file_before_validating(tmp_path):
    path, marker = _crafted_gt(tmp_path)
    with pytest.raises(UnsafePickleError, match='system'):
        load_act_gt(path)  # not "missing key 'nframes'": refused while unpickling
    assert not marker.exists()


@pytest.mark.parametrize('obj', [eval, getattr, subprocess.Popen, osp.join, np.load,
                                 torch.load])
def test_other_callables_are_refused(obj):
    data = pickle.dumps(obj)
    with pytest.raises(UnsafePickleError, match='refused to unpickle global'):
        safe_pickle_loads(data, 'x.pkl')


def test_codecs_encode_only_for_text_codecs():
    # protocol 2 writes bytes as _codecs.encode(text, 'latin1'): allowed
    assert safe_pickle_loads(pickle.dumps(b'\x00\xff', protocol=2)) == b'\x00\xff'
    crafted = (b'\x80\x02c_codecs\nencode\nX\x03\x00\x00\x00abcX\x0a\x00\x00\x00zlib_codec'
               b'\x86R.')
    with pytest.raises(UnsafePickleError, match='text codecs'):
        safe_pickle_loads(crafted)


def test_numpy_builtins_roundtrip():
    obj = {'a': np.arange(6, dtype=np.float32).reshape(2, 3), 'b': [1, 2.5, 'x', None, True],
           ('v', 1): (np.int64(3), np.float64(0.5)), 's': {1, 2}, 'f': frozenset({3}),
           'c': 1 + 2j, 'u': np.array(['ab', 'c']), 'rec': np.zeros(2, [('x', 'f4'), ('y', 'i8')])}
    for protocol in (2, 4, 5):
        out = safe_pickle_loads(pickle.dumps(obj, protocol=protocol))
        assert out.keys() == obj.keys()
        np.testing.assert_array_equal(out['a'], obj['a'])
        assert out['a'].dtype == np.float32 and out['rec'].dtype == obj['rec'].dtype
        assert out['b'] == obj['b'] and out[('v', 1)] == obj[('v', 1)]
        assert out['s'] == obj['s'] and out['f'] == obj['f'] and out['c'] == obj['c']


def test_tensors_only_when_allowed():
    data = pickle.dumps([{'pred': torch.arange(4.0).view(2, 2), 'n': 1}])
    with pytest.raises(UnsafePickleError, match='torch'):
        safe_pickle_loads(data)
    out = safe_pickle_loads(data, allow_tensors=True)
    assert torch.equal(out[0]['pred'], torch.arange(4.0).view(2, 2))


def test_truncated_pickle_names_the_file(tmp_path):
    path = tmp_path / 'cut.pkl'
    path.write_bytes(pickle.dumps({'a': np.arange(100)})[:50])
    with pytest.raises(pickle.UnpicklingError, match='cut.pkl'):
        safe_pickle_load(str(path))
    with pytest.raises(FileNotFoundError, match='missing.pkl'):
        safe_pickle_load(str(tmp_path / 'missing.pkl'))


def _short_str(b: bytes) -> bytes:
    return b'U' + bytes([len(b)]) + b if len(b) < 256 else b'T' + struct.pack('<I', len(b)) + b


def _py2_pickle(arr: np.ndarray, label: bytes) -> bytes:
    """What Python 2's cPickle (protocol 2) writes for {'labels': [label], 'arr': arr}."""
    assert arr.dtype == np.float32 and arr.ndim == 1
    dtype = (b'cnumpy\ndtype\n' + _short_str(b'f4') + b'K\x00K\x01\x87R'
             + b'(K\x03' + _short_str(b'<') + b'NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb')
    array = (b'cnumpy.core.multiarray\n_reconstruct\ncnumpy\nndarray\nK\x00\x85'
             + _short_str(b'b') + b'\x87R'
             + b'(K\x01K' + bytes([len(arr)]) + b'\x85' + dtype + b'\x89'
             + _short_str(arr.tobytes()) + b'tb')
    return (b'\x80\x02}(' + _short_str(b'labels') + b']' + _short_str(label) + b'a'
            + _short_str(b'arr') + array + b'u.')


def test_python2_latin1_pickle_loads():
    arr = np.array([1.5, -2.0, 3.25], np.float32)
    data = _py2_pickle(arr, b'caf\xe9')
    out = safe_pickle_loads(data)  # latin1 by default
    assert out['labels'] == ['caf\xe9']
    np.testing.assert_array_equal(out['arr'], arr)
    ref = pickle.loads(data, encoding='latin1')  # the same as the plain loader
    np.testing.assert_array_equal(ref['arr'], out['arr'])


def _shared(*parts):
    path = osp.join(SHARED, *parts)
    if not osp.exists(path):
        pytest.skip(f'{path} not available (../shared is absent)')
    return path


def _assert_same(a, b):
    if isinstance(a, dict):
        assert a.keys() == b.keys()
        for k in a:
            _assert_same(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b)
        for x, y in zip(a, b):
            _assert_same(x, y)
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
    else:
        assert a == b and type(a) is type(b)


def test_real_multisports_fixture_loads():
    path = _shared('act_format', 'multisports_gt_sample.pkl')
    out = safe_pickle_load(path)
    with open(path, 'rb') as f:
        ref = pickle.load(f, encoding='latin1')  # trusted fixture: plain reference
    _assert_same(ref, out)
    gt = load_act_gt(path)
    assert gt['labels'] and gt['gttubes']


@pytest.mark.parametrize('name', [
    'fine-grained_annotation_aqa.pkl', 'train_split.pkl', 'test_split.pkl',
    'FineDiving_coarse_annotation.pkl', 'FineDiving_fine-grained_annotation.pkl',
    'Sub_action_Types_Table.pkl'])
def test_real_finediving_pickles_load(name):
    path = _shared('finediving_aqa', name)
    out = safe_pickle_load(path)
    with open(path, 'rb') as f:
        ref = pickle.load(f)
    _assert_same(ref, out)
    assert len(out) > 0


def test_no_other_pickle_load_in_the_package_and_tools():
    """Every pickle read in mmfine/, tools/, demo/ and benchmarks/ goes through safe_pickle_load."""
    pattern = re.compile(r'pickle\.(load|loads|Unpickler)\b|\b(cPickle|dill|joblib)\.load|'
                         r'mmengine\.load\(|(?<![\w.])load\([^)]*\.pkl|weights_only\s*=\s*False(?!`)')
    allowed = osp.join('mmfine', 'fileio', 'safe_pickle.py')
    offenders = []
    for top in ('mmfine', 'tools', 'demo', 'benchmarks'):
        for root, _, files in os.walk(osp.join(REPO, top)):
            for name in files:
                if not name.endswith(('.py', '.sh')):
                    continue
                path = osp.join(root, name)
                rel = osp.relpath(path, REPO)
                with open(path, encoding='utf-8') as f:
                    for i, line in enumerate(f, 1):
                        if pattern.search(line) and not (rel == allowed
                                                         and 'pickle.Unpickler' in line):
                            offenders.append(f'{rel}:{i}: {line.strip()}')
    assert not offenders, 'pickle read outside mmfine.fileio:\n' + '\n'.join(offenders)

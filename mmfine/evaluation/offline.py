"""Re-scoring ``tools/test.py --dump`` files: the config's metrics, class names, the dump."""
import copy
from typing import Dict, List, Optional, Sequence

from mmfine.fileio import safe_pickle_load


def load_dump(path: str) -> List[dict]:
    """The data samples written by ``tools/test.py --dump`` (restricted unpickler: plain
    containers, numpy and CPU tensors only)."""
    samples = safe_pickle_load(path, allow_tensors=True)
    if not isinstance(samples, list):
        raise ValueError(f'{path}: expected the list of data samples written by --dump, got '
                         f'{type(samples).__name__}')
    return samples


def metric_configs(config: Optional[str], metric: Optional[str] = None,
                   options: Optional[Dict] = None) -> List[dict]:
    """Metric configs of the config's ``test_evaluator`` (``DumpResults`` left out), or the
    single ``metric`` type, each updated with ``options``."""
    if metric:
        cfgs = [dict(type=metric)]
    else:
        if config in (None, '-'):
            raise ValueError('give a config or a metric type')
        from mmengine.config import Config
        ev = Config.fromfile(config).test_evaluator
        cfgs = [copy.deepcopy(dict(m)) for m in (ev if isinstance(ev, (list, tuple)) else [ev])]
        cfgs = [c for c in cfgs if c.get('type') != 'DumpResults']
    for c in cfgs:
        c.update(options or {})
    return cfgs


def dataset_classes(config: Optional[str]) -> Optional[Sequence[str]]:
    """Class names of the config's test dataset (its ``metainfo['classes']``, which datasets
    such as ``FineSportsDataset`` read from their annotation file), or None."""
    if config in (None, '-'):
        return None
    from mmengine.config import Config

    from mmfine.registry import DATASETS
    from mmfine.utils import register_all_modules
    register_all_modules()
    cfg = Config.fromfile(config)
    ds_cfg = copy.deepcopy(cfg.test_dataloader.dataset)
    classes = (ds_cfg.get('metainfo') or {}).get('classes')
    if classes:
        return list(classes)
    ds_cfg['pipeline'] = []
    try:
        dataset = DATASETS.build(ds_cfg)
    except (FileNotFoundError, OSError) as e:
        raise FileNotFoundError(f'{config}: the test dataset is needed for the class names '
                                f'({e}); pass --classes instead') from e
    classes = dataset.metainfo.get('classes')
    return list(classes) if classes else None


def build_evaluator(config: Optional[str], metric: Optional[str] = None,
                    options: Optional[Dict] = None, classes: Optional[Sequence[str]] = None):
    """An mmengine ``Evaluator`` with :func:`metric_configs` and the class names (``classes``,
    else :func:`dataset_classes` of the config)."""
    from mmengine.evaluator import Evaluator

    from mmfine.utils import register_all_modules
    register_all_modules()
    evaluator = Evaluator(metric_configs(config, metric, options))
    classes = classes or dataset_classes(config)
    if classes:
        evaluator.dataset_meta = dict(classes=list(classes))
    return evaluator

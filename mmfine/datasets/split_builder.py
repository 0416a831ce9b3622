"""A dataset split of a config, built as the analysis tools need it."""
import copy
from typing import Optional, Sequence, Union

from mmengine.config import Config
from mmengine.registry import DefaultScope

from mmfine.registry import DATASETS

_LOADERS = dict(train='train_dataloader', val='val_dataloader', test='test_dataloader')


def build_split_dataset(cfg: Config, split: str,
                        pipeline: Optional[Union[str, Sequence[dict]]] = 'test',
                        **overrides):
    """The dataset of a config's ``train`` / ``val`` / ``test`` data loader.

    The analysis tools (``postal_clip_diagnostics.py``, ``postal_identity_probe.py``) read
    every split through the config's test pipeline, whatever the split.

    Args:
        cfg (Config): a training config.
        split (str): ``'train'``, ``'val'`` or ``'test'``.
        pipeline (str | Sequence[dict] | None): ``'test'`` (``cfg.test_pipeline``), ``'train'``
            (``cfg.train_pipeline``), a pipeline, or None (the loader's own). Defaults to
            ``'test'``.
        **overrides: dataset arguments to replace (e.g. ``sample_mode='tube'``); a value
            of None removes the argument.

    Returns:
        the built dataset.

    Raises:
        ValueError: an unknown split, or a config without that loader.
    """
    if split not in _LOADERS:
        raise ValueError(f'split must be one of {sorted(_LOADERS)}, got {split!r}')
    loader = cfg.get(_LOADERS[split])
    if not loader or not loader.get('dataset'):
        raise ValueError(f'the config has no {_LOADERS[split]} (split {split!r})')
    dataset = copy.deepcopy(loader['dataset'])
    if isinstance(pipeline, str):
        key = f'{pipeline}_pipeline'
        if key not in cfg:
            raise ValueError(f'the config has no {key}')
        pipeline = cfg[key]
    if pipeline is not None:
        dataset['pipeline'] = [dict(t) for t in pipeline]
    for k, v in overrides.items():
        if v is None:
            dataset.pop(k, None)
        else:
            dataset[k] = v
    with DefaultScope.overwrite_default_scope('mmfine'):
        return DATASETS.build(dataset)

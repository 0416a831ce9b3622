"""Build any mmfine model from its config and load a checkpoint (used by every demo)."""
import copy
from typing import Optional, Union

import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmengine.runner import load_checkpoint

from mmfine.registry import MODELS


def init_model(config: Union[str, Config], checkpoint: Optional[str] = None,
               device: str = 'cpu', cfg_options: Optional[dict] = None) -> torch.nn.Module:
    """Build a model from a config and load a checkpoint (torch's ``weights_only`` loading
    with mmengine's types allow-listed by :func:`register_all_modules`: no code runs from a
    downloaded checkpoint).

    The model gets ``cfg`` (the config) and ``dataset_meta`` (what the training runner saved
    in the checkpoint's meta, else ``None``), and is returned in eval mode on ``device``.
    ``cfg_options`` (``--cfg-options`` of a demo, as mmdet's ``init_detector``) are merged
    into a copy of the config first.
    """
    import mmfine.utils as mmfine_utils
    mmfine_utils.register_all_modules()
    cfg = Config.fromfile(config) if isinstance(config, str) else copy.deepcopy(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    with DefaultScope.overwrite_default_scope('mmfine'):
        model = MODELS.build(cfg.model)
    model.cfg = cfg
    model.dataset_meta = None
    if checkpoint is not None:
        ckpt = load_checkpoint(model, checkpoint, map_location='cpu')
        model.dataset_meta = ckpt.get('meta', {}).get('dataset_meta')
    return model.to(device).eval()

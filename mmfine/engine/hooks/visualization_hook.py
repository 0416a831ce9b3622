"""Draw every ``interval``-th validation / test sample with :class:`FineVisualizer`."""
import os
import os.path as osp
import re
from typing import Optional, Sequence

import numpy as np
from mmengine.hooks import Hook
from mmengine.visualization import Visualizer

from mmfine.registry import HOOKS


def input_to_video(inputs) -> Optional[np.ndarray]:
    """A sample's raw (pre-normalisation) input as (T, H, W, 3) uint8 frames, or None.

    Accepts (C, T, H, W) / (N, C, T, H, W) clips (``NCTHW``), (T, C, H, W) frame stacks
    (``NCHW``) and (H, W, 3) images; features ((C, T), temporal localization) give None.
    """
    x = inputs.detach().cpu().numpy() if hasattr(inputs, 'detach') else np.asarray(inputs)
    while x.ndim > 4 and x.shape[0] >= 1:
        x = x[0]  # first clip / crop
    if x.ndim == 3 and x.shape[-1] == 3:
        x = x[None]
    elif x.ndim == 4 and x.shape[0] == 3 and x.shape[1] != 3:
        x = x.transpose(1, 2, 3, 0)  # C T H W -> T H W C
    elif x.ndim == 4 and x.shape[1] == 3:
        x = x.transpose(0, 2, 3, 1)  # T C H W -> T H W C
    elif not (x.ndim == 4 and x.shape[-1] == 3):
        return None
    return np.ascontiguousarray(x.clip(0, 255).astype(np.uint8))


def sample_name(data_sample, index: int) -> str:
    """A file-name-safe name: video id (+ keyframe), video name or file name, and the index."""
    meta = data_sample.metainfo
    for key in ('video_id', 'video_name', 'filename', 'frame_dir'):
        if key in meta or key in data_sample:
            name = str(meta.get(key, data_sample.get(key)))
            if key in ('filename', 'frame_dir'):  # paths: the file / folder name
                name = osp.basename(name.rstrip('/'))
            break
    else:
        name = 'sample'
    if 'keyframe' in meta:
        name += f'_f{int(meta["keyframe"]):05d}'
    return re.sub(r'[^\w.-]+', '_', f'{name}_{index}')


@HOOKS.register_module()
class FineVisualizationHook(Hook):
    """Visualize every ``interval``-th sample of validation / test (``tools/test.py
    --show-dir DIR --show-interval K`` turns it on).

    As mmaction2's ``VisualizationHook``: samples are counted across batches; with
    ``out_dir`` every drawn image is written to ``out_dir/<sample name>.png`` (validation:
    ``out_dir/epoch_<e>/``), otherwise it goes to the visualizer's backends (local files,
    TensorBoard).

    Args:
        enable (bool): Defaults to False (configs switch it on, or ``--show-dir``).
        interval (int): draw one sample in this many. Defaults to 50.
        show (bool): also display in a window. Defaults to False.
        out_dir (str, optional): directory for the images.
        draw_gt, draw_pred (bool): Defaults to True.
    """

    priority = 'NORMAL'

    def __init__(self, enable: bool = False, interval: int = 50, show: bool = False,
                 out_dir: Optional[str] = None, draw_gt: bool = True,
                 draw_pred: bool = True) -> None:
        if interval < 1:
            raise ValueError(f'interval must be >= 1, got {interval}')
        self.enable = enable
        self.interval = interval
        self.show = show
        self.out_dir = out_dir
        self.draw_gt = draw_gt
        self.draw_pred = draw_pred
        self.written = []

    def _draw(self, batch_idx: int, data_batch: dict, outputs: Sequence, sub_dir: str,
              step: int) -> None:
        if not self.enable:
            return
        visualizer = Visualizer.get_current_instance()
        n = len(outputs)
        start = n * batch_idx
        first = -(-start // self.interval) * self.interval
        inputs = data_batch.get('inputs', [None] * n)
        for index in range(first, start + n, self.interval):
            i = index - start
            sample = outputs[i]
            video = input_to_video(inputs[i]) if inputs[i] is not None else None
            name = sample_name(sample, index)
            out_file = None
            if self.out_dir is not None:
                folder = osp.join(self.out_dir, sub_dir)
                os.makedirs(folder, exist_ok=True)
                out_file = osp.join(folder, name + '.png')
            visualizer.add_datasample(name, video=video, data_sample=sample,
                                      draw_gt=self.draw_gt, draw_pred=self.draw_pred,
                                      show=self.show, out_file=out_file, step=step)
            if out_file is not None:
                self.written.append(out_file)

    def after_val_iter(self, runner, batch_idx: int, data_batch: dict = None,
                       outputs: Sequence = None) -> None:
        self._draw(batch_idx, data_batch, outputs, f'epoch_{runner.epoch}', runner.epoch)

    def after_test_iter(self, runner, batch_idx: int, data_batch: dict = None,
                        outputs: Sequence = None) -> None:
        self._draw(batch_idx, data_batch, outputs, '', 0)

"""Reading a downloaded checkpoint and writing its converted copy (the model converters)."""
import os.path as osp
from typing import Dict, Sequence


def read_checkpoint_state(src: str, wrapper_keys: Sequence[str] = ('state_dict', )) -> Dict:
    """The state dict of a checkpoint file, read with torch's ``weights_only`` loading (no
    code runs from a downloaded file).

    Args:
        src (str): checkpoint file.
        wrapper_keys (Sequence[str]): keys under which the file may hold the state dict, the
            first present wins; a file with none of them is the state dict itself.

    Returns:
        dict: parameter name -> tensor.
    """
    import torch
    ckpt = torch.load(src, map_location='cpu', weights_only=True)
    return next((ckpt[k] for k in wrapper_keys if k in ckpt), ckpt)


def write_converted_checkpoint(state: Dict, src: str, dst: str) -> None:
    """Save a converted state dict as an mmengine checkpoint (``state_dict`` + ``meta.source``
    naming the original file) and say so."""
    import torch
    torch.save(dict(state_dict=state, meta=dict(source=osp.basename(src))), dst)
    print(f'{len(state)} tensors written to {dst}')

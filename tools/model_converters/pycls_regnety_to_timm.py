"""Convert a pycls RegNet-Y ImageNet checkpoint to timm's names (those of mmfine's RegNetY).

    python tools/model_converters/pycls_regnety_to_timm.py RegNetY-200MF_dds_8gpu.pyth \\
        regnety_200mf_pycls.pth

The output loads with ``backbone=dict(type='RegNetY', arch='200mf',
init_cfg=dict(type='Pretrained', checkpoint='regnety_200mf_pycls.pth'))``. timm's own
checkpoints (``regnety_002-e68ca334.pth``, ``regnety_008-dc900dbe.pth``, the configs'
defaults) need no conversion. The input is read with ``torch.load(weights_only=True)``.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('src', help="pycls' RegNetY-*_dds_8gpu.pyth (a dict with 'model_state')")
    p.add_argument('dst', help='output .pth')
    args = p.parse_args(argv)

    from mmfine.models.backbones.regnety import convert_pycls_regnety
    from mmfine.utils import read_checkpoint_state, write_converted_checkpoint
    out = convert_pycls_regnety(read_checkpoint_state(args.src, ('model_state', )))
    write_converted_checkpoint(out, args.src, args.dst)


if __name__ == '__main__':
    main()

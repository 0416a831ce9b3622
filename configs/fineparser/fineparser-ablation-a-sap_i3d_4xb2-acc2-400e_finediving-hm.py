# FineParser ablation A of Table 3 (paper): SAP only (no SVE, no TAP): the masked I3D features
# of the whole clip, one step, the V stream only. Paper: rho 0.9313, R-l2 0.3094 (x100).
_base_ = ['./fineparser_i3d-r34_4xb2-acc2-400e_finediving-hm.py']
model = dict(
    tap_head=None,
    sve=None,
    finereg=dict(step_weights=(1, ), decoder_of_step=(0, ), with_static=False))

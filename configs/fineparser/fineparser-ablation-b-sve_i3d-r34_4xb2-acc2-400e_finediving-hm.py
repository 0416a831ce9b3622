# FineParser ablation B of Table 3 (paper): SVE only (no SAP, no TAP): I3D and ResNet-34
# features of the whole clip, one step. Paper: rho 0.9328, R-l2 0.3097 (x100).
_base_ = ['./fineparser_i3d-r34_4xb2-acc2-400e_finediving-hm.py']
model = dict(
    sap=None,
    tap_head=None,
    finereg=dict(step_weights=(1, ), decoder_of_step=(0, )))
val_evaluator = [dict(type='AQAMetric')]
test_evaluator = val_evaluator

# FineParser ablation C of Table 3 (paper): TAP only (no SAP, no SVE): TSA-like, the I3D
# stream cut into 3 steps. Paper: rho 0.9334, R-l2 0.3122 (x100), AIoU@0.5 / 0.75
# 0.9907 / 0.9039.
_base_ = ['./fineparser_i3d-r34_4xb2-acc2-400e_finediving-hm.py']
model = dict(sap=None, sve=None, finereg=dict(with_static=False))
val_evaluator = [dict(type='AQAMetric')]
test_evaluator = val_evaluator

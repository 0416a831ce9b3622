# FineParser ablation D of Table 3 (paper): SVE + TAP, no SAP. Paper: rho 0.9351, R-l2 0.2881
# (x100), AIoU@0.5 / 0.75 0.9920 / 0.8932. E (all three) is
# fineparser_i3d-r34_4xb2-acc2-400e_finediving-hm.py.
_base_ = ['./fineparser_i3d-r34_4xb2-acc2-400e_finediving-hm.py']
model = dict(sap=None)
val_evaluator = [dict(type='AQAMetric')]
test_evaluator = val_evaluator

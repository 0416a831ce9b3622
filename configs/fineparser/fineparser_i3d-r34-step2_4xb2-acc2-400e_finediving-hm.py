# FineParser with step duration f = 2 (paper Table 4; the release hard-codes 4): every step of
# the I3D stream is resampled to 2 snippets before its projection, 3f tokens per step.
# Paper (f = 2): rho 0.9320, R-l2 0.2994, AIoU@0.5 / 0.75 0.9987 / 0.9359, MAE 0.0532, S 0.8643.
_base_ = ['./fineparser_i3d-r34_4xb2-acc2-400e_finediving-hm.py']
model = dict(step_duration=2)

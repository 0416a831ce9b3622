# FineParser with step duration f = 8 (paper Table 4; the release hard-codes 4): every step of
# the I3D stream is resampled to 8 snippets before its projection, 3f tokens per step.
# Paper (f = 8): rho 0.9337, R-l2 0.2940, AIoU@0.5 / 0.75 0.9973 / 0.9493, MAE 0.0535, S 0.8616.
_base_ = ['./fineparser_i3d-r34_4xb2-acc2-400e_finediving-hm.py']
model = dict(step_duration=8)

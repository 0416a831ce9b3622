# Ablation D of Table 3 (SVE + TAP, no SAP) of the small synthetic config: the same data,
# modules and optimiser without the SAP I3D (no mask gating of the TAP features, no L_SAP), for
# 22 epochs (the schedule its reported run used; the full model's 14 are fewer, so D is not
# handicapped by the comparison).
#   python tools/train.py configs/fineparser/fineparser-ablation-d-sve-tap_i3d-tiny_1xb4-22e_finediving-hm-synthetic.py
#   python tools/test.py configs/fineparser/fineparser-ablation-d-sve-tap_i3d-tiny_1xb4-22e_finediving-hm-synthetic.py \
#       work_dirs/fineparser-ablation-d-sve-tap_i3d-tiny_1xb4-22e_finediving-hm-synthetic/epoch_22.pth
_base_ = ['./fineparser_i3d-tiny_1xb4-14e_finediving-hm-synthetic.py']
model = dict(sap=None)
max_epochs = 22
train_cfg = dict(max_epochs=max_epochs, val_interval=4)
val_evaluator = [dict(type='AQAMetric')]
test_evaluator = val_evaluator

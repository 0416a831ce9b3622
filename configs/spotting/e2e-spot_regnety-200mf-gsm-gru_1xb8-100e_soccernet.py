# E2E-Spot, RegNet-Y 200MF + GSM + BiGRU on SoccerNet-v2 (jhong93/e2e-spot-models
# soccernet_rny002gsm_gru_rgb: batch 8, clip 100, lr 1e-3, 3 warm-up epochs, 100 epochs, validation
# from epoch 81, mixup on).
_base_ = [
    '../_base_/models/e2e_spot_regnety-200mf_gsm_gru.py', '../_base_/datasets/soccernet_spotting.py',
    '../_base_/schedules/e2e_spot_adamw_50e.py', '../_base_/e2e_spot_runtime.py'
]
num_classes = 17
model = dict(head=dict(num_classes=num_classes),
             data_preprocessor=dict(num_classes=num_classes))
max_epochs = 100
train_cfg = dict(max_epochs=max_epochs, val_begin=max_epochs - 19)

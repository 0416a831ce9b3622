# E2E-Spot, RegNet-Y 200MF + GSM + BiGRU on FineDiving (jhong93/e2e-spot-models
# finediving_rny002gsm_gru_rgb: batch 8, clip 100, lr 1e-3, 3 warm-up epochs, 50 epochs, validation
# from epoch 31, mixup on).
_base_ = [
    '../_base_/models/e2e_spot_regnety-200mf_gsm_gru.py', '../_base_/datasets/finediving_spotting.py',
    '../_base_/schedules/e2e_spot_adamw_50e.py', '../_base_/e2e_spot_runtime.py'
]
num_classes = 4
model = dict(head=dict(num_classes=num_classes),
             data_preprocessor=dict(num_classes=num_classes))

# E2E-Spot, RegNet-Y 800MF + GSM + BiGRU on FineDiving (jhong93/e2e-spot-models
# finediving_rny008gsm_gru_rgb: batch 8, clip 100, lr 1e-3, 3 warm-up epochs, 50 epochs, validation
# from epoch 31, mixup on). The 200MF config with the 800MF trunk (BiGRU hidden
# min(768, 768) = 768).
_base_ = ['./e2e-spot_regnety-200mf-gsm-gru_1xb8-50e_finediving.py']
model = dict(backbone=dict(arch='800mf', init_cfg=dict(
    checkpoint='https://github.com/rwightman/pytorch-image-models/releases/download/'
    'v0.1-regnet/regnety_008-dc900dbe.pth')))

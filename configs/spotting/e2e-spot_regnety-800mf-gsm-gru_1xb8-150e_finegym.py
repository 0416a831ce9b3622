# E2E-Spot, RegNet-Y 800MF + GSM + BiGRU on FineGym (jhong93/e2e-spot-models
# finegym_rny008gsm_gru_rgb: batch 8, clip 100, lr 1e-3, 3 warm-up epochs, 150 epochs, validation
# from epoch 131, mixup on).
_base_ = [
    '../_base_/models/e2e_spot_regnety-200mf_gsm_gru.py', '../_base_/datasets/finegym_spotting.py',
    '../_base_/schedules/e2e_spot_adamw_50e.py', '../_base_/default_runtime.py'
]
num_classes = 32
model = dict(
    backbone=dict(arch='800mf', init_cfg=dict(
        checkpoint='https://github.com/rwightman/pytorch-image-models/releases/download/'
        'v0.1-regnet/regnety_008-dc900dbe.pth')),
    head=dict(num_classes=num_classes),
    data_preprocessor=dict(num_classes=num_classes))
max_epochs = 150
train_cfg = dict(max_epochs=max_epochs, val_begin=max_epochs - 19)
# the best validation epoch (mAP over tolerances 1, 2, 4) is kept for testing
default_hooks = dict(
    checkpoint=dict(type='CheckpointHook', interval=1, save_best='spot/mAP', rule='greater',
                    max_keep_ckpts=2))

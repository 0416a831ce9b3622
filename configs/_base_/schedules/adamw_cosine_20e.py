# PoSTAL schedule: AdamW lr 1e-4 (backbone 1e-5), weight decay 1e-4, 2 warm-up epochs then
# cosine decay; gradient clipping at 0.1 as in DETR / TubeR.
max_epochs = 20
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs, val_begin=1, val_interval=5)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(
    optimizer=dict(type='AdamW', lr=1e-4, weight_decay=1e-4),
    paramwise_cfg=dict(custom_keys=dict(backbone=dict(lr_mult=0.1))),
    clip_grad=dict(max_norm=0.1, norm_type=2))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=True, begin=0, end=2,
         convert_to_iter_based=True),
    # no end / T_max: they follow train_cfg.max_epochs when the runner builds the schedulers
    dict(type='CosineAnnealingLR', eta_min=0, by_epoch=True, begin=2,
         convert_to_iter_based=True)
]
# 8 GPUs x 2 clips = the paper's batch 16
auto_scale_lr = dict(enable=False, base_batch_size=16)

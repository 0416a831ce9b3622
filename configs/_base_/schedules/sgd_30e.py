# SGD, 30 epochs, linear warm-up then cosine (mmaction2's CSN fine-tuning recipe).
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=30, val_begin=1, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=2,
         convert_to_iter_based=True),
    # no end / T_max: they follow train_cfg.max_epochs when the runner builds the schedulers
    dict(type='CosineAnnealingLR', eta_min=0, by_epoch=True, begin=2)
]
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.005, momentum=0.9, weight_decay=1e-4),
    clip_grad=dict(max_norm=40, norm_type=2))

# lr above is for 8 processes x 4 clips
auto_scale_lr = dict(enable=False, base_batch_size=32)

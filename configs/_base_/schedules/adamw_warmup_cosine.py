# AdamW (lr 2e-3, weight decay 1e-4, gradient clipping at 10), one warm-up epoch, then cosine
# decay to the end of training: the small synthetic configs' schedule.
# The last scheduler has no `end` and no `T_max`: mmengine's runner sets `end` to
# train_cfg.max_epochs when it builds the schedulers and cosine takes T_max = end - begin, so
# `--cfg-options train_cfg.max_epochs=N` shortens (or lengthens) the whole schedule. mmengine
# always validates after the last epoch, so validation never falls off a shortened run.
max_epochs = 20
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs, val_begin=1, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(optimizer=dict(type='AdamW', lr=2e-3, weight_decay=1e-4),
                     clip_grad=dict(max_norm=10, norm_type=2))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', eta_min=1e-5, by_epoch=True, begin=1)
]

# The FineParser release's optimisation (facts sheet 3.1-3.2): Adam, no weight decay, lr 1e-3
# for every module except the TAP I3D (1e-4), 5 warm-up epochs from 1e-4, then cosine to 1e-4,
# stepped every iteration, 400 epochs; gradient accumulation 2 (release: update_iter 2; its
# off-by-one and the gradient leaking across epochs are not reproduced, and mmengine divides
# the loss by 2, which Adam does not notice). Differences kept on purpose: mmengine's warm-up
# factor is relative, so the TAP I3D warms up from 1e-5 (release: constant 1e-4).
max_epochs = 400
warmup_epochs = 5
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs, val_begin=1, val_interval=10)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(
    optimizer=dict(type='Adam', lr=1e-3, weight_decay=0),
    accumulative_counts=2,
    paramwise_cfg=dict(custom_keys={'tap_backbone': dict(lr_mult=0.1)}))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=warmup_epochs,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', eta_min=1e-4, by_epoch=True, begin=0,
         convert_to_iter_based=True)
]

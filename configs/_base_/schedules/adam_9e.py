# BMN's schedule (mmaction2 bmn_2xb8-400x100-9e_activitynet-feature): Adam, lr 1e-3 for
# 2 processes x 8 videos, x0.1 at epoch 7.
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=9, val_begin=1, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(optimizer=dict(type='Adam', lr=0.001, weight_decay=0.0001))
param_scheduler = [
    dict(type='MultiStepLR', begin=0, by_epoch=True, milestones=[7], gamma=0.1)
]
auto_scale_lr = dict(enable=False, base_batch_size=16)

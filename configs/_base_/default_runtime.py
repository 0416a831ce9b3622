# Runtime shared by every mmfine config: mmfine scope (mmaction/mmengine types resolve through
# the registry parents), epoch-based logging, checkpoints every epoch.
default_scope = 'mmfine'

default_hooks = dict(
    runtime_info=dict(type='RuntimeInfoHook'),
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=20, ignore_last=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', interval=1, save_best='auto', max_keep_ckpts=3),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    sync_buffers=dict(type='SyncBuffersHook'),
    visualization=dict(type='FineVisualizationHook', enable=False))

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'))

log_processor = dict(type='LogProcessor', window_size=20, by_epoch=True)

# tools/test.py --show-dir DIR [--show-interval K] switches the visualization hook on; for
# TensorBoard (pip install tensorboard) use vis_backends=[dict(type='TensorboardVisBackend')]
vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(type='FineVisualizer', vis_backends=vis_backends)

log_level = 'INFO'
load_from = None
resume = False
randomness = dict(seed=0, deterministic=False)

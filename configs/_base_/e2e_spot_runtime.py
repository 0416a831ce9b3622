# The runtime of every E2E-Spot config: the shared one, keeping the best validation epoch (mAP
# over tolerances 1, 2, 4, as the release's model selection) for testing.
_base_ = ['./default_runtime.py']
default_hooks = dict(
    checkpoint=dict(type='CheckpointHook', interval=1, save_best='spot/mAP', rule='greater',
                    max_keep_ckpts=2))

# FineParser on FineDiving-HM with the paper / release settings (CVPR 2024, Table 1):
# 4 GPUs x 2 pairs, gradient accumulation 2 (16 pairs per update), Adam, 400 epochs.
#   tools/dist_train.sh configs/fineparser/fineparser_i3d-r34_4xb2-acc2-400e_finediving-hm.py 4
#   tools/test.py configs/fineparser/fineparser_i3d-r34_4xb2-acc2-400e_finediving-hm.py CKPT
# Checkpoint selection on a held-out tenth of the training split (the release selects on the
# test split); the test split is evaluated once, by tools/test.py.
_base_ = [
    '../_base_/models/fineparser_i3d_r34.py', '../_base_/datasets/finediving_hm.py',
    '../_base_/schedules/fineparser_adam_400e.py', '../_base_/default_runtime.py'
]
default_hooks = dict(
    checkpoint=dict(type='CheckpointHook', interval=10, save_best='aqa/rho', rule='greater',
                    max_keep_ckpts=2),
    logger=dict(interval=50))
randomness = dict(seed=10086, diff_rank_seed=True)  # the release: 10086 + rank
auto_scale_lr = dict(enable=False, base_batch_size=16)

# FineParser on MTL-AQA (paper Table 2: rho 0.9585, R-l2 0.2411 x100). The release ships no
# MTL-AQA code; the model and optimisation are the FineDiving-HM ones, the data CoRe's
# protocol (configs/_base_/datasets/mtl_aqa.py): same-difficulty exemplars, 103-frame windows.
#   tools/dist_train.sh configs/fineparser/fineparser_i3d-r34_4xb2-acc2-400e_mtl-aqa.py 4
# Do not pretrain on FineDiving and test here: 268 FineDiving training clips are MTL-AQA test
# clips (shared/data/finediving_aqa/PROVENANCE.md).
_base_ = [
    '../_base_/models/fineparser_i3d_r34.py', '../_base_/datasets/mtl_aqa.py',
    '../_base_/schedules/fineparser_adam_400e.py', '../_base_/default_runtime.py'
]
default_hooks = dict(
    checkpoint=dict(type='CheckpointHook', interval=10, save_best='aqa/rho', rule='greater',
                    max_keep_ckpts=2),
    logger=dict(interval=50))
randomness = dict(seed=10086, diff_rank_seed=True)
auto_scale_lr = dict(enable=False, base_batch_size=16)

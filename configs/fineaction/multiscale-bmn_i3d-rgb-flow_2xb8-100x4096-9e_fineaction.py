# The FineAction paper's baseline (Table V): multi-scale transformer neck + BMN, L = 100,
# D = 50, 512-d, five units. See configs/fineaction/README.md for preparing the features.
_base_ = [
    '../_base_/models/multiscale_bmn.py', '../_base_/datasets/fineaction_features.py',
    '../_base_/schedules/adam_9e.py', '../_base_/default_runtime.py'
]

# PoSTAL on FineSports, paper settings: ir-CSN-152 (Kinetics), BERT-base text encoder with
# learnable context, L = 8 encoder / decoder layers, N = 6 tube queries, 52 classes, AdamW
# 1e-4 (backbone 1e-5), batch 16 = 8 GPUs x 2 clips:
#   tools/dist_train.sh configs/postal/postal_csn152_finesports.py 8
_base_ = [
    '../_base_/models/postal_csn152.py', '../_base_/datasets/finesports_stal.py',
    '../_base_/schedules/adamw_cosine_20e.py', '../_base_/default_runtime.py'
]

# the PTA's sub-action type loss: the dataset labels each clip with its folder's type
train_dataloader = dict(dataset=dict(type_names=_base_.type_names))

# FineSports has no validation split and the test split must not pick checkpoints: no
# validation during training; tools/test.py scores the last checkpoint on the test split once
# (the release validates on the test split: not copied).
val_dataloader = None
val_cfg = None
val_evaluator = None
default_hooks = dict(checkpoint=dict(save_best=None))

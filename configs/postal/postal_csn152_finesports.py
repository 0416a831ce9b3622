# PoSTAL on FineSports, paper settings: ir-CSN-152 (Kinetics), BERT-base text encoder with
# learnable context, L = 8 encoder / decoder layers, N = 6 tube queries, 52 classes, AdamW
# 1e-4 (backbone 1e-5), batch 16 = 8 GPUs x 2 clips:
#   tools/dist_train.sh configs/postal/postal_csn152_finesports.py 8
_base_ = [
    '../_base_/models/postal_csn152.py', '../_base_/datasets/finesports_stal.py',
    '../_base_/schedules/adamw_cosine_20e.py', '../_base_/default_runtime.py'
]

# ir-CSN-152 (IG65M pre-trained) fine-grained action recognition on FineSports (52 sub-actions).
# Expects the official release under data/finesports (FineSports-GT.pkl,
# prompts_with_color.json, rgb-images/). See configs/recognition/README.md.
_base_ = [
    '../_base_/models/csn_r152_recognizer.py', '../_base_/datasets/finesports_recognition.py',
    '../_base_/schedules/sgd_30e.py', '../_base_/default_runtime.py'
]

# FineSports has no validation split and the test split must not pick checkpoints: no
# validation during training; tools/test.py scores the last checkpoint on the test split once
# (the release validates on the test split: not copied).
val_dataloader = None
val_cfg = None
val_evaluator = None
default_hooks = dict(checkpoint=dict(save_best=None))

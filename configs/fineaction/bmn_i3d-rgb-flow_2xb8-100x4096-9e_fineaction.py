# Plain BMN on FineAction features (the paper's BMN row): no neck, one level, D = 50.
_base_ = [
    '../_base_/models/multiscale_bmn.py', '../_base_/datasets/fineaction_features.py',
    '../_base_/schedules/adam_9e.py', '../_base_/default_runtime.py'
]
model = dict(neck=None, head=dict(in_channels=4096))  # one level: temporal_dims = [pad_to]

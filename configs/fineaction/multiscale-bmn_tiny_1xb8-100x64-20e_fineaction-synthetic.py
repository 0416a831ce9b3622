# Small multi-scale BMN on the synthetic FineAction data (tools/data/fineaction/), trained on
# CPU in about 7 minutes: 64-d features, 128-d neck, small BMN head (D = 25), 10 classes.
_base_ = [
    '../_base_/models/multiscale_bmn.py', '../_base_/datasets/fineaction_features.py',
    '../_base_/schedules/adamw_warmup_cosine.py', '../_base_/default_runtime.py'
]
data_root = 'data/fineaction_synthetic'
model = dict(
    neck=dict(in_channels=64, embed_dims=128, num_heads=4, ffn_ratio=2, dropout=0.1),
    # the synthetic instances last at most 20 % of a video: D = 25 steps covers them and
    # halves the boundary-matching maps (the paper's D = 50 is for real FineAction)
    head=dict(in_channels=128, max_duration=25, num_samples=8, hidden_dim_1d=64,
              hidden_dim_2d=32, hidden_dim_3d=64, num_classes=10))
dataset = dict(ann_file=f'{data_root}/annotations_gt.json',
               class_file=f'{data_root}/classes.txt',
               data_prefix=dict(feature=f'{data_root}/features'))
train_dataloader = dict(dataset=dataset)
val_dataloader = dict(dataset=dataset)
test_dataloader = val_dataloader

# schedule: ../_base_/schedules/adamw_warmup_cosine.py (follows train_cfg.max_epochs);
# validation after the last epoch only (mmengine always validates the last one)
train_cfg = dict(max_epochs=20, val_interval=1000)
default_hooks = dict(logger=dict(interval=10), checkpoint=dict(save_best=None))

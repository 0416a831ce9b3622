# mmaction2's BMN baseline on ActivityNet-1.3 (mmaction2 configs/localization/bmn/
# bmn_2xb8-400x100-9e_activitynet-feature.py): 400-d TSN features of 100 steps in mmaction2's
# csv layout and annotation files, T = D = 100, Soft-NMS 0.5 / 0.9, proposals scaled to the
# featured part of the video (feature_extraction_interval = 16). Proposals only (no classes).
_base_ = ['../_base_/schedules/adam_9e.py', '../_base_/default_runtime.py']

data_root = 'data/ActivityNet/activitynet_feature_cuhk/csv_mean_100'
ann_root = 'data/ActivityNet'
model = dict(
    type='MultiScaleBMN',
    data_preprocessor=dict(type='TemporalFeaturePreprocessor', pad_to=100),
    neck=None,
    head=dict(
        type='BMNHead',
        in_channels=400,
        max_duration=100,  # temporal_dims = [pad_to] (derived by MultiScaleBMN)
        num_samples=32,
        num_samples_per_bin=3,
        boundary_ratio=0.5,
        hidden_dim_1d=256,
        hidden_dim_2d=128,
        hidden_dim_3d=512),
    post_processor=dict(
        type='BMNPostProcessor',
        soft_nms_alpha=0.4,
        soft_nms_low_threshold=0.5,
        soft_nms_high_threshold=0.9,
        top_k=100),
    feature_extraction_interval=16)

pipeline = [
    dict(type='LoadTemporalFeature'),
    dict(type='RescaleTemporalFeature', length=100),
    dict(type='PackTALInputs')
]
dataset = dict(type='FineActionDataset', feature_ext='.csv',
               data_prefix=dict(feature=data_root), pipeline=pipeline)
train_dataloader = dict(
    batch_size=8, num_workers=8, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(dataset, ann_file=f'{ann_root}/anet_anno_train.json'))
val_dataloader = dict(
    batch_size=8, num_workers=8, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(dataset, ann_file=f'{ann_root}/anet_anno_val.json', test_mode=True))
test_dataloader = val_dataloader
val_evaluator = dict(type='TALMetric', max_avg_proposals=100)
test_evaluator = val_evaluator

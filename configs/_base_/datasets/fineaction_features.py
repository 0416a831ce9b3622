# FineAction features: official json + one (T, C) .npy per video, rescaled to 100 steps.
data_root = 'data/fineaction'
ann_file = f'{data_root}/annotations_gt.json'
feature_prefix = f'{data_root}/features'

train_pipeline = [
    dict(type='LoadTemporalFeature'),
    dict(type='RescaleTemporalFeature', length=100),
    dict(type='PackTALInputs')
]
test_pipeline = train_pipeline

train_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type='FineActionDataset',
        ann_file=ann_file,
        data_prefix=dict(feature=feature_prefix),
        subset='training',
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='FineActionDataset',
        ann_file=ann_file,
        data_prefix=dict(feature=feature_prefix),
        subset='validation',
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader

# AR@100 is also reported for instances shorter / longer than 5 % of their video (Fig. 9)
val_evaluator = dict(
    type='TALMetric', max_avg_proposals=100, fineaction_iou=True, short_ratio=0.05)
test_evaluator = val_evaluator

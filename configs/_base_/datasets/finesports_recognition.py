# FineSports fine-grained action recognition: classify what the prompted target does, from a
# clip of 8 frames (stride 2) cropped around the target's tube (actor-centric recognition).
dataset_type = 'FineSportsDataset'
data_root = 'data/finesports'
ann_file = f'{data_root}/FineSports-GT.pkl'
prompt_file = f'{data_root}/prompts_with_color.json'
media = 'frames'  # the release ships rgb-images/<video id>/{:05d}.jpg
data_prefix = dict(img=f'{data_root}/rgb-images')

train_pipeline = [
    dict(type='SampleTubeClip', clip_len=8, frame_interval=2),
    dict(type='LoadFineSportsFrames'),
    dict(type='CropAroundTube', scale=1.5),
    dict(type='TubeResize', scale=(256, 256), keep_ratio=False),
    dict(type='TubeRandomCrop', crop_size=224),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackFineSportsInputs')
]
test_pipeline = [
    dict(type='SampleTubeClip', clip_len=8, frame_interval=2),
    dict(type='LoadFineSportsFrames'),
    dict(type='CropAroundTube', scale=1.5),
    dict(type='TubeResize', scale=(256, 256), keep_ratio=False),
    dict(type='TubeCenterCrop', crop_size=224),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackFineSportsInputs')
]

train_dataloader = dict(
    batch_size=4,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        ann_file=ann_file,
        prompt_file=prompt_file,
        media=media,
        data_prefix=data_prefix,
        split='train',
        sample_mode='tube',
        keyframes_per_tube=4,
        pipeline=train_pipeline))
# Model selection never looks at the test split: validation reads split 'val' (the
# `val_videos` of the synthetic data). The FineSports release has no validation split, so the
# paper configs switch validation off and test the last checkpoint.
test_dataloader = dict(
    batch_size=4,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        ann_file=ann_file,
        prompt_file=prompt_file,
        media=media,
        data_prefix=data_prefix,
        split='test',
        sample_mode='tube',
        keyframes_per_tube=1,
        pipeline=test_pipeline,
        test_mode=True))
val_dataloader = dict(test_dataloader, dataset=dict(test_dataloader['dataset'], split='val'))

val_evaluator = dict(
    type='AccMetric',
    metric_list=('top_k_accuracy', 'mean_class_accuracy'),
    metric_options=dict(top_k_accuracy=dict(topk=(1, 5))))
test_evaluator = val_evaluator

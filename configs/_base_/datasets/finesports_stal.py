# FineSports spatio-temporal action localization: 8-frame clips with the keyframe in the middle
# (the release), every frame of the test videos (frame-mAP), tubes linked per video (video-mAP).
dataset_type = 'FineSportsDataset'
data_root = 'data/finesports'
ann_file = f'{data_root}/FineSports-GT.pkl'
prompt_file = f'{data_root}/prompts_with_color.json'
media = 'frames'  # the release ships rgb-images/<video id>/{:05d}.jpg
data_prefix = dict(img=f'{data_root}/rgb-images')
clip_len = 8

train_pipeline = [
    dict(type='SampleTubeClip', clip_len=clip_len, frame_interval=1,
         keep_uncovering_tubes=False),
    dict(type='LoadFineSportsFrames'),
    dict(type='TubeResize', scale=(400, 224), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackFineSportsInputs')
]
test_pipeline = [
    dict(type='SampleTubeClip', clip_len=clip_len, frame_interval=1),
    dict(type='LoadFineSportsFrames'),
    dict(type='TubeResize', scale=(400, 224), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackFineSportsInputs', with_video_tubes=True)
]
train_dataloader = dict(
    batch_size=2,
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
        sample_mode='frame',
        frame_stride=1,
        pipeline=train_pipeline))
# Model selection never looks at the test split: validation reads split 'val' (the
# `val_videos` of the synthetic data). The FineSports release has no validation split, so the
# paper configs switch validation off and test the last checkpoint.
test_dataloader = dict(
    batch_size=2,
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
        sample_mode='frame',
        frame_stride=1,
        pipeline=test_pipeline,
        test_mode=True))
val_dataloader = dict(test_dataloader, dataset=dict(test_dataloader['dataset'], split='val'))

# MultiSports / FineSports protocol; tubes from the frame detections with mmaction2's
# MultiSports linking values (the tube score is the mean of its detections)
val_evaluator = dict(
    type='FrameVideoMAPMetric',
    frame_iou_thr=0.5,
    video_iou_thrs=(0.2, 0.5),
    linker=dict(type='TubeLinker', link_iou=0.5, nms_iou=0.6, top_k=10, min_len=15,
                min_score=0.005))
test_evaluator = val_evaluator

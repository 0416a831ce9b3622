# FineDiving in E2E-Spot's layout (jhong93/spot data/finediving: class.txt, train / val /
# test.json; frames <frames>/<video>/%06d.jpg at 455 x 256, copied by copy_frames_finediving.py).
# Clips of 100 frames, 5000 random clips an epoch (E2E-Spot's EPOCH_NUM_FRAMES // clip_len),
# random 224 crop + flip + colour jitter / blur per clip in training, centre 224 crop at test.
# Validation: the val split, windows without overlap (as the release's per-epoch validation);
# test: half-overlapping windows, mAP at tolerances 0, 1, 2, 4 frames, without and with
# E2E-Spot's NMS (window 1).
data_root = 'data/finediving'
clip_len = 100
crop = 224
class_file = f'{data_root}/class.txt'
frames = dict(img=f'{data_root}/frames')
train_pipeline = [
    dict(type='LoadSpottingClip'),
    dict(type='ClipCrop', size=crop, random=True),
    dict(type='ClipFlip', flip_ratio=0.5),
    dict(type='ClipPhotometric'),
    dict(type='PackSpottingInputs')
]
test_pipeline = [
    dict(type='LoadSpottingClip'),
    dict(type='ClipCrop', size=crop, random=False),
    dict(type='PackSpottingInputs')
]
train_dataloader = dict(
    batch_size=8, num_workers=4, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type='SpottingDataset', ann_file=f'{data_root}/train.json',
                 class_file=class_file, data_prefix=frames, clip_len=clip_len, pad_len=5,
                 clips_per_epoch=500000 // clip_len, dilate_len=0, pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=4, num_workers=4, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='SpottingDataset', ann_file=f'{data_root}/val.json',
                 class_file=class_file, data_prefix=frames, clip_len=clip_len,
                 window_stride=clip_len, pipeline=test_pipeline, test_mode=True))
test_dataloader = dict(
    batch_size=4, num_workers=4, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='SpottingDataset', ann_file=f'{data_root}/test.json',
                 class_file=class_file, data_prefix=frames, clip_len=clip_len,
                 window_stride=clip_len // 2, pipeline=test_pipeline, test_mode=True))
val_evaluator = dict(type='SpottingMetric', tolerances=(1, 2, 4))
test_evaluator = [
    dict(type='SpottingMetric', tolerances=(0, 1, 2, 4)),
    dict(type='SpottingMetric', tolerances=(0, 1, 2, 4), nms_window=1, prefix='spot_nms')
]

# A small CSN recognizer on the synthetic FineSports data (tools/data/finesports/), trained from
# scratch on CPU in a few minutes. Same batches on 1 or N processes: `global_train_batch_size`
# is split over the processes (tools/train.py) and GroupNorm has no batch statistics.
# The horizontal flip swaps DriveLeft (0) and DriveRight (1), which mirror each other.
_base_ = [
    '../_base_/models/csn_r152_recognizer.py', '../_base_/datasets/finesports_recognition.py',
    '../_base_/schedules/adamw_warmup_cosine.py', '../_base_/default_runtime.py'
]

data_root = 'data/finesports_synthetic'
num_classes = 8

model = dict(
    backbone=dict(
        depth=50,
        base_channels=8,
        stage_blocks=(1, 1, 1, 1),
        norm_cfg=dict(type='GN', num_groups=4, requires_grad=True),
        norm_eval=False,
        bn_frozen=False,
        init_cfg=None),
    cls_head=dict(num_classes=num_classes, in_channels=256, dropout_ratio=0.0))

train_pipeline = [
    dict(type='SampleTubeClip', clip_len=8, frame_interval=2),
    dict(type='LoadFineSportsFrames'),
    dict(type='CropAroundTube', scale=1.5, scale_jitter=0.15, shift_jitter=0.1),
    dict(type='TubeResize', scale=(64, 64), keep_ratio=False),
    dict(type='TubeFlip', flip_ratio=0.5, flip_label_map={0: 1, 1: 0}),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackFineSportsInputs')
]
test_pipeline = [
    dict(type='SampleTubeClip', clip_len=8, frame_interval=2),
    dict(type='LoadFineSportsFrames'),
    dict(type='CropAroundTube', scale=1.5),
    dict(type='TubeResize', scale=(64, 64), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackFineSportsInputs')
]
dataset = dict(
    type='FineSportsDataset',
    ann_file=f'{data_root}/FineSports-GT.pkl',
    prompt_file=f'{data_root}/prompts_with_color.json',
    media='video',
    data_prefix=dict(video=f'{data_root}/videos'),
    sample_mode='tube')

global_train_batch_size = 16
train_dataloader = dict(
    batch_size=16,
    num_workers=2,
    persistent_workers=True,
    dataset=dict(dataset, split='train', keyframes_per_tube=4, pipeline=train_pipeline,
                 _delete_=True))
# checkpoints are picked on the validation clips (val_videos); the test clips are scored once,
# by tools/test.py
val_dataloader = dict(
    batch_size=16,
    num_workers=2,
    persistent_workers=True,
    dataset=dict(dataset, split='val', keyframes_per_tube=1, test_mode=True,
                 pipeline=test_pipeline, _delete_=True))
test_dataloader = dict(val_dataloader, dataset=dict(val_dataloader['dataset'], split='test'))

val_evaluator = dict(
    type='AccMetric',
    metric_list=('top_k_accuracy', 'mean_class_accuracy'),
    metric_options=dict(top_k_accuracy=dict(topk=(1, 5))))
test_evaluator = val_evaluator

# schedule: ../_base_/schedules/adamw_warmup_cosine.py (follows train_cfg.max_epochs)
train_cfg = dict(max_epochs=15, val_interval=5)
default_hooks = dict(logger=dict(interval=10), checkpoint=dict(interval=5, max_keep_ckpts=2))

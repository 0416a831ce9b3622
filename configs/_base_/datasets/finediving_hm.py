# FineDiving-HM (FineDiving + FineParser's human-centric masks), the release's protocol:
# 96 frames by linspace (training: end frame shifted by randint(-3, 0)), the release's
# preprocessing (torch_videovision Resize((200, 112)) = 112 wide x 200 tall, then a 112 crop:
# random in training, centre at test; flip p = 0.5 in training; masks moved with the frames),
# training pairs with an exemplar of the same dive number, 10 voters at test from the training
# split, chosen once (seeded). Validation on a held-out tenth of the training split (never on
# test); tools/test.py evaluates the test split once.
# The intended preprocessing (200 wide x 112 tall before the crop):
# `--cfg-options "train_dataloader.dataset.pipeline.3.scale=(200,112)" ...` or `intended_scale`.
data_root = 'data/FineDiving'
ann_root = f'{data_root}/Annotations'
release_scale = (112, 200)  # (width, height): the release's axis swap, kept for parity
intended_scale = (200, 112)
scale = release_scale
holdout = dict(ratio=0.1, seed=0)
train_pipeline = [
    dict(type='SampleAQAFrames', num_frames=96, end_jitter=(-3, 0)),
    dict(type='LoadAQAFrames'),
    dict(type='ClipFlip', flip_ratio=0.5),
    dict(type='ClipResize', scale=scale),
    dict(type='ClipCrop', size=112, random=True),
    dict(type='PackAQAInputs')
]
test_pipeline = [
    dict(type='SampleAQAFrames', num_frames=96, test_mode=True),
    dict(type='LoadAQAFrames'),
    dict(type='ClipResize', scale=scale),
    dict(type='ClipCrop', size=112, random=False),
    dict(type='PackAQAInputs')
]
dataset = dict(
    type='FineDivingDataset',
    ann_file=f'{ann_root}/fine-grained_annotation_aqa.pkl',
    coarse_file=f'{ann_root}/FineDiving_coarse_annotation.pkl',
    exemplar_split_file=f'{ann_root}/train_split.pkl',
    data_prefix=dict(img=f'{data_root}/FINADiving_MTL_256s',
                     mask=f'{data_root}/diving_mask_annotation'),
    media='frames',
    exemplar_rule='dive_number',
    num_voters=10,
    voter_seed=0)
train_dataloader = dict(
    batch_size=2,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(dataset, split_file=f'{ann_root}/train_split.pkl',
                 holdout=dict(holdout, part='train'), pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(dataset, split_file=f'{ann_root}/train_split.pkl',
                 holdout=dict(holdout, part='val'), pipeline=test_pipeline, test_mode=True))
test_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(dataset, split_file=f'{ann_root}/test_split.pkl', pipeline=test_pipeline,
                 test_mode=True))
val_evaluator = [dict(type='AQAMetric'), dict(type='MaskMetric', gt_key='gt_masks')]
test_evaluator = val_evaluator

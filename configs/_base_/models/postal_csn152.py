# PoSTAL (FineSports, CVPR 2024): ir-CSN-152 (Kinetics-pretrained through init_cfg), PTA with a
# frozen BERT-base text encoder and learnable prompt context, ATD with L = 8 encoder / decoder
# layers and N = 6 tube queries of T = 8 frames; losses 1 CE(type) + 1 CE(contains target) +
# 1 CE(tube class) + 5 L1 + 2 GIoU; Hungarian matching with costs 1 / 5 / 2.
num_classes = 52
num_frames = 8
embed_dims = 256
num_layers = 8
# the release's 24 sub-action types (the type of a clip is its video folder, e.g.
# BallDelivered/00002_1 -> 'Ball Delivered'); the training dataset gets the same list
# (FineSportsDataset(type_names=...)) and labels every sample with its type
type_names = [
    'Dribble Move', 'Drives Left', 'Drives Right', 'Drives Straight', 'Drive Baseline',
    'Drive Middle', 'Post Up', 'Basket', 'To Basket', 'Free Throw', 'Jumper', 'Early Jumper',
    'To Jumper', 'Takes Early Jump Shot', 'Dribble Jumper', 'No Dribble Jumper',
    'Offensive Rebound', 'High P&R', 'Left P&R', 'Right P&R', 'Hand Off', 'Ball Delivered',
    "To Shooter's Left", "To Shooter's Right"
]
attn = dict(embed_dims=embed_dims, num_heads=8, attn_drop=0.1, batch_first=True)
ffn = dict(embed_dims=embed_dims, feedforward_channels=2048, ffn_drop=0.1)
model = dict(
    type='PoSTAL',
    backbone=dict(
        type='CSN',
        depth=152,
        bottleneck_mode='ir',
        with_pool2=False,
        norm_eval=True,
        bn_frozen=True,
        zero_init_residual=False,
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://download.openmmlab.com/mmaction/v1.0/recognition/csn/'
            'ircsn_ig65m-pretrained-r152-bnfrozen_8xb12-32x2x1-58e_kinetics400-rgb/'
            'ircsn_ig65m-pretrained-r152-bnfrozen_8xb12-32x2x1-58e_kinetics400-rgb_20220811-'
            '7d1dacde.pth',
            prefix='backbone.')),
    neck=dict(
        type='PTA',
        text_encoder=dict(
            type='TextEncoder',
            model='bert-base-uncased',  # BLIP's text encoder is a BERT-base; a local dir works
            context='a player wearing a jersey number',
            slot_positions=(4, 6),
            learnable_context=True),
        in_channels=2048,
        embed_dims=2048,
        out_channels=2048,
        num_heads=8,
        type_names=type_names,
        type_tokens=5,
        descriptive_words=True,
        prompt_source='given'),
    head=dict(
        type='ATDHead',
        num_classes=num_classes,
        in_channels=2048,
        num_queries=6,
        num_frames=num_frames,
        embed_dims=embed_dims,
        encoder=dict(num_layers=num_layers, layer_cfg=dict(self_attn_cfg=attn, ffn_cfg=ffn)),
        decoder=dict(
            num_layers=num_layers,
            layer_cfg=dict(self_attn_cfg=attn, cross_attn_cfg=attn, ffn_cfg=ffn),
            return_intermediate=True),
        class_branch=dict(num_heads=8, feedforward_channels=2048, dropout=0.5),
        loss_cls=dict(
            type='mmdet.CrossEntropyLoss', use_sigmoid=False, bg_cls_weight=0.1,
            loss_weight=1.0),
        loss_bbox=dict(type='mmdet.L1Loss', loss_weight=5.0),
        loss_iou=dict(type='mmdet.GIoULoss', loss_weight=2.0),
        train_cfg=dict(
            assigner=dict(
                type='mmdet.HungarianAssigner',
                match_costs=[
                    dict(type='mmdet.ClassificationCost', weight=1.),
                    dict(type='TubeL1Cost', weight=5., _scope_='mmfine'),
                    dict(type='TubeGIoUCost', weight=2., _scope_='mmfine')
                ])),
        test_cfg=dict(score_thr=1e-3, per_class=True)),
    data_preprocessor=dict(
        type='ActionDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        format_shape='NCTHW'))

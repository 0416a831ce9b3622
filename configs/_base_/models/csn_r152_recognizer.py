# ir-CSN-152 recognizer (mmaction2's Recognizer3D + I3DHead) with IG65M-pretrained weights loaded
# through init_cfg (mmfine's CSN honours init_cfg; mmaction's ResNet3dCSN ignores it).
model = dict(
    type='Recognizer3D',
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
            checkpoint='https://download.openmmlab.com/mmaction/recognition/csn/'
            'ircsn_from_scratch_r152_ig65m_20200807-771c4135.pth',
            prefix='backbone.')),
    cls_head=dict(
        type='I3DHead',
        num_classes=52,
        in_channels=2048,
        spatial_type='avg',
        dropout_ratio=0.5,
        init_std=0.01,
        average_clips='prob'),
    data_preprocessor=dict(
        type='ActionDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        format_shape='NCTHW'))

# FineParser (CVPR 2024) as released (PKU-ICST-MIPL/FineParser_CVPR2024, facts sheet
# ../shared/refs/fineparser_facts.md): TAP backbone B = Inception-I3D (Kinetics model_rgb.pth of
# hassony2/kinetics_i3d_pytorch, BN eps 1e-5, static TF-SAME padding, BN frozen as the
# release's fix_bn), SAP = a second I3D with four side outputs, TAP head = PSNet with the
# release's fixed argmax windows, SVE = ResNet-34 (ImageNet, torchvision weights through
# init_cfg, no torchvision needed), FineReg = 4 cross-attention decoders (steps 1-2 share one
# per stream), lambda = (3, 5, 2) / 10, the release's score formula (mean of the streams).
i3d_checkpoint = 'https://github.com/hassony2/kinetics_i3d_pytorch/raw/master/model/model_rgb.pth'
resnet34_checkpoint = 'https://download.pytorch.org/models/resnet34-b627a593.pth'
model = dict(
    type='FineParser',
    data_preprocessor=dict(
        type='ActionDataPreprocessor', mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375], format_shape='NCTHW'),
    tap_backbone=dict(
        type='InceptionI3d', out_endpoints=('avg_pool', ), bn_eps=1e-5, padding='static',
        avg_pool_kernel=(2, 4, 4), norm_eval=True,
        init_cfg=dict(type='Pretrained', checkpoint=i3d_checkpoint)),
    sap=dict(
        type='SAPInceptionI3d', side_channels=16, bn_eps=1e-5, padding='static',
        avg_pool_kernel=(2, 4, 4),
        init_cfg=dict(type='Pretrained', checkpoint=i3d_checkpoint)),
    tap_head=dict(
        type='PSNetHead', num_snippets=9, in_features=1024, num_frames=96,
        decoder=dict(type='TransitionDecoder', method='fixed_windows')),
    sve=dict(
        type='mmdet.ResNet', depth=34, num_stages=4, out_indices=(3, ), norm_eval=False,
        init_cfg=dict(type='Pretrained', checkpoint=resnet34_checkpoint)),
    finereg=dict(
        type='FineRegHead', embed_dims=64, num_heads=8, num_layers=3, step_weights=(3, 5, 2),
        decoder_of_step=(0, 0, 1), with_static=True, score_formula='release'),
    loss_sap=dict(type='BinaryFocalLoss', gamma=2.0, alpha=None),
    snippet_len=16,
    snippet_stride=10,
    step_duration=4,
    sve_step_frames=(36, 60, 48),
    sve_overlap=5,
    release_step_offset=True,
    train_transitions='gt')

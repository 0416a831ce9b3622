# The small video backbone of the synthetic FineSports configs (CPU): a ResNet3d-18 with 16
# base channels and 3 stages (2D convolutions in stage 1, 3D in stages 2-3, BN), output stride
# 16, 64 channels. One definition, shared by the pretraining config (player attributes) and the
# PoSTAL configs that load its checkpoint, so the weights always fit. Use it as
# `backbone=dict(_delete_=True, **_base_.tiny_backbone)` (or `backbone=_base_.tiny_backbone`
# in a model without a base backbone).
tiny_backbone = dict(
    type='ResNet3dInitCfg',  # mmaction's ResNet3d, weights from init_cfg
    depth=18,
    base_channels=16,
    num_stages=3,
    out_indices=(2, ),
    spatial_strides=(1, 2, 2),
    temporal_strides=(1, 1, 2),
    dilations=(1, 1, 1),
    inflate=(0, 1, 1),
    conv1_kernel=(1, 7, 7),
    conv1_stride_t=1,
    pool1_stride_t=1,
    with_pool2=False,
    norm_cfg=dict(type='BN3d', requires_grad=True),
    norm_eval=False,
    zero_init_residual=False)
tiny_backbone_channels = 64

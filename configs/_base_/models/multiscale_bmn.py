# FineAction baseline (Liu et al., TIP 2022, Sec. IV-C): I3D RGB + flow features (4096-d)
# rescaled to L = 100, two convs (4096 -> 512 -> 512), five pre-LN transformer units with 2x
# strided-conv down-sampling (T, T/2, ..., T/16), BMN TEM + PEM on every level (max duration
# D = 50), scales fused at inference, Soft-NMS (BMN's rule). Proposal classes from the
# built-in classification branch (num_classes > 0) or from a video classifier's scores
# (dataset `video_cls_file`, the paper's protocol, with num_classes = 0).
temporal_dim = 100
model = dict(
    type='MultiScaleBMN',
    data_preprocessor=dict(type='TemporalFeaturePreprocessor', pad_to=temporal_dim),
    neck=dict(
        type='MultiScaleTransformerNeck',
        in_channels=4096,
        embed_dims=512,
        num_levels=5,
        num_heads=8,
        ffn_ratio=4,
        dropout=0.1),
    head=dict(
        type='BMNHead',
        in_channels=512,
        # temporal_dims derived by MultiScaleBMN: pad_to at level 0, the neck's halving below
        # (100, 50, 25, 13, 7)
        max_duration=50,
        num_samples=32,
        num_samples_per_bin=3,
        boundary_ratio=0.5,
        hidden_dim_1d=256,
        hidden_dim_2d=128,
        hidden_dim_3d=512,
        num_classes=106,
        loss=dict(type='BMNLoss')),
    post_processor=dict(
        type='BMNPostProcessor',
        soft_nms_alpha=0.4,
        soft_nms_low_threshold=0.65,
        soft_nms_high_threshold=0.9,
        top_k=100))

# E2E-Spot (Hong et al., ECCV 2022; jhong93/spot `train_e2e.py`, models/*/config.json):
# RegNet-Y 200MF (timm `regnety_002`, ImageNet weights) with GSM around the first 1x1 conv of
# every block, a 1-layer BiGRU (hidden min(368, 768) = 368), dropout 0.5, FC to K + 1; CE with
# foreground weight 5; mixup (Beta(0.2, 0.2)) on, as the release (which cannot turn it off).
model = dict(
    type='Spotter',
    backbone=dict(
        type='RegNetY', arch='200mf', temporal_shift='gsm', clip_len=100,
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://github.com/rwightman/pytorch-image-models/releases/download/'
            'v0.1-regnet/regnety_002-e68ca334.pth')),
    head=dict(type='SpottingHead', num_classes=4, num_layers=1, dropout=0.5,
              fg_weight=5.0),
    data_preprocessor=dict(type='SpottingDataPreprocessor', mixup_alpha=0.2, num_classes=4))

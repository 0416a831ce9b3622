# FineParser with a ResNet-50 SVE (paper Table 5: rho 0.9362, R-l2 0.2859 x100). Its 2048-d
# frame features are reduced to 512 by a linear layer before the step projections (FineParser
# builds it when the SVE is wider than 8 x embed_dims; the paper does not say how it did it).
_base_ = ['./fineparser_i3d-r34_4xb2-acc2-400e_finediving-hm.py']
model = dict(sve=dict(
    depth=50, init_cfg=dict(type='Pretrained',
                            checkpoint='https://download.pytorch.org/models/resnet50-0676ba61.pth')))

# FineParser with a ResNet-18 SVE (paper Table 5: rho 0.9363, R-l2 0.2829 x100).
_base_ = ['./fineparser_i3d-r34_4xb2-acc2-400e_finediving-hm.py']
model = dict(sve=dict(
    depth=18, init_cfg=dict(type='Pretrained',
                            checkpoint='https://download.pytorch.org/models/resnet18-f37072fd.pth')))

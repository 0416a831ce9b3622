# TubeR-style baseline on the synthetic data: the small PoSTAL's pretrained backbone and ATD
# without the PTA (no prompt, no type / contains-target classifiers, no target map); tube
# scores are the class probabilities. Same fine-tuning budget as the full model.
_base_ = ['./postal_tiny_1xb8-4x2-2e_finesports-synthetic.py']
model = dict(
    neck=None,
    head=dict(type='ATDHead', in_channels=_base_.tiny_backbone_channels))

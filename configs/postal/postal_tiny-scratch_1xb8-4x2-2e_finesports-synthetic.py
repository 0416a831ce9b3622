# The small PoSTAL on the synthetic data trained from scratch: the same fine-tuning as
# postal_tiny_1xb8-4x2-2e_finesports-synthetic.py (same schedule, budget, learning rates)
# without the pretrained backbone, to show what the pretraining buys.
_base_ = ['./postal_tiny_1xb8-4x2-2e_finesports-synthetic.py']
model = dict(backbone=dict(init_cfg=None))

# Ablation on the synthetic data: the small PoSTAL without descriptive words (fine-tuned from
# the same pretrained backbone with the same budget as the full model).
_base_ = ['./postal_tiny_1xb8-4x2-2e_finesports-synthetic.py']
model = dict(neck=dict(descriptive_words=False))

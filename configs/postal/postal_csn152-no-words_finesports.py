# Ablation (paper Table): PoSTAL without descriptive words (no colour / number in the prompt).
_base_ = ['./postal_csn152_finesports.py']
model = dict(neck=dict(descriptive_words=False))

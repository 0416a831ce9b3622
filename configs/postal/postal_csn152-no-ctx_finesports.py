# Ablation (paper Table): PoSTAL without learnable prompt embeddings (the context words stay
# the frozen word embeddings of "a player wearing a jersey number").
_base_ = ['./postal_csn152_finesports.py']
model = dict(neck=dict(text_encoder=dict(learnable_context=False)))

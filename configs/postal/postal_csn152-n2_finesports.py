# Ablation (paper Table): N = 2 tube queries.
_base_ = ['./postal_csn152_finesports.py']
model = dict(head=dict(num_queries=2))

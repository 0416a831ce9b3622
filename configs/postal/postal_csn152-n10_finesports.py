# Ablation (paper Table): N = 10 tube queries.
_base_ = ['./postal_csn152_finesports.py']
model = dict(head=dict(num_queries=10))

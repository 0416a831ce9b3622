# The release's variant of PoSTAL: 6 encoder + 6 decoder layers (the paper writes L = 8).
_base_ = ['./postal_csn152_finesports.py']
model = dict(head=dict(encoder=dict(num_layers=6), decoder=dict(num_layers=6)))

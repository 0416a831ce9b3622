# Plain BMN on the context variant of the synthetic data (generate_synthetic_fineaction.py
# --context): the baseline of multiscale-bmn_tiny_1xb8-100x64-20e_fineaction-synthetic-context.py,
# with the model change of bmn_tiny_1xb8-100x64-20e_fineaction-synthetic.py.
_base_ = ['./multiscale-bmn_tiny_1xb8-100x64-20e_fineaction-synthetic-context.py']
model = dict(neck=None, head=dict(in_channels=64))  # one level: temporal_dims = [pad_to]

# Plain BMN (no neck, one level) on the synthetic FineAction data, same head and schedule as
# multiscale-bmn_tiny_1xb8-100x64-20e_fineaction-synthetic.py: the baseline of the comparison.
_base_ = ['./multiscale-bmn_tiny_1xb8-100x64-20e_fineaction-synthetic.py']
model = dict(neck=None, head=dict(in_channels=64))  # one level: temporal_dims = [pad_to]

# TubeR-style baseline: the same CSN-152 + ATD detector without the PTA (no prompt, no type /
# contains-target classifiers); tube scores are the class probabilities.
_base_ = ['./postal_csn152_finesports.py']
model = dict(neck=None)

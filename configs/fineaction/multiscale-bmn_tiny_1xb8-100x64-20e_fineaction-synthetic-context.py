# The same model and schedule on the context variant of the synthetic data
# (generate_synthetic_fineaction.py --context): short instances are weak and announced by a
# cue 6-12 steps earlier, so long-range context helps to find them.
_base_ = ['./multiscale-bmn_tiny_1xb8-100x64-20e_fineaction-synthetic.py']
data_root = 'data/fineaction_synthetic_context'
dataset = dict(ann_file=f'{data_root}/annotations_gt.json',
               class_file=f'{data_root}/classes.txt',
               data_prefix=dict(feature=f'{data_root}/features'))
train_dataloader = dict(dataset=dataset)
val_dataloader = dict(dataset=dataset)
test_dataloader = val_dataloader

# A small E2E-Spot on the synthetic FineDiving spotting data (CPU). The data (the real
# FineDiving labels: frame counts, event frames and classes; a drawn diver whose look changes
# at each labelled frame):
#   python tools/data/spotting/generate_synthetic_spotting.py data/spotting_synthetic
# then
#   python tools/train.py configs/spotting/e2e-spot_regnety-tiny-gsm-gru_1xb4-9e_finediving-synthetic.py
#   python tools/test.py configs/spotting/e2e-spot_regnety-tiny-gsm-gru_1xb4-9e_finediving-synthetic.py \
#       work_dirs/e2e-spot_regnety-tiny-gsm-gru_1xb4-9e_finediving-synthetic/best_spot_mAP_epoch_*.pth
# The method is the release's (RegNet-Y with GSM in every block, BiGRU, CE with foreground
# weight 5, mixup, 100-frame clips with 5 frames of padding, clip-consistent crop / flip /
# colour jitter / blur, model selection on the val split's mAP over tolerances 1, 2, 4,
# half-overlapping test windows); smaller for the CPU: a 4-stage RegNet-Y of widths
# 16-32-64-128 (no pretrained weights) on 64 x 64 frames cropped to 56, 400 clips an epoch,
# 9 epochs (lr 2e-3, one warm-up epoch), validation at epochs 5, 7 and 9.
_base_ = [
    '../_base_/models/e2e_spot_regnety-200mf_gsm_gru.py',
    '../_base_/datasets/finediving_spotting.py',
    '../_base_/schedules/e2e_spot_adamw_50e.py', '../_base_/e2e_spot_runtime.py'
]
data_root = 'data/spotting_synthetic'
clip_len = 100
crop = 56
num_classes = 4
model = dict(
    backbone=dict(arch=dict(_delete_=True, widths=[16, 32, 64, 128], depths=[1, 1, 2, 2],
                            group_widths=[8, 8, 8, 8]), stem_channels=16, init_cfg=None),
    head=dict(num_classes=num_classes),
    data_preprocessor=dict(num_classes=num_classes))
class_file = f'{data_root}/class.txt'
frames = dict(img=f'{data_root}/frames')
train_pipeline = [
    dict(type='LoadSpottingClip'),
    dict(type='ClipCrop', size=crop, random=True),
    dict(type='ClipFlip', flip_ratio=0.5),
    dict(type='ClipPhotometric'),
    dict(type='PackSpottingInputs')
]
test_pipeline = [
    dict(type='LoadSpottingClip'),
    dict(type='ClipCrop', size=crop, random=False),
    dict(type='PackSpottingInputs')
]
train_dataloader = dict(
    batch_size=4, num_workers=0, persistent_workers=False,
    dataset=dict(ann_file=f'{data_root}/train.json', class_file=class_file,
                 data_prefix=frames, clips_per_epoch=400, pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=4, num_workers=0, persistent_workers=False,
    dataset=dict(ann_file=f'{data_root}/val.json', class_file=class_file,
                 data_prefix=frames, pipeline=test_pipeline))
test_dataloader = dict(
    batch_size=4, num_workers=0, persistent_workers=False,
    dataset=dict(ann_file=f'{data_root}/test.json', class_file=class_file,
                 data_prefix=frames, pipeline=test_pipeline))
max_epochs = 9
train_cfg = dict(max_epochs=max_epochs, val_begin=5, val_interval=2)
optim_wrapper = dict(optimizer=dict(lr=2e-3))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', eta_min=0, by_epoch=True, begin=1,
         convert_to_iter_based=True)
]
default_hooks = dict(logger=dict(interval=25))

# SoccerNet-v2 action spotting in E2E-Spot's layout: 17 classes (class.txt in alphabetical
# order, as parse_soccernet.py writes it), one video per half ("league/season/game/half"),
# frames at 25 / 12 = 2.083 fps, 398 x 224 (tools/data/soccernet/parse_soccernet.py and
# tools/data/spotting/extract_frames.py). No crop (E2E-Spot's soccer configs: crop_dim null).
# Test: half-overlapping windows, E2E-Spot mAP in frames with NMS window 2 (about 1 s), and the
# SoccerNet average-mAP (tight: 1-5 s; loose: 5-60 s) of the official devkit.
_base_ = ['./finediving_spotting.py']
data_root = 'data/soccernet'
clip_len = 100
class_file = f'{data_root}/class.txt'
frames = dict(img=f'{data_root}/frames')
train_pipeline = [
    dict(type='LoadSpottingClip'),
    dict(type='ClipFlip', flip_ratio=0.5),
    dict(type='ClipPhotometric'),
    dict(type='PackSpottingInputs')
]
test_pipeline = [dict(type='LoadSpottingClip'), dict(type='PackSpottingInputs')]
train_dataloader = dict(dataset=dict(ann_file=f'{data_root}/train.json', class_file=class_file,
                                     data_prefix=frames, soccernet=True,
                                     pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(ann_file=f'{data_root}/val.json', class_file=class_file,
                                   data_prefix=frames, soccernet=True, pipeline=test_pipeline))
test_dataloader = dict(dataset=dict(ann_file=f'{data_root}/test.json', class_file=class_file,
                                    data_prefix=frames, soccernet=True, pipeline=test_pipeline))
test_evaluator = [
    dict(type='SpottingMetric', tolerances=(0, 1, 2, 4), nms_window=2, soccernet='tight',
         prefix='spot_tight'),
    dict(type='SpottingMetric', tolerances=(0, 1, 2, 4), nms_window=2, soccernet='loose',
         prefix='spot_loose')
]

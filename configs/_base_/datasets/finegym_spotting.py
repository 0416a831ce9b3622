# FineGym in E2E-Spot's layout (jhong93/spot data/finegym: 32 classes, train / val / test.json;
# frames of each performance with its random padding, extracted at height 224 by
# frames_as_jpg_finegym.py, or tools/data/spotting/extract_frames.py). Same sampling,
# augmentation and evaluation as FineDiving (224 crops, tolerances 0-4 frames, NMS window 1).
_base_ = ['./finediving_spotting.py']
data_root = 'data/finegym'
class_file = f'{data_root}/class.txt'
frames = dict(img=f'{data_root}/frames')
train_dataloader = dict(dataset=dict(ann_file=f'{data_root}/train.json', class_file=class_file,
                                     data_prefix=frames))
val_dataloader = dict(dataset=dict(ann_file=f'{data_root}/val.json', class_file=class_file,
                                   data_prefix=frames))
test_dataloader = dict(dataset=dict(ann_file=f'{data_root}/test.json', class_file=class_file,
                                    data_prefix=frames))

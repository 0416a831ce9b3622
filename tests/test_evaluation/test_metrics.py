"""mmengine metric wrappers: 2-rank shards equal 1 rank, prefixes, re-scoring a dump."""
import pickle

import numpy as np
import pytest
import torch

from mmfine.evaluation.functional import (anet_proposal_ar_an, frame_map, mask_metrics,
                                          spotting_map, video_map)
from mmfine.registry import METRICS
from mmfine.testing.eval_data import stal_inputs, tal_inputs


def _stal_samples():
    d = stal_inputs(num_videos=30, num_classes=4, seed=5)
    det = d['detections']
    samples = []
    for t in d['gt_tubes']:
        v = t['video']
        m = det['video'] == v
        samples.append(dict(
            video_id=v, gt_video_tubes=[dict(label=t['label'], boxes=torch.tensor(t['boxes']))],
            pred_frame_dets=dict(frame=torch.tensor(det['frame'][m]),
                                 label=torch.tensor(det['label'][m]),
                                 score=torch.tensor(det['score'][m]),
                                 box=torch.tensor(det['box'][m])),
            pred_tubes=[dict(label=x['label'], score=x['score'], boxes=x['boxes'])
                        for x in d['det_tubes'] if x['video'] == v]))
    expected = dict(frame=frame_map(d['gt_tubes'], det, d['labels'])['mAP'],
                    video=video_map(d['gt_tubes'], d['det_tubes'], d['labels'], (0.2, 0.5)))
    return samples, d['labels'], expected


def _tal_samples():
    d = tal_inputs(num_videos=40, num_classes=5, seed=2)
    samples = []
    for v in dict.fromkeys(g['video'] for g in d['gt']):
        gts = [g for g in d['gt'] if g['video'] == v]
        ps = [p for p in d['preds'] if p['video'] == v]
        samples.append(dict(
            video_name=v, duration=gts[0]['duration'],
            gt_segments=np.array([[g['t_start'], g['t_end']] for g in gts]),
            gt_labels=np.array([g['label'] for g in gts]),
            pred_segments=torch.tensor([[p['t_start'], p['t_end']] for p in ps]),
            pred_scores=torch.tensor([p['score'] for p in ps]),
            pred_labels=torch.tensor([p['label'] for p in ps])))
    return samples, d


def _spot_samples():
    rng = np.random.default_rng(0)
    samples = []
    for v in range(12):
        gl, gf = rng.integers(3, size=6), np.sort(rng.integers(0, 300, 6))
        pl, pf = rng.integers(3, size=20), rng.integers(0, 300, 20)
        samples.append(dict(video_id=f'v{v}', game=f'g{v // 2}', half=v % 2 + 1, fps=2.0,
                            gt_events=dict(labels=gl, frames=gf,
                                           visibility=rng.integers(0, 2, 6)),
                            pred_events=dict(labels=pl, frames=pf, scores=rng.random(20))))
    return samples


def _aqa_samples():
    rng = np.random.default_rng(1)
    return [dict(pred_score=torch.tensor([float(s + rng.normal(0, 5))]), gt_score=float(s),
                 gt_transitions=np.array([20, 40]), dive_number=['107b', '407c', '5253b'][i % 3],
                 pred_transitions=np.array([[20 + rng.integers(-8, 8), 40], [22, 41]]))
            for i, s in enumerate(rng.uniform(20, 100, 30))]


def _mask_samples():
    rng = np.random.default_rng(2)
    out = []
    for _ in range(6):
        gt = np.zeros((3, 16, 16), np.uint8)
        gt[:, 4:10, 5:12] = 255
        out.append(dict(pred_mask=torch.rand(3, 16, 16), gt_mask=torch.from_numpy(gt)))
    return out


CASES = {
    'FrameVideoMAPMetric': (lambda: _stal_samples()[0], dict(classes=_stal_samples()[1])),
    'TALMetric': (lambda: _tal_samples()[0], dict(fineaction_iou=True)),
    'SpottingMetric': (_spot_samples, dict(classes=['x', 'y', 'z'], soccernet='tight',
                                           nms_window=4)),
    'AQAMetric': (_aqa_samples, {}),
    'MaskMetric': (_mask_samples, {}),
}


def _run(metric_type, options, shards):
    """Each shard processed by its own metric (a rank), results merged as mmengine's
    ``collect_results`` does (interleaved by rank), then computed once."""
    parts = []
    for shard in shards:
        m = METRICS.build(dict(type=metric_type, **options))
        for i in range(0, len(shard), 4):  # batches of 4
            m.process(None, shard[i:i + 4])
        parts.append(m.results)
    merged = [r for group in zip(*parts) for r in group]
    merged += [r for p in parts for r in p[len(parts[-1]):]]  # unequal shard sizes
    return METRICS.build(dict(type=metric_type, **options)).compute_metrics(merged)


@pytest.mark.parametrize('metric_type', list(CASES))
def test_two_ranks_equal_one_rank(metric_type):
    make, options = CASES[metric_type]
    samples = make()
    one = _run(metric_type, options, [samples])
    two = _run(metric_type, options, [samples[0::2], samples[1::2]])
    assert one.keys() == two.keys() and len(one) >= 2
    for k in one:
        assert one[k] == pytest.approx(two[k], abs=1e-12, nan_ok=True), k
    assert METRICS.get(metric_type).default_prefix


def test_stal_metric_values_equal_functional():
    samples, labels, expected = _stal_samples()
    out = _run('FrameVideoMAPMetric', dict(classes=labels), [samples])
    assert out['frame_mAP@0.50'] == pytest.approx(expected['frame'])
    assert out['video_mAP@0.20'] == pytest.approx(expected['video']['mAP@0.20'])
    assert out['video_mAP@0.50'] == pytest.approx(expected['video']['mAP@0.50'])


def test_stal_metric_with_a_linker_and_no_detection_at_all():
    """An untrained model that detects nothing: mAP 0, not an IndexError in the linker."""
    samples, labels, _ = _stal_samples()
    for s in samples:
        s.pop('pred_tubes')
        s['pred_frame_dets'] = {k: v[:0] for k, v in s['pred_frame_dets'].items()}
    out = _run('FrameVideoMAPMetric', dict(classes=labels, linker=dict(type='TubeLinker', min_len=1)),
               [samples])
    assert out['frame_mAP@0.50'] == 0 and out['video_mAP@0.50'] == 0


def test_tal_metric_values_equal_functional():
    samples, d = _tal_samples()
    out = _run('TALMetric', dict(fineaction_iou=True), [samples])
    ref = anet_proposal_ar_an(d['gt'], d['preds'])
    new = anet_proposal_ar_an(d['gt'], d['preds'], iou='fineaction')
    assert out['AR@100'] == pytest.approx(ref['AR@100'])
    assert out['AUC'] == pytest.approx(ref['AUC'])
    assert out['AUC_new'] == pytest.approx(new['AUC']) and out['AUC_new'] < out['AUC']
    assert 0 < out['mAP'] < 1


def test_tal_metric_short_and_long_recall():
    """short_ratio splits the ground truth by length / duration: here the proposals find the
    long instance (30 % of its video) exactly and miss the short one (2 %)."""
    samples = [dict(video_name='a', duration=100.0, gt_segments=np.array([[10., 40.], [60., 62.]]),
                    gt_labels=np.array([0, 0]), pred_segments=np.array([[10., 40.], [80., 90.]]),
                    pred_scores=np.array([0.9, 0.8]))]
    out = _run('TALMetric', dict(short_ratio=0.05, detection=False), [samples])
    assert out['AR@100_long'] == 1.0 and out['AR@100_short'] == 0.0
    assert out['AR@100'] == pytest.approx(0.5)


def test_spotting_and_mask_metric_values():
    samples = _spot_samples()
    out = _run('SpottingMetric', dict(classes=['x', 'y', 'z']), [samples])
    truth = [dict(video=s['video_id'], events=[dict(label='xyz'[c], frame=int(f)) for c, f in
                                                zip(s['gt_events']['labels'],
                                                    s['gt_events']['frames'])])
             for s in samples]
    preds = [dict(video=s['video_id'], events=[
        dict(label='xyz'[c], frame=int(f), score=float(p)) for c, f, p in zip(
            s['pred_events']['labels'], s['pred_events']['frames'], s['pred_events']['scores'])])
        for s in samples]
    assert out['mAP@2'] == pytest.approx(spotting_map(truth, preds)['mAP@2'])
    masks = _mask_samples()
    out = _run('MaskMetric', {}, [masks])
    flat_p = [np.round(p.numpy() * 255).astype(np.uint8)[t] for s in masks
              for p in [s['pred_mask']] for t in range(3)]
    flat_g = [s['gt_mask'].numpy()[t] for s in masks for t in range(3)]
    ref = mask_metrics(flat_p, flat_g)
    for k in ref:
        assert out[k] == pytest.approx(ref[k])


def test_aqa_metric_rho_within_and_clips_without_steps():
    m = METRICS.build(dict(type='AQAMetric'))
    samples = _aqa_samples()
    samples[0]['has_steps'] = False  # an MTL-AQA clip without step labels: no AIoU entry
    m.process(None, samples)
    assert sum('gt_tr' in r for r in m.results) == len(samples) - 1
    out = m.compute_metrics(m.results)
    from mmfine.evaluation.functional import rho_within_groups
    ref = rho_within_groups([float(s['pred_score']) for s in samples],
                            [s['gt_score'] for s in samples],
                            [s['dive_number'] for s in samples])
    assert out['rho_within'] == pytest.approx(ref['rho_within']) and out['rho_within_groups'] == 3


def test_missing_field_names_the_metric():
    m = METRICS.build(dict(type='AQAMetric'))
    with pytest.raises(KeyError, match="AQAMetric: the data sample has no 'gt_score'"):
        m.process(None, [dict(pred_score=1.0)])


def test_eval_dumped_rescored_with_other_options(tmp_path, tool_module):
    samples, labels, expected = _stal_samples()
    dump = tmp_path / 'results.pkl'
    with open(dump, 'wb') as f:
        pickle.dump(samples, f)
    tool = tool_module('tools/analysis_tools/eval_dumped.py')
    out = tool.main(['-', str(dump), '--metric', 'FrameVideoMAPMetric', '--classes', *labels])
    assert out['stal/frame_mAP@0.50'] == pytest.approx(expected['frame'])
    act = tool.main(['-', str(dump), '--metric', 'FrameVideoMAPMetric', '--classes', *labels,
                     '--metric-options', 'convention=act', 'video_iou_thrs=(0.3,)'])
    assert set(act) == {'stal/frame_mAP@0.50', 'stal/video_mAP@0.30'}
    assert act['stal/frame_mAP@0.50'] != out['stal/frame_mAP@0.50']


def test_eval_dumped_reads_the_class_names_from_the_configs_dataset(tmp_path, tool_module,
                                                                   postal_data):
    """The docs' example without --classes: the names come from the config's test dataset
    (FineSportsDataset reads them from its ground-truth pickle)."""
    samples, _, expected = _stal_samples()
    dump = tmp_path / 'results.pkl'
    with open(dump, 'wb') as f:
        pickle.dump(samples, f)
    import os.path as osp
    repo = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
    cfg = tmp_path / 'cfg.py'
    cfg.write_text(
        f"_base_ = ['{repo}/configs/postal/postal_tiny_1xb8-4x2-2e_finesports-synthetic.py']\n"
        f"test_dataloader = dict(dataset=dict(ann_file='{postal_data}/FineSports-GT.pkl', "
        f"prompt_file='{postal_data}/prompts_with_color.json', "
        f"data_prefix=dict(video='{postal_data}/videos')))\n"
        "test_evaluator = dict(linker=None)\n")
    tool = tool_module('tools/analysis_tools/eval_dumped.py')
    out = tool.main([str(cfg), str(dump)])
    assert out['stal/frame_mAP@0.50'] == pytest.approx(expected['frame'])
    from mmfine.evaluation.offline import dataset_classes
    generator = tool_module('tools/data/finesports/generate_synthetic_finesports.py')
    assert dataset_classes(str(cfg)) == list(generator.ACTIONS)


def test_postal_linker_search_ranks_every_combination(tmp_path, tool_module):
    """Every grid point is scored as the metric with that linker would score it, best first."""
    samples, labels, _ = _stal_samples()
    for s in samples:
        del s['pred_tubes']  # video-mAP from linking the frame detections
    cfg = tmp_path / 'cfg.py'
    cfg.write_text("test_evaluator = dict(type='FrameVideoMAPMetric', "
                   "linker=dict(type='TubeLinker', min_len=3, nms_iou=0.6))\n")
    tool = tool_module('tools/analysis_tools/postal_linker_search.py')
    grid = tool.parse_grid(['link_iou=0.1,0.5', 'max_gap=0,2'])
    assert grid == dict(link_iou=[0.1, 0.5], max_gap=[0, 2])
    rows = tool.search(str(cfg), samples, grid, classes=labels)
    assert len(rows) == 4
    assert {(r['linker']['link_iou'], r['linker']['max_gap']) for r in rows} == {
        (0.1, 0), (0.1, 2), (0.5, 0), (0.5, 2)}
    assert all(r['linker']['min_len'] == 3 for r in rows)  # the config's linker is the base
    best = [r['metrics']['stal/video_mAP@0.50'] for r in rows]
    assert best == sorted(best, reverse=True)
    for r in rows[::3]:
        direct = _run('FrameVideoMAPMetric', dict(classes=labels, linker=r['linker']), [samples])
        assert direct['video_mAP@0.50'] == pytest.approx(r['metrics']['stal/video_mAP@0.50'])
        assert direct['video_mAP@0.20'] == pytest.approx(r['metrics']['stal/video_mAP@0.20'])
    with pytest.raises(ValueError, match='key=v1,v2'):
        tool.parse_grid(['link_iou'])


def test_mask_metric_leaves_out_invalid_frames():
    """A sample's ``gt_mask_valid`` keeps only its valid frames (MTL-AQA frames without a
    FineDiving-HM mask): the same as evaluating those frames alone."""
    masks = _mask_samples()
    with_valid = []
    for s in masks:
        s = dict(s)
        s['gt_mask_valid'] = torch.tensor([True, False, True])
        with_valid.append(s)
    out = _run('MaskMetric', {}, [with_valid])
    kept = [dict(s, pred_mask=s['pred_mask'][[0, 2]], gt_mask=s['gt_mask'][[0, 2]])
            for s in masks]
    ref = _run('MaskMetric', {}, [kept])
    for k in ref:
        assert out[k] == pytest.approx(ref[k])
    full = _run('MaskMetric', {}, [masks])
    assert any(out[k] != pytest.approx(full[k]) for k in full)


def test_mask_metric_keeps_every_frame_through_evaluate():
    """BaseMetric.evaluate(size) keeps len(dataset) results: every frame of every (T, H, W)
    sample must still count (one result per sample, not per frame)."""
    from mmfine.evaluation.functional import mask_metrics
    masks = _mask_samples()
    m = METRICS.build(dict(type='MaskMetric'))
    m.process(None, masks)
    out = m.evaluate(len(masks))
    flat_p = [np.round(s['pred_mask'].numpy() * 255).astype(np.uint8)[t] for s in masks
              for t in range(len(s['gt_mask']))]
    flat_g = [s['gt_mask'].numpy()[t] for s in masks for t in range(len(s['gt_mask']))]
    ref = mask_metrics(flat_p, flat_g)
    for k in ref:
        assert out[f'mask/{k}'] == pytest.approx(ref[k])

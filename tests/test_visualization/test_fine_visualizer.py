"""FineVisualizer primitives and data samples, the visualization hook's helpers, and the
analysis plots (analyze_logs.py, plot_pr.py) on tiny inputs."""
import json
import os.path as osp
import pickle

import cv2
import numpy as np
import pytest
import torch
from mmaction.structures import ActionDataSample
from mmengine.structures import InstanceData

from mmfine.engine.hooks import input_to_video, sample_name
from mmfine.visualization import FineVisualizer


@pytest.fixture(scope='module')
def vis():
    return FineVisualizer.get_instance('test_fine_visualizer', score_thr=0.3)


def test_boxes_are_drawn_where_they_are(vis):
    img = np.zeros((60, 80, 3), np.uint8)
    out = vis.draw_boxes_on(img, [[10, 20, 40, 50]], ['shoot 0.90'], [(255, 0, 0)])
    assert out.shape == img.shape and not np.array_equal(out, img)
    assert (out[20:51, 10, 0] == 255).all() and (out[35, 25] == 0).all()  # edge, not inside
    assert np.array_equal(img, np.zeros_like(img))  # input untouched
    same = vis.draw_boxes_on(img, [[np.nan, 0, 1, 1]])  # non-finite boxes are skipped
    assert np.array_equal(same, img)


def test_mask_overlay_blends_only_the_mask(vis):
    img = np.full((40, 40, 3), 100, np.uint8)
    mask = np.zeros((20, 20), np.uint8)
    mask[:10] = 255  # top half, at a different size than the image
    out = vis.draw_mask_on(img, mask, color=(255, 0, 0), alpha=0.5)
    assert out[5, 20, 0] == 178 and out[5, 20, 1] == 50  # 0.5 * 100 + 0.5 * colour
    assert (out[30:, :] == 100).all()


def test_timelines_are_plots(vis):
    tl = vis.draw_segment_timeline(60.0, [[5, 10], [30, 40]], [0, 1], [[6, 11], [50, 55]],
                                   [0.9, 0.1], [0, 1], classes=['a', 'b'])
    assert tl.ndim == 3 and tl.shape[2] == 3 and tl.std() > 5
    st = vis.draw_score_timeline(np.random.RandomState(0).rand(100, 3), ['x', 'y', 'z'],
                                 events=[dict(frame=20, label='y', score=0.8)], fps=25)
    assert st.std() > 5


def test_score_scatter_and_the_dump_tool(vis, tmp_path, tool_module):
    rng = np.random.RandomState(0)
    gt = rng.uniform(20, 100, 40)
    groups = ['107b'] * 20 + ['407c'] * 15 + ['5253b'] * 5
    img = vis.draw_score_scatter(gt + rng.normal(0, 3, 40), gt, groups, title='t')
    assert img.ndim == 3 and img.std() > 5
    with pytest.raises(ValueError, match='2 predictions for 3'):
        vis.draw_score_scatter([1, 2], [1, 2, 3])
    dump = tmp_path / 'results.pkl'
    samples = [dict(pred_score=torch.tensor(float(g) + 1.0, dtype=torch.float64),
                    gt_score=torch.tensor(float(g)), dive_number=d) for g, d in zip(gt, groups)]
    with open(dump, 'wb') as f:
        pickle.dump(samples, f)
    out = str(tmp_path / 'scores.png')
    res = tool_module('tools/analysis_tools/plot_aqa_scores.py').main([str(dump), '--out', out])
    assert res['rho'] == pytest.approx(1.0) and res['rho_within'] == pytest.approx(1.0)
    assert cv2.imread(out) is not None


def _postal_sample():
    s = ActionDataSample()
    s.set_metainfo(dict(video_id='Shoot/00001', keyframe=3, img_shape=(72, 96),
                        original_shape=(144, 192), resolution=(144, 192),
                        homography_matrix=np.diag([0.5, 0.5, 1.0])))
    s.gt_tubes = InstanceData(boxes=torch.tensor([[[10., 10, 30, 40]] * 4]),
                              labels=torch.tensor([2]), valid=torch.ones(1, 4, dtype=bool))
    # annotation pixels (twice the input size): drawn at (50, 10, 80, 50) / 2 on the input
    s.pred_clip_tubes = InstanceData(boxes=torch.tensor([[[100., 20, 160, 100]] * 4]),
                                     scores=torch.tensor([0.8]), labels=torch.tensor([1]))
    return s


def test_add_datasample_for_every_task(vis, tmp_path):
    vis.dataset_meta = dict(classes=['pass', 'shoot', 'drive'])
    video = np.zeros((4, 72, 96, 3), np.uint8)
    tube = vis.add_datasample('tube', video=video, data_sample=_postal_sample(),
                              out_file=str(tmp_path / 'tube.png'))
    assert tube.shape == (72, 4 * 96, 3)
    assert (tube[5:20, 5:15, 1] == 255).any()  # the green ground-truth box on frame 0
    assert tube[10:50, 50, 0].max() > 200  # the predicted box mapped to input pixels (x=50)
    written = cv2.imread(str(tmp_path / 'tube.png'))[..., ::-1]
    np.testing.assert_array_equal(written, tube)

    rec = ActionDataSample().set_gt_label(1)
    rec.set_pred_score(torch.tensor([0.1, 0.7, 0.2]))
    img = vis.add_datasample('rec', video=video, data_sample=rec,
                             out_file=str(tmp_path / 'rec.png'))
    assert img.shape[1] == 4 * 96 and img[72:].max() > 0  # the caption strip is written

    tal = ActionDataSample()
    tal.set_metainfo(dict(video_name='v1'))
    tal.duration = 30.0
    tal.gt_segments = torch.tensor([[2., 8.]])
    tal.gt_labels = torch.tensor([0])
    tal.pred_segments = torch.tensor([[2.5, 8.5], [20., 25.]])
    tal.pred_scores = torch.tensor([0.9, 0.5])
    out = vis.add_datasample('tal', data_sample=tal, out_file=str(tmp_path / 'tal.png'))
    assert osp.isfile(tmp_path / 'tal.png') and out.std() > 5
    with pytest.raises(ValueError, match='video or image'):
        vis.add_datasample('x', data_sample=rec)


def test_hook_helpers():
    clip = torch.arange(3 * 4 * 5 * 6, dtype=torch.uint8).view(1, 3, 4, 5, 6)  # N C T H W
    v = input_to_video(clip)
    assert v.shape == (4, 5, 6, 3) and v[1, 2, 3, 0] == clip[0, 0, 1, 2, 3]
    assert input_to_video(torch.zeros(8, 3, 5, 6)).shape == (8, 5, 6, 3)  # T C H W frames
    assert input_to_video(torch.zeros(64, 100)) is None  # features: nothing to draw
    s = _postal_sample()
    assert sample_name(s, 7) == 'Shoot_00001_f00003_7'


def test_analyze_logs_plots_several_runs(tmp_path, tool_module):
    tool = tool_module('tools/analysis_tools/analyze_logs.py')
    logs = []
    for run, scale in (('a', 1.0), ('b', 2.0)):
        path = tmp_path / f'{run}.json'
        with open(path, 'w') as f:
            for it in range(1, 21):
                f.write(json.dumps(dict(loss=scale / it, lr=0.1, epoch=1 + it // 10, iter=it,
                                        step=it, time=0.5)) + '\n')
            for ep in (1, 2):
                f.write(json.dumps({'acc/top1': 0.3 * ep, 'step': ep}) + '\n')
        logs.append(str(path))
    out = tool.main(['plot_curve', *logs, '--keys', 'loss', 'acc/top1', '--legend', 'a', 'b',
                     '--out', str(tmp_path / 'curves.png')])
    img = cv2.imread(out)
    assert img is not None and img.std() > 5
    assert tool.cal_train_time(logs[0])['average'] == pytest.approx(0.5)
    with pytest.raises(KeyError, match='no_such_key'):
        tool.main(['plot_curve', logs[0], '--keys', 'no_such_key', '--out',
                   str(tmp_path / 'x.png')])


def test_plot_pr_from_dumps(tmp_path, tool_module):
    metrics_tests = tool_module('tests/test_evaluation/test_metrics.py')  # its sample builders
    _stal_samples, _tal_samples = metrics_tests._stal_samples, metrics_tests._tal_samples
    tool = tool_module('tools/analysis_tools/plot_pr.py')
    samples, labels, _ = _stal_samples()
    dump = tmp_path / 'stal.pkl'
    with open(dump, 'wb') as f:
        pickle.dump(samples, f)
    files = tool.main(['-', str(dump), '--metric', 'FrameVideoMAPMetric', '--classes', *labels,
                       '--out-dir', str(tmp_path / 'stal')])
    names = sorted(osp.basename(f) for f in files)
    assert names == ['pr_stal_frame_mAP@0.50.png', 'pr_stal_video_mAP@0.20.png',
                     'pr_stal_video_mAP@0.50.png']
    assert all(cv2.imread(f).std() > 5 for f in files)
    tal = tmp_path / 'tal.pkl'
    with open(tal, 'wb') as f:
        pickle.dump(_tal_samples()[0], f)
    files = tool.main(['-', str(tal), '--metric', 'TALMetric', '--out-dir', str(tmp_path / 't')])
    assert len(files) == 10 and all(osp.isfile(f) for f in files)

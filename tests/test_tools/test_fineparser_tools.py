"""FineParser through the standard tools: a tiny synthetic FineDiving-HM, train, then test."""
import importlib.util
import json
import os
import os.path as osp
import subprocess
import sys

import pytest

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = 'configs/fineparser/fineparser_i3d-tiny_1xb4-14e_finediving-hm-synthetic.py'


@pytest.fixture(scope='module')
def fd_synth(tmp_path_factory, finediving_aqa_root):
    path = osp.join(REPO, 'tools/data/finediving/generate_synthetic_finediving.py')
    spec = importlib.util.spec_from_file_location('mmfine_tool_gen_finediving', path)
    gen = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = gen
    spec.loader.exec_module(gen)
    root = str(tmp_path_factory.mktemp('fd_tools'))
    gen.generate(root, finediving_aqa_root, num_clips=40, size=32, seed=1, workers=1)
    return root


def _options(root):
    ann = f'{root}/Annotations'
    opts = ['train_cfg.max_epochs=1', 'train_dataloader.batch_size=2',
            'default_hooks.logger.interval=1', 'param_scheduler.0.end=1']
    for split in ('train', 'val', 'test'):
        d = f'{split}_dataloader.dataset'
        opts += [f'{d}.ann_file={ann}/fine-grained_annotation_aqa.pkl',
                 f'{d}.coarse_file={ann}/FineDiving_coarse_annotation.pkl',
                 f'{d}.exemplar_split_file={ann}/train_split.pkl',
                 f'{d}.data_prefix.img={root}/FINADiving_MTL_256s',
                 f'{d}.data_prefix.mask={root}/diving_mask_annotation',
                 f'{d}.split_file={ann}/{"test" if split == "test" else "train"}_split.pkl',
                 f'{d}.num_voters=3']
    return ['--cfg-options', *opts]


def _run(args):
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONPATH=REPO)
    proc = subprocess.run([sys.executable, *args], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=1200)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-6000:]
    return proc.stdout + proc.stderr


def test_train_then_test_prints_every_aqa_metric(fd_synth, tmp_path, tool_module):
    work = str(tmp_path / 'work')
    _run(['tools/train.py', CONFIG, '--work-dir', work, *_options(fd_synth)])
    ckpt = osp.join(work, 'epoch_1.pth')
    assert osp.isfile(ckpt)
    dump = str(tmp_path / 'dump.pkl')
    out = _run(['tools/test.py', CONFIG, ckpt, '--work-dir', work, '--dump', dump,
                *_options(fd_synth)])
    line = next(x for x in out.splitlines() if x.startswith('mmfine test metrics:'))
    metrics = json.loads(line.split(':', 1)[1])
    for key in ('aqa/rho', 'aqa/rl2', 'aqa/AIoU@0.5', 'aqa/AIoU@0.75', 'aqa/rho_within',
                'mask/MAE', 'mask/maxF', 'mask/meanF', 'mask/adpF', 'mask/S'):
        assert key in metrics, (key, sorted(metrics))
    from mmfine.fileio import safe_pickle_load
    samples = safe_pickle_load(dump, allow_tensors=True)
    s = samples[0]
    assert len(s['pred_deltas']) == len(s['voter_scores']) == len(s['exemplar_keys'])
    # the per-step mask breakdown of the dump: every frame in one step, overall MAE as the
    # metric's (which counts every frame of every clip)
    tool = tool_module('tools/analysis_tools/aqa_mask_breakdown.py')
    res = tool.breakdown(samples)
    assert res['all']['frames'] == sum(len(x['gt_masks']) for x in samples)
    assert sum(r['frames'] for k, r in res.items() if k != 'all') == res['all']['frames']
    assert abs(res['all']['mae'] - metrics['mask/MAE']) < 1e-3
    # the decoder sweep, with the config's own decoder, gives tools/test.py's AIoU (voters
    # repeat the query's transitions, so the tool runs the query alone); smoothing is one
    # more setting
    sweep = tool_module('tools/analysis_tools/fineparser_decoder_sweep.py')
    rows = sweep.main([CONFIG, ckpt, '--split', 'test', '--methods', 'ordered', '--sigmas',
                       '2', '0', *_options(fd_synth)])
    (method, sigma, m), (_, _, m0) = rows
    assert (method, sigma) == ('ordered', 2.0)
    for k in ('AIoU@0.5', 'AIoU@0.75'):
        assert abs(m[k] - metrics[f'aqa/{k}']) < 1e-9, (k, m[k], metrics[f'aqa/{k}'])
        assert 0 <= m0[k] <= 1
    assert 0 <= m['t1_within1'] <= 1 and m['t2_mae'] >= 0


def test_demo_scores_a_video_and_writes_mask_and_timeline(fd_synth, tmp_path):
    """The demo on a video made from a test clip (random weights): the score is the mean of
    the voters' predictions, the voters share the dive number, every frame is written."""
    import pickle

    import cv2
    import numpy as np
    ann = pickle.load(open(f'{fd_synth}/Annotations/fine-grained_annotation_aqa.pkl', 'rb'))
    train = pickle.load(open(f'{fd_synth}/Annotations/train_split.pkl', 'rb'))
    count = {}
    for k in train:
        count[ann[k][0]] = count.get(ann[k][0], 0) + 1
    test = pickle.load(open(f'{fd_synth}/Annotations/test_split.pkl', 'rb'))
    key = max(test, key=lambda k: count[ann[k][0]])  # the test clip with the most voters
    n_voters = min(3, count[ann[key][0]])
    frames = sorted(os.listdir(f'{fd_synth}/FINADiving_MTL_256s/{key[0]}/{key[1]}'))
    video = str(tmp_path / 'dive.mp4')
    w = cv2.VideoWriter(video, cv2.VideoWriter_fourcc(*'mp4v'), 25, (32, 32))
    for f in frames:
        w.write(cv2.imread(f'{fd_synth}/FINADiving_MTL_256s/{key[0]}/{key[1]}/{f}'))
    w.release()
    out = str(tmp_path / 'out' / 'demo.mp4')
    opts = _options(fd_synth)[1:]
    log = _run(['demo/fineparser_demo.py', video, CONFIG, 'none', '--dive-number',
                ann[key][0], '--out', out, '--num-voters', '3', '--cfg-options',
                *[o for o in opts if o.startswith('test_dataloader')]])
    assert 'predicted score' in log
    data = json.load(open(osp.splitext(out)[0] + '.json'))
    assert len(data['voters']) == n_voters
    assert abs(data['score'] - np.mean([v['prediction'] for v in data['voters']])) < 1e-6
    assert all(ann[tuple(v['key'])][0] == ann[key][0] for v in data['voters'])
    assert len(data['frame_ids']) == 48 and data['frame_ids'][-1] == len(frames) - 1
    # random weights: the transitions can fall anywhere, frame 0 included, but they are two
    # ordered sampled frames (the ordered decoder)
    t1, t2 = data['transition_frames']
    assert 0 <= t1 < t2 < len(frames)
    assert t1 in data['frame_ids'] and t2 in data['frame_ids']
    cap = cv2.VideoCapture(out)
    n = 0
    while cap.read()[0]:
        n += 1
    assert n == len(frames)

"""Spotting through the tools: synthetic data, train + test, the demo, the converters."""
import json
import os
import os.path as osp
import subprocess
import sys

import cv2
import numpy as np
import pytest

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = 'configs/spotting/e2e-spot_regnety-tiny-gsm-gru_1xb4-9e_finediving-synthetic.py'


def _run(args, timeout=1200):
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONPATH=REPO)
    proc = subprocess.run([sys.executable, *args], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-6000:]
    return proc.stdout + proc.stderr


def _options(root):
    opts = ['train_cfg.max_epochs=1', 'train_cfg.val_begin=1', 'train_cfg.val_interval=1',
            'train_dataloader.dataset.clips_per_epoch=4', 'default_hooks.logger.interval=1',
            'param_scheduler.0.end=1', 'model.backbone.clip_len=40']
    for split in ('train', 'val', 'test'):
        d = f'{split}_dataloader.dataset'
        opts += [f'{d}.ann_file={root}/{split}.json', f'{d}.class_file={root}/class.txt',
                 f'{d}.data_prefix.img={root}/frames', f'{d}.clip_len=40']
    opts += ['val_dataloader.dataset.window_stride=40', 'test_dataloader.dataset.window_stride=20']
    return ['--cfg-options', *opts]


def test_generator_follows_the_real_labels(spotting_synth, shared_data):
    from mmfine.datasets import load_spotting_classes, load_spotting_json
    real_root = osp.join(shared_data, 'finediving')
    classes = load_spotting_classes(osp.join(spotting_synth, 'class.txt'))
    assert classes == load_spotting_classes(osp.join(real_root, 'class.txt'))
    for split in ('train', 'val', 'test'):
        real = {v['video']: v for v in load_spotting_json(osp.join(real_root, f'{split}.json'),
                                                          classes)}
        synth = load_spotting_json(osp.join(spotting_synth, f'{split}.json'), classes)
        assert synth
        for v in synth:
            r = real[v['video']]
            assert v['num_frames'] == r['num_frames']
            assert v['event_frames'].tolist() == r['event_frames'].tolist()
            assert v['event_labels'].tolist() == r['event_labels'].tolist()
            assert v['fps'] == -1 and v['width'] == 64
            n = len(os.listdir(osp.join(spotting_synth, 'frames', v['video'])))
            assert n == v['num_frames']
    # the diver's look changes at the labelled frames: the colour histogram jumps there
    v = synth[0]

    def hist(i):
        img = cv2.imread(osp.join(spotting_synth, 'frames', v['video'], f'{i:06d}.jpg'))
        return cv2.calcHist([img], [0, 1, 2], None, [4, 4, 4], [0, 256] * 3).ravel()

    h = np.stack([hist(i) for i in range(v['num_frames'])])
    change = np.abs(np.diff(h, axis=0)).sum(1)  # [N - 1]: frame i -> i + 1
    for f in v['event_frames'].tolist():
        if f > 0:
            assert change[f - 1] >= np.median(change) + 1


def test_train_then_test_print_map_at_each_tolerance(spotting_synth, tmp_path):
    work = str(tmp_path / 'work')
    _run(['tools/train.py', CONFIG, '--work-dir', work, *_options(spotting_synth)])
    best = [f for f in os.listdir(work) if f.startswith('best_spot_mAP')]
    assert best, os.listdir(work)
    out = _run(['tools/test.py', CONFIG, osp.join(work, best[0]), '--work-dir', work,
                *_options(spotting_synth)])
    line = next(x for x in out.splitlines() if x.startswith('mmfine test metrics:'))
    metrics = json.loads(line.split(':', 1)[1])
    for prefix in ('spot', 'spot_nms'):
        for t in (0, 1, 2, 4):
            assert 0 <= metrics[f'{prefix}/mAP@{t}'] <= 1, sorted(metrics)
        assert f'{prefix}/mAP' in metrics


def _video_of(root, vid, path):
    frames = sorted(os.listdir(osp.join(root, 'frames', vid)))
    w = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'mp4v'), 25, (64, 64))
    for f in frames:
        w.write(cv2.imread(osp.join(root, 'frames', vid, f)))
    w.release()
    return len(frames)


def test_demo_writes_events_json_and_timeline(spotting_synth, tmp_path):
    from mmfine.datasets import load_spotting_json
    vid = load_spotting_json(f'{spotting_synth}/test.json', ['Entry', 'Som(s).Pike',
                                                            'Som(s).Tuck', 'Twist(s)'])[0]
    video = str(tmp_path / 'clip.mp4')
    n = _video_of(spotting_synth, vid['video'], video)
    out = str(tmp_path / 'events.json')
    opts = ['--cfg-options', 'model.backbone.clip_len=40',
            f'test_dataloader.dataset.class_file={spotting_synth}/class.txt']
    log = _run(['demo/spotting_demo.py', video, CONFIG, 'none', '--out', out,
                '--score-thr', '0.0', *opts])
    with open(out) as f:
        data = json.load(f)
    assert data['num_frames'] == n and data['fps'] == pytest.approx(25)
    assert data['events'] and all(0 <= e['frame'] < n for e in data['events'])
    assert {e['label'] for e in data['events']} <= {'Entry', 'Som(s).Pike', 'Som(s).Tuck',
                                                    'Twist(s)'}
    png = cv2.imread(str(tmp_path / 'events.png'))
    assert png is not None and png.shape[0] > 100
    assert 'wrote' in log
    sn = str(tmp_path / 'sn.json')
    _run(['demo/spotting_demo.py', video, CONFIG, 'none', '--out', sn, '--soccernet',
          '--half', '2', *opts])
    with open(sn) as f:
        data = json.load(f)
    assert data['predictions'] and all(p['half'] == '2' and p['gameTime'].startswith('2 - ')
                                       for p in data['predictions'])


def test_demo_reports_an_unreadable_video(tmp_path):
    bad = tmp_path / 'bad.mp4'
    bad.write_bytes(b'not a video')
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONPATH=REPO)
    proc = subprocess.run([sys.executable, 'demo/spotting_demo.py', str(bad), CONFIG, 'none'],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode != 0
    assert 'bad.mp4' in proc.stderr and 'Traceback' not in proc.stderr


def test_e2e_spot_converter_cli_loads_strictly(tmp_path):
    import torch
    from mmengine.config import Config
    from mmengine.registry import DefaultScope

    from mmfine.registry import MODELS
    from mmfine.testing.e2e_spot_names import to_e2e_spot_names
    from mmfine.utils import register_all_modules
    register_all_modules()
    cfg = Config.fromfile(osp.join(REPO, CONFIG))
    with DefaultScope.overwrite_default_scope('mmfine'):
        model = MODELS.build(cfg.model)
    e2e = to_e2e_spot_names(model.state_dict())
    src, dst = str(tmp_path / 'checkpoint_033.pt'), str(tmp_path / 'out.pth')
    torch.save(e2e, src)
    out = _run(['tools/model_converters/e2e_spot_to_mmfine.py', src, dst, '--check', CONFIG])
    assert 'every parameter loaded' in out
    sd = torch.load(dst, weights_only=True)['state_dict']
    assert set(sd) == set(model.state_dict())


def test_extract_frames_at_e2e_spot_rate(tmp_path):
    tool = osp.join(REPO, 'tools/data/spotting/extract_frames.py')
    video = str(tmp_path / 'game' / '1_720p.mp4')
    os.makedirs(osp.dirname(video))
    w = cv2.VideoWriter(video, cv2.VideoWriter_fourcc(*'mp4v'), 25, (64, 36))
    for i in range(50):
        w.write(np.full((36, 64, 3), i * 5, np.uint8))
    w.release()
    out = str(tmp_path / 'frames')
    _run([tool, str(tmp_path), out, '--fps', '2', '--height', '18'])
    folder = osp.join(out, 'game', '1')  # _720p dropped
    names = sorted(f for f in os.listdir(folder) if f.endswith('.jpg'))
    assert len(names) == 5  # stride int(25 / 2) = 12: frames 0, 12, 24, 36, 48
    with open(osp.join(folder, 'fps.txt')) as f:
        assert float(f.read()) == pytest.approx(25 / 12)
    assert cv2.imread(osp.join(folder, names[0])).shape[:2] == (18, 32)


def test_parse_soccernet_labels(tmp_path, tool_module):
    from mmfine.datasets import SpottingDataset, load_spotting_classes
    tool = tool_module('tools/data/soccernet/parse_soccernet.py')
    game = 'england_epl/2014-2015/g1'
    labels = tmp_path / 'labels' / game
    labels.mkdir(parents=True)
    ann = [dict(gameTime='1 - 00:10', label='Goal', position='10000', team='home',
                visibility='visible'),
           dict(gameTime='2 - 00:01', label='Corner', position='1200', team='away',
                visibility='not shown'),
           dict(gameTime='2 - 59:00', label='Corner', position='3540000', team='away',
                visibility='visible')]
    (labels / 'Labels-v2.json').write_text(json.dumps(dict(annotations=ann)))
    for half in (1, 2):
        d = tmp_path / 'frames' / game / str(half)
        d.mkdir(parents=True)
        (d / 'fps.txt').write_text(str(25 / 12))
        for i in range(60):
            cv2.imwrite(str(d / f'{i:06d}.jpg'), np.zeros((4, 4, 3), np.uint8))
    (tmp_path / 'games.txt').write_text(game + '\n')
    out = tmp_path / 'out'
    tool.main([str(tmp_path / 'labels'), str(tmp_path / 'frames'), str(out),
               '--split', f'test:{tmp_path / "games.txt"}'])
    classes = load_spotting_classes(str(out / 'class.txt'))
    assert len(classes) == 17 and classes == sorted(classes)
    data = json.loads((out / 'test.json').read_text())
    assert [d['video'] for d in data] == [f'{game}/1', f'{game}/2']
    assert data[0]['events'] == [dict(frame=int(10 * 25 / 12), label='Goal',
                                      comment='home; visible')]
    assert len(data[1]['events']) == 1  # the event past the last frame is left out
    ds = SpottingDataset(str(out / 'test.json'), str(out / 'class.txt'),
                         data_prefix=dict(img=str(tmp_path / 'frames')), soccernet=True,
                         test_mode=True, clip_len=40)
    info = ds.get_data_info(len(ds) - 1)
    assert info['game'] == game and info['half'] == 2
    assert info['event_visible'].tolist() == [False]


def test_inference_with_one_window_equals_a_single_pass(spotting_synth, tmp_path):
    """A video shorter than the clip is one window: the streamed inference's scores are the
    model's on the whole (padded) video; with shorter clips every frame is still scored."""
    import torch
    from mmengine.config import Config

    from mmfine.apis import inference_spotter, init_model
    from mmfine.fileio import VideoStream
    from mmfine.datasets import load_spotting_json
    vid = load_spotting_json(f'{spotting_synth}/test.json', ['Entry', 'Som(s).Pike',
                                                            'Som(s).Tuck', 'Twist(s)'])[0]
    video = str(tmp_path / 'clip.mp4')
    n = _video_of(spotting_synth, vid['video'], video)
    cfg = Config.fromfile(osp.join(REPO, CONFIG))
    cfg.model.backbone.clip_len = 300
    torch.manual_seed(0)
    model = init_model(cfg)
    res = inference_spotter(model, video, nms_window=None, classes=['a', 'b', 'c', 'd'])
    assert res['scores'].shape == (n, 5) and res['decode_size'] == (56, 56)
    frames = VideoStream(video, size=(56, 56)).get(range(n))  # [n, 56, 56, 3]
    x = torch.zeros(1, 300, 3, 56, 56, dtype=torch.uint8)
    x[0, :n] = torch.from_numpy(frames).permute(0, 3, 1, 2)
    data = model.data_preprocessor(dict(inputs=list(x), data_samples=None), False)
    with torch.no_grad():
        want = model.head.predict(model(data['inputs']))[0, :n].numpy()
    assert np.allclose(res['scores'], want, atol=1e-5)
    cfg.model.backbone.clip_len = 40
    model = init_model(cfg)
    res = inference_spotter(model, video, nms_window=1, classes=['a', 'b', 'c', 'd'])
    assert res['scores'].shape == (n, 5) and np.allclose(res['scores'].sum(1), 1, atol=1e-5)
    assert all(e['score'] >= 0.01 for e in res['events'])


def test_dataset_stats_on_the_real_labels(shared_data, tool_module, tmp_path, capsys):
    tool = tool_module('tools/analysis_tools/spotting_dataset_stats.py')
    root = osp.join(shared_data, 'finediving')
    out = str(tmp_path / 'stats.json')
    assert tool.main([root, '--out', out]) == 0
    with open(out) as f:
        report = json.load(f)
    assert sorted(report) == ['test', 'train', 'val']
    for split, st in report.items():
        with open(osp.join(root, f'{split}.json')) as f:
            raw = json.load(f)
        assert st['videos'] == len(raw)
        assert st['frames'] == sum(v['num_frames'] for v in raw)
        assert st['events'] == sum(len(v['events']) for v in raw)
        assert sum(st['events_per_class'].values()) == st['events']
        assert st['fps'] == [-1.0]  # FineDiving: unknown, never divided by
        assert st['problems'] == []
    assert 'Som(s).Tuck' in capsys.readouterr().out


def test_dataset_stats_finds_missing_and_extra_frames(spotting_synth, tool_module, tmp_path,
                                                      capsys):
    import shutil
    tool = tool_module('tools/analysis_tools/spotting_dataset_stats.py')
    with open(osp.join(spotting_synth, 'test.json')) as f:
        videos = json.load(f)[:3]
    data = tmp_path / 'data'
    data.mkdir()
    shutil.copy(osp.join(spotting_synth, 'class.txt'), data / 'class.txt')
    with open(data / 'test.json', 'w') as f:
        json.dump(videos, f)
    frames = data / 'frames'
    for v in videos[:2]:
        shutil.copytree(osp.join(spotting_synth, 'frames', v['video']), frames / v['video'])
    assert tool.main([str(data), '--frames', str(frames)]) == 1  # third folder missing
    os.makedirs(frames / videos[2]['video'])
    for i in range(videos[2]['num_frames']):
        open(frames / videos[2]['video'] / f'{i:06d}.jpg', 'wb').close()
    capsys.readouterr()
    assert tool.main([str(data), '--frames', str(frames)]) == 0
    assert 'media: all match' in capsys.readouterr().out
    os.remove(frames / videos[0]['video'] / '000007.jpg')
    open(frames / videos[1]['video'] / f"{videos[1]['num_frames']:06d}.jpg", 'wb').close()
    assert tool.main([str(data), '--frames', str(frames)]) == 1
    text = capsys.readouterr().out
    assert f"{videos[0]['video']}: 1 of {videos[0]['num_frames']} frames missing " \
           '(first 000007.jpg)' in text
    assert f"{videos[1]['video']}: frames past num_frames" in text


def test_init_model_applies_cfg_options():
    """The demos' ``--cfg-options`` go through ``init_model`` (as mmdet's init_detector) into a
    copy of the config; the model and its ``cfg`` both carry them."""
    from mmengine.config import Config

    from mmfine.apis import init_model
    cfg = Config.fromfile(osp.join(REPO, CONFIG))
    opts = {'model.head.num_classes': 2, 'model.data_preprocessor.num_classes': 2,
            'model.backbone.clip_len': 20}
    model = init_model(cfg, cfg_options=opts)
    assert model.head.num_classes == 2 and model.cfg.model.backbone.clip_len == 20
    assert model.head.fc.out_features == 3
    assert cfg.model.head.num_classes == 4  # the caller's config is left as it was
    assert init_model(osp.join(REPO, CONFIG)).head.num_classes == 4

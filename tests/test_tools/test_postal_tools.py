"""PoSTAL end to end on a tiny synthetic set: tools/train.py, tools/test.py,
tools/dist_train.sh (2 CPU processes), the demo and the prompt-following analysis."""
import glob
import json
import os
import os.path as osp
import pickle
import re
import subprocess
import sys

import numpy as np
import pytest

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = 'configs/postal/postal_tiny_1xb8-4x2-2e_finesports-synthetic.py'


def _options(root, max_epochs=1):
    opts = [f'train_cfg.max_epochs={max_epochs}',
            'default_hooks.logger.interval=1', 'train_dataloader.batch_size=4',
            'global_train_batch_size=4', 'model.backbone.base_channels=8',
            'model.backbone.init_cfg=None',  # no pretrained synthetic backbone here
            'model.neck.in_channels=32', 'test_evaluator.linker.min_len=3',
            'val_evaluator.linker.min_len=3', 'param_scheduler.0.end=2',
            'train_dataloader.dataset.frame_stride=4']
    for split in ('train', 'val', 'test'):
        d = f'{split}_dataloader'
        opts += [f'{d}.num_workers=0', f'{d}.persistent_workers=False',
                 f'{d}.dataset.ann_file={root}/FineSports-GT.pkl',
                 f'{d}.dataset.prompt_file={root}/prompts_with_color.json',
                 f'{d}.dataset.data_prefix.video={root}/videos']
    return ['--cfg-options', *opts]


def _run(args):
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHON=sys.executable)
    env.pop('LOCAL_RANK', None)
    proc = subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-6000:]
    return proc.stdout + proc.stderr


@pytest.fixture(scope='module')
def trained(postal_data, tmp_path_factory):
    work = str(tmp_path_factory.mktemp('postal_work'))
    out = _run([sys.executable, 'tools/train.py', CONFIG, '--work-dir', work,
                *_options(postal_data)])
    return work, out


def test_train_then_test_prints_frame_and_video_map(postal_data, trained):
    work, out = trained
    losses = [float(v) for v in re.findall(r'\bloss: ([0-9.]+)', out)]
    assert len(losses) >= 4 and all(np.isfinite(losses))
    assert 'loss_type' in out and 'loss_contain' in out and 'd0.loss_bbox' in out
    ckpt = osp.join(work, 'epoch_1.pth')
    vis_dir = osp.join(work, 'vis')
    out = _run([sys.executable, 'tools/test.py', CONFIG, ckpt, '--work-dir', work,
                '--show-dir', vis_dir, '--show-interval', '5', *_options(postal_data)])
    import cv2
    pngs = sorted(glob.glob(osp.join(vis_dir, '*.png')))
    assert len(pngs) == 5, pngs  # 24 test samples (2 clips x 12 frames), one in 5
    imgs = [cv2.imread(p)[..., ::-1] for p in pngs]
    assert all(im.shape[0] == 144 and im.shape[1] == 4 * 192 for im in imgs)  # 4-frame clips
    green = [((im[..., 1] == 255) & (im[..., 0] == 0) & (im[..., 2] == 0)).sum() for im in imgs]
    assert max(green) > 20  # ground-truth tube boxes drawn in green
    # a readable console: no config dump, no mmengine deprecation notices, no loading bar
    assert 'System environment' in out and 'train_dataloader = dict(' not in out
    assert 'Config: not printed' in out
    assert '"FileClient" will be deprecated' not in out and 'HardDiskBackend' not in out
    assert 'Loading weights' not in out
    line = [ln for ln in out.splitlines() if ln.startswith('mmfine test metrics: ')][-1]
    metrics = json.loads(line[len('mmfine test metrics: '):])
    for key in ('stal/frame_mAP@0.50', 'stal/video_mAP@0.20', 'stal/video_mAP@0.50'):
        assert 0.0 <= metrics[key] <= 1.0, key


def test_demo_writes_video_and_tubes_json(postal_data, trained, tmp_path):
    import decord
    work, _ = trained
    with open(osp.join(postal_data, 'FineSports-GT.pkl'), 'rb') as f:
        vid = pickle.load(f)['test_videos'][0][0]
    video = osp.join(postal_data, 'videos', vid + '.mp4')
    out = str(tmp_path / 'demo' / 'out.mp4')
    for prompt in ('a player wearing a white jersey number 35', 'auto'):
        log = _run([sys.executable, 'demo/postal_demo.py', video, prompt, CONFIG,
                    osp.join(work, 'epoch_1.pth'), '--out', out, '--score-thr', '0'])
        assert 'wrote' in log
        reader = decord.VideoReader(out)
        assert len(reader) == 12 and reader[0].shape == (144, 192, 3)
        with open(str(tmp_path / 'demo' / 'out.json')) as f:
            data = json.load(f)
        assert data['num_frames'] == 12 and data['resolution'] == [144, 192]
        assert data['prompt'] == (None if prompt == 'auto' else prompt)
        for t in data['tubes']:
            assert t['class'] in ('DriveLeft', 'DriveRight', 'Shoot', 'Pass', 'Dribble',
                                  'PostUp', 'Crossover', 'Layup')
            assert all(len(r) == 5 for r in t['boxes'])


def test_prompt_following_analysis_runs(postal_data, trained, tool_module, small_postal_cfg):
    work, _ = trained
    tool = tool_module('tools/analysis_tools/postal_prompt_following.py')
    from mmfine.apis import init_postal
    model = init_postal(small_postal_cfg(), osp.join(work, 'epoch_1.pth'))
    res = tool.evaluate(model, postal_data)
    assert res['clips'] == 2 and res['skipped'] == 0
    assert 0 <= res['follow_rate'] <= 1 and len(res['per_clip']) == 2
    for row in res['per_clip']:
        assert row['distractor'] != row['target']
        assert 0 <= row['iou_named'] <= 1
    assert abs(sum(res['landed_on'].values()) - 1) < 1e-6


def test_clip_diagnostics_runs(postal_data, trained, tool_module, small_postal_cfg):
    work, _ = trained
    tool = tool_module('tools/analysis_tools/postal_clip_diagnostics.py')
    cfg = small_postal_cfg(postal_data)
    from mmfine.apis import init_postal
    from mmfine.datasets import build_split_dataset
    model = init_postal(cfg, osp.join(work, 'epoch_1.pth'))
    res = tool.diagnose(model, build_split_dataset(cfg, 'test'), num_clips=6)
    assert res['clips'] == 6 and 0 < res['covered'] <= 6
    for key in ('contain_acc', 'target_map_hit', 'iou_best_tube', 'iou_any_tube', 'class_acc'):
        assert 0 <= res[key] <= 1, key
    assert res['iou_any_tube'] >= res['iou_best_tube']


def test_prompt_following_landing_roles(tool_module):
    tool = tool_module('tools/analysis_tools/postal_prompt_following.py')
    T = 4

    def player(color, number, x):
        track = np.zeros((T, 5))
        track[:, 0] = np.arange(1, T + 1)
        track[:, 1:] = [x, 10, x + 10, 40]
        return dict(color=color, number=number, track=track, action_frames=(1, T))

    players = [player('blue', '11', 0), player('blue', '0', 20), player('black', '11', 40),
               player('red', '5', 60)]
    boxes = np.array([[0, 10, 10, 40],     # the target
                      [21, 10, 31, 40],    # the colour twin (IoU 0.82)
                      [40, 10, 50, 40],    # the number twin
                      [np.nan] * 4])       # no detection
    counts = tool.landed_on(boxes, players)
    assert counts == dict(target=1, colour_twin=1, number_twin=1, other=0, nobody=1)
    boxes[3] = [60, 10, 70, 40]
    assert tool.landed_on(boxes, players)['other'] == 1
    boxes[3] = [65, 10, 75, 40]  # IoU 1/3 with the red player: below 0.5
    assert tool.landed_on(boxes, players)['nobody'] == 1


def test_dist_train_two_cpu_processes_from_a_fresh_shell(postal_data, tmp_path):
    """tools/dist_train.sh CONFIG 2 from a shell with nothing set (no PYTHON, no venv on PATH):
    the script finds the project's venv itself, and torchrun / mmengine print no thread
    banner."""
    work = str(tmp_path / 'dist')
    env = dict(PATH='/usr/local/bin:/usr/bin:/bin', HOME=os.environ.get('HOME', '/root'),
               HF_HUB_OFFLINE='1', TRANSFORMERS_OFFLINE='1')
    if osp.realpath(sys.prefix) != osp.realpath(osp.join(REPO, '.venv')):
        env['MMFINE_VENV'] = sys.prefix  # the suite runs from another venv
    proc = subprocess.run(['bash', 'tools/dist_train.sh', CONFIG, '2', '--work-dir', work,
                           *_options(postal_data)], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=900)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-6000:]
    assert osp.isfile(osp.join(work, 'epoch_1.pth')), out[-2000:]
    assert 'Setting OMP_NUM_THREADS' not in out and 'MKL_NUM_THREADS' not in out


def test_synthetic_benchmark_script_is_valid_and_names_real_configs():
    """tools/data/finesports/run_postal_synthetic.sh parses, and every config it runs exists
    and builds (the full run takes about 45 CPU minutes: configs/postal/README.md)."""
    from mmengine.config import Config
    script = osp.join(REPO, 'tools/data/finesports/run_postal_synthetic.sh')
    subprocess.run(['bash', '-n', script], check=True)
    text = open(script).read()
    configs = sorted(set(re.findall(r'configs/postal/[\w.+-]+\.py', text)))
    assert len(configs) == 5, configs  # pretraining, full model, 3 ablations
    for cfg in configs:
        c = Config.fromfile(osp.join(REPO, cfg))
        assert c.model.backbone.type == 'ResNet3dInitCfg', cfg
    pre_cfg = [c for c in configs if 'player-attributes' in c]
    assert len(pre_cfg) == 1
    pre = Config.fromfile(osp.join(REPO, pre_cfg[0]))
    assert pre.model.type == 'PlayerAttributeRecognizer'
    # the fine-tuning configs load exactly the checkpoint the pretraining stage writes
    assert 'PRE_CKPT=$WORK_DIR/player_attributes/epoch_%d.pth' % pre.train_cfg.max_epochs in text

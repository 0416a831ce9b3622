"""End-to-end runs of tools/train.py, tools/test.py and tools/dist_train.sh on tiny data."""
import glob
import json
import os
import os.path as osp
import pickle
import re
import signal
import subprocess
import sys
import time

import pytest
import torch

import mmfine  # noqa: F401  (allow-lists mmengine checkpoint types for torch.load)

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(REPO, 'configs/recognition/csn_tiny_1xb16-8x2x1-15e_finesports-synthetic.py')


def _options(root, max_epochs=2, ckpt_interval=1):
    opts = [f'train_cfg.max_epochs={max_epochs}', 'train_cfg.val_interval=1',
            f'default_hooks.checkpoint.interval={ckpt_interval}',
            'default_hooks.checkpoint.max_keep_ckpts=-1', 'default_hooks.logger.interval=1',
            'train_dataloader.num_workers=0', 'train_dataloader.persistent_workers=False',
            'val_dataloader.num_workers=0', 'val_dataloader.persistent_workers=False',
            'test_dataloader.num_workers=0', 'test_dataloader.persistent_workers=False']
    for split in ('train', 'val', 'test'):
        d = f'{split}_dataloader.dataset'
        opts += [f'{d}.ann_file={root}/FineSports-GT.pkl',
                 f'{d}.prompt_file={root}/prompts_with_color.json',
                 f'{d}.data_prefix.video={root}/videos']
    return ['--cfg-options', *opts]


def _env():
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHON=sys.executable)
    env.pop('LOCAL_RANK', None)
    return env


def _run(args, port=None):
    """Run a tool in the repository; ``port``: torchrun's master port (``PORT`` of the
    dist_*.sh scripts)."""
    env = _env() if port is None else dict(_env(), PORT=port)
    proc = subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-6000:]
    return proc.stdout + proc.stderr


def _test_metrics(work_dir, ckpt, root, extra=(), procs=1, port=None):
    """Metrics of ``tools/test.py`` (``procs`` > 1: of ``tools/dist_test.sh`` with that many
    processes), which must print them exactly once (rank 0 only when distributed)."""
    cmd = ([sys.executable, 'tools/test.py', CONFIG, ckpt] if procs == 1 else
           ['bash', 'tools/dist_test.sh', CONFIG, ckpt, str(procs)])
    out = _run(cmd + ['--work-dir', work_dir, *extra, *_options(root)], port=port)
    lines = [ln for ln in out.splitlines() if ln.startswith('mmfine test metrics: ')]
    assert len(lines) == 1, out[-3000:]
    return json.loads(lines[0][len('mmfine test metrics: '):])


def test_train_then_test_and_dump(tiny_finesports, tmp_path):
    work_dir = str(tmp_path / 'work')
    out = _run([sys.executable, 'tools/train.py', CONFIG, '--work-dir', work_dir,
                *_options(tiny_finesports)])
    assert 'Epoch(train) [2]' in out
    losses = [float(v) for v in re.findall(r'\bloss: ([0-9.]+)', out)]
    assert len(losses) >= 4 and all(v == v for v in losses)
    assert 'Epoch(val) [2]' in out  # validation still runs after the last epoch
    ckpt = osp.join(work_dir, 'epoch_2.pth')
    assert osp.isfile(ckpt)
    dump = str(tmp_path / 'preds.pkl')
    vis_dir = tmp_path / 'vis'
    metrics = _test_metrics(work_dir, ckpt, tiny_finesports,
                            extra=('--dump', dump, '--show-dir', str(vis_dir),
                                   '--show-interval', '3'))
    assert {'acc/top1', 'acc/top5', 'acc/mean1'} <= set(metrics)
    pngs = sorted(vis_dir.glob('*.png'))
    assert len(pngs) == 3, pngs  # samples 0, 3, 6 of the 8 test clips
    import cv2
    for png in pngs:  # the clip's frames and, below them, the GT / predicted class captions
        img = cv2.imread(str(png))
        assert img is not None and img.std() > 5 and img[-20:].max() > 100
    assert 0.0 <= metrics['acc/top1'] <= 1.0
    with open(dump, 'rb') as f:
        preds = pickle.load(f)
    assert len(preds) == 8 and preds[0]['pred_score'].shape == (8, )


def test_resume_after_kill_mid_epoch(tiny_finesports, tmp_path):
    work_dir = str(tmp_path / 'work')
    args = [sys.executable, 'tools/train.py', CONFIG, '--work-dir', work_dir,
            *_options(tiny_finesports, max_epochs=3)]
    proc = subprocess.Popen(args, cwd=REPO, env=_env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 600
    try:
        while not osp.isfile(osp.join(work_dir, 'epoch_1.pth')):
            assert proc.poll() is None, 'training ended before its first checkpoint'
            assert time.time() < deadline
            time.sleep(0.05)
        time.sleep(0.3)  # let it start epoch 2
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    assert not osp.isfile(osp.join(work_dir, 'epoch_3.pth'))
    out = _run(args + ['--resume'])
    ckpts = sorted(glob.glob(osp.join(work_dir, 'epoch_*.pth')))
    resumed_from = re.search(r'resumed epoch: (\d+)', out)
    assert resumed_from is not None, out[-3000:]
    assert int(resumed_from.group(1)) in (1, 2)
    assert 'Epoch(train) [1]' not in out  # epoch 1 was not trained again
    assert osp.join(work_dir, 'epoch_3.pth') in ckpts
    # train_cfg.max_epochs=3 alone shortened the schedule: the cosine (epochs 1-3, T_max = 2)
    # is half-way in the last epoch: 1e-5 + (2e-3 - 1e-5) / 2; on the config's 15 epochs it
    # would still be 1.97e-3
    lrs = [float(v) for v in re.findall(r'\blr: ([0-9.e+-]+)', out)]
    assert lrs[-1] == pytest.approx(1e-5 + (2e-3 - 1e-5) / 2, rel=1e-3), lrs
    state = torch.load(osp.join(work_dir, 'epoch_3.pth'), map_location='cpu')
    assert state['meta']['epoch'] == 3


def _grad_norms(log):
    return [float(v) for v in re.findall(r'grad_norm: ([0-9.]+)', log)]


def test_dist_train_two_processes_matches_one(tiny_finesports, tmp_path):
    """2-process torchrun on CPU (gloo) optimises the same global batches as 1 process.

    The config sets ``global_train_batch_size``, so each rank takes half of the 1-process batch
    and DDP averages the gradients: with augmentation off, the global gradient norms of the first
    epoch match; later iterations drift only by float summation order (amplified by Adam). On
    this tiny run the test metrics of the final checkpoints are equal, and a 2-process
    ``tools/dist_test.sh`` of a checkpoint gives the metrics of the 1-process test.
    """
    one, two = str(tmp_path / 'one'), str(tmp_path / 'two')
    # no random augmentation, so that both runs see bit-identical batches
    opts = _options(tiny_finesports, max_epochs=2) + [
        'train_dataloader.dataset.pipeline.2.scale_jitter=0',
        'train_dataloader.dataset.pipeline.2.shift_jitter=0',
        'train_dataloader.dataset.pipeline.4.flip_ratio=0']
    log1 = _run([sys.executable, 'tools/train.py', CONFIG, '--work-dir', one, *opts])
    port = str(29500 + os.getpid() % 1000)
    log2 = _run(['bash', 'tools/dist_train.sh', CONFIG, '2', '--work-dir', two, *opts],
                port=port)
    assert 'Distributed training: True' in log2 and 'GPU number: 2' in log2  # = world size
    assert "dist_cfg: {'backend': 'gloo'}" in log2
    g1, g2 = _grad_norms(log1), _grad_norms(log2)
    assert len(g1) == len(g2) == 8  # 64 samples / global batch 16 = 4 iterations x 2 epochs
    for a, b in zip(g1[:4], g2[:4]):  # first epoch: same batches, same gradients
        assert abs(a - b) <= 1e-3 * max(a, 1.0), (g1, g2)
    m1 = _test_metrics(one, osp.join(one, 'epoch_2.pth'), tiny_finesports)
    m2 = _test_metrics(two, osp.join(two, 'epoch_2.pth'), tiny_finesports)
    for key in ('acc/top1', 'acc/mean1', 'acc/top5'):
        assert abs(m1[key] - m2[key]) <= 1e-6, (key, m1, m2)
    # 2-process test of the same checkpoint: each rank scores half, rank 0 gathers all
    m2_dist = _test_metrics(two, osp.join(two, 'epoch_2.pth'), tiny_finesports, procs=2,
                            port=str(int(port) + 1))
    for key in ('acc/top1', 'acc/mean1', 'acc/top5'):
        assert abs(m2_dist[key] - m2[key]) <= 1e-6, (key, m2, m2_dist)


def test_amp_on_cpu_fails_with_a_clear_message(tiny_finesports, tmp_path):
    if torch.cuda.is_available():
        pytest.skip('on a GPU machine --amp is supported by mmengine')
    proc = subprocess.run(
        [sys.executable, 'tools/train.py', CONFIG, '--amp', '--work-dir', str(tmp_path),
         *_options(tiny_finesports)], cwd=REPO, env=_env(), capture_output=True, text=True,
        timeout=300)
    assert proc.returncode != 0
    assert '--amp' in proc.stderr and 'needs a GPU' in proc.stderr
    assert 'Traceback' not in proc.stderr

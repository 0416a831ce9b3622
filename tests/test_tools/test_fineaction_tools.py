import json

import numpy as np


def test_convert_features_concatenates_streams(tmp_path, tool_module):
    conv = tool_module('tools/data/fineaction/convert_features.py')
    (tmp_path / 'rgb').mkdir()
    (tmp_path / 'flow').mkdir()
    np.save(tmp_path / 'rgb/v1.npy', np.ones((10, 3), np.float32))
    np.save(tmp_path / 'flow/v1.npy', np.full((9, 2), 2, np.float32))
    ann = tmp_path / 'ann.json'
    ann.write_text(json.dumps(dict(database=dict(v1={}, v2={}))))
    rep = conv.convert(str(ann), str(tmp_path / 'out'), str(tmp_path / 'rgb'),
                       str(tmp_path / 'flow'))
    out = np.load(tmp_path / 'out/v1.npy')
    assert out.shape == (9, 5) and (out[:, :3] == 1).all() and (out[:, 3:] == 2).all()
    assert rep['written'] == 1 and rep['cut'] == [('v1', 10, 9)]
    assert [p.endswith('v2.npy') for p in rep['missing']] == [True, True]


def test_synthetic_fineaction_generator(tmp_path, tool_module):
    gen = tool_module('tools/data/fineaction/generate_synthetic_fineaction.py')
    db = gen.generate(str(tmp_path), num_train=20, num_val=5, seed=0)
    assert sum(v['subset'] == 'training' for v in db.values()) == 20
    ratios, overlaps = [], 0
    for vid, v in db.items():
        feat = np.load(tmp_path / 'features' / f'{vid}.npy')
        T = len(feat)
        assert T in (100, 200, 300) and v['duration'] == T * gen.SEC_PER_STEP
        segs = np.array([a['segment'] for a in v['annotations']])
        assert 3 <= len(segs) <= 6
        # boundaries on the 100-step grid of the rescaled features
        steps = segs / v['duration'] * 100
        assert np.allclose(steps, np.round(steps))
        ratios += list((segs[:, 1] - segs[:, 0]) / v['duration'])
        for i in range(len(segs)):
            for j in range(i + 1, len(segs)):
                overlaps += min(segs[i, 1], segs[j, 1]) > max(segs[i, 0], segs[j, 0])
    ratios = np.array(ratios)
    assert 0.5 < np.mean(ratios < 0.05) < 0.9  # mostly short instances
    assert overlaps >= 1
    # the same seed gives the same data
    again = gen.generate(str(tmp_path / 'again'), num_train=20, num_val=5, seed=0)
    assert again == db


def test_train_then_test_multiscale_synthetic(tiny_fineaction, tmp_path):
    """tools/train.py + tools/test.py on the multi-scale synthetic config print the TAL
    metrics (AR@AN, AUC, mAP, IoU_new AR, short/long AR)."""
    import os.path as osp
    import subprocess
    import sys
    repo = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
    cfg = 'configs/fineaction/multiscale-bmn_tiny_1xb8-100x64-20e_fineaction-synthetic.py'
    # train_cfg.max_epochs alone shortens the schedule (and validation stays at the end)
    opts = ['train_cfg.max_epochs=2', 'default_hooks.logger.interval=1']
    for split in ('train', 'val', 'test'):
        d = f'{split}_dataloader'
        opts += [f'{d}.num_workers=0', f'{d}.persistent_workers=False',
                 f'{d}.dataset.ann_file={tiny_fineaction}/annotations_gt.json',
                 f'{d}.dataset.class_file={tiny_fineaction}/classes.txt',
                 f'{d}.dataset.data_prefix.feature={tiny_fineaction}/features']
    work = str(tmp_path / 'work')
    env = dict(__import__('os').environ, OMP_NUM_THREADS='1')
    vis_dir = osp.join(work, 'vis')
    for args in (['tools/train.py', cfg, '--work-dir', work],
                 ['tools/test.py', cfg, osp.join(work, 'epoch_2.pth'), '--work-dir', work,
                  '--show-dir', vis_dir, '--show-interval', '2']):
        proc = subprocess.run([sys.executable, *args, '--cfg-options', *opts], cwd=repo,
                              env=env, capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    line = [ln for ln in (proc.stdout + proc.stderr).splitlines()
            if ln.startswith('mmfine test metrics: ')][-1]
    metrics = json.loads(line[len('mmfine test metrics: '):])
    for key in ('AR@1', 'AR@5', 'AR@10', 'AR@100', 'AUC', 'mAP', 'AR@100_new', 'AUC_new'):
        assert 0.0 <= metrics[f'tal/{key}'] <= 1.0, key
    assert any(k in metrics for k in ('tal/AR@100_short', 'tal/AR@100_long'))
    import glob

    import cv2
    pngs = sorted(glob.glob(osp.join(vis_dir, '*.png')))
    assert len(pngs) == 2, pngs  # 3 validation videos, one in 2: ground truth vs proposals
    assert all(cv2.imread(p).std() > 5 for p in pngs)


def test_synthetic_fineaction_context_variant(tmp_path, tool_module):
    """--context keeps the annotations and the long instances, weakens the short ones and puts
    a cue before them."""
    gen = tool_module('tools/data/fineaction/generate_synthetic_fineaction.py')
    plain = gen.generate(str(tmp_path / 'plain'), num_train=6, num_val=0, seed=2)
    ctx = gen.generate(str(tmp_path / 'ctx'), num_train=6, num_val=0, seed=2, context=True)
    assert plain == ctx
    changed = 0
    for vid, v in plain.items():
        a = np.load(tmp_path / 'plain/features' / f'{vid}.npy')
        b = np.load(tmp_path / 'ctx/features' / f'{vid}.npy')
        short = [seg for seg in (x['segment'] for x in v['annotations'])
                 if seg[1] - seg[0] < 0.05 * v['duration']]
        changed += not np.array_equal(a, b)
        if not short:
            assert np.array_equal(a, b)
    assert changed >= 1

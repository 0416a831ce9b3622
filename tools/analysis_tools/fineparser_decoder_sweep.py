"""AIoU of a trained FineParser's transitions under every transition decoder setting.

TAP's per-frame transition probabilities of each clip of a split are computed once (the query
run alone through the pipeline: the AIoU convention repeats the query's own transitions for
every voter, so voters do not change it and are not loaded); each decoder (``--methods`` x
``--sigmas``, :class:`TransitionDecoder`) then decodes them. Prints per setting AIoU@0.5 /
0.75 and, per transition, the share of clips within one sampled frame of the truth and the
mean absolute error. Choose a setting on ``--split val`` (the held-out part of the training
split), report it on ``test``::

    python tools/analysis_tools/fineparser_decoder_sweep.py CONFIG CHECKPOINT --split val \\
        [--sigmas 0 1 2] [--methods ordered fixed_windows] [--limit N] [--cfg-options ...]
"""
import argparse
import copy
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))


def transition_probs(model, dataset, limit=None):
    """(probs (N, T, 2), gt (N, 2)) of the first ``limit`` clips of ``dataset``."""
    import torch
    from mmengine.dataset import pseudo_collate
    probs, gts = [], []
    n = len(dataset) if limit is None else min(limit, len(dataset))
    with torch.no_grad():
        for i in range(n):
            # the query alone through the pipeline: its voters are neither decoded nor used
            query = dataset.pipeline(dataset.get_data_info(i))
            query = dict(inputs=query['inputs'][None], data_samples=query['data_samples'])
            data = model.data_preprocessor(pseudo_collate([query]), False)
            sample = data['data_samples'][0]
            if not bool(getattr(sample, 'has_steps', True)):
                continue
            feats = model.video_features(data['inputs'][:, 0])
            probs.append(feats['probs'][0].float())
            gts.append(torch.as_tensor(sample.gt_transitions).long().view(2))
    if not probs:
        raise ValueError('no clip of the split has step labels')
    return torch.stack(probs), torch.stack(gts)


def sweep(probs, gts, methods, sigmas):
    """``[(method, sigma, metrics)]``: AIoU and per-transition errors of every setting."""
    import numpy as np

    from mmfine.evaluation.functional import aiou
    from mmfine.models.task_modules import TransitionDecoder
    rows = []
    for method in methods:
        for sigma in sigmas:
            pred = TransitionDecoder(method, smooth_sigma=sigma)(probs)
            items = [dict(gt=g.tolist(), pred=[p.tolist()]) for g, p in zip(gts, pred)]
            m = aiou(items)
            err = (pred - gts).abs().double().numpy()
            for k in range(2):
                m[f't{k + 1}_within1'] = float(np.mean(err[:, k] <= 1))
                m[f't{k + 1}_mae'] = float(err[:, k].mean())
            rows.append((method, float(sigma), m))
    return rows


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('config')
    p.add_argument('checkpoint')
    p.add_argument('--split', choices=('val', 'test'), default='val')
    p.add_argument('--methods', nargs='+', default=['ordered', 'fixed_windows'])
    p.add_argument('--sigmas', nargs='+', type=float, default=[0, 0.5, 1, 1.5, 2, 3])
    p.add_argument('--limit', type=int, default=None, help='first N clips only')
    from mmengine.config import DictAction
    p.add_argument('--cfg-options', nargs='+', action=DictAction, default=None)
    args = p.parse_args(argv)
    from mmengine.config import Config
    from mmengine.registry import DefaultScope

    from mmfine.apis import init_model
    from mmfine.registry import DATASETS
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    model = init_model(cfg, args.checkpoint)
    ds_cfg = copy.deepcopy(cfg[f'{args.split}_dataloader']['dataset'])
    with DefaultScope.overwrite_default_scope('mmfine'):
        dataset = DATASETS.build(ds_cfg)
    probs, gts = transition_probs(model, dataset, args.limit)
    rows = sweep(probs, gts, args.methods, args.sigmas)
    print(f'{args.split}: {len(gts)} clips, {probs.shape[1]} sampled frames')
    print('| decoder | smooth_sigma | AIoU@0.5 | AIoU@0.75 | t1 within 1 | t1 MAE | '
          't2 within 1 | t2 MAE |')
    print('|---|---|---|---|---|---|---|---|')
    for method, sigma, m in rows:
        print(f"| {method} | {sigma:g} | {m['AIoU@0.5']:.4f} | {m['AIoU@0.75']:.4f} | "
              f"{m['t1_within1']:.3f} | {m['t1_mae']:.2f} | {m['t2_within1']:.3f} | "
              f"{m['t2_mae']:.2f} |")
    return rows


if __name__ == '__main__':
    main()

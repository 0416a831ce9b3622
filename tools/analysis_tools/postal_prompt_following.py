"""Does PoSTAL follow the prompt? Name a distractor in the prompt and see whom the boxes follow.

For every test clip of a synthetic FineSports set (``player_tracks.pkl`` from
tools/data/finesports/generate_synthetic_finesports.py), the prompt is changed to name a
distractor that performs an action of its own: the target's colour twin if it acts, else the
number twin, else any acting distractor (clips without one are counted and skipped). The model
runs on every frame (:func:`mmfine.apis.inference_postal`); on each frame of the named player's
action the best-scoring detection (any class) is compared with the named player's box
(IoU 0 if the frame has no detection). A clip "follows" when the mean IoU over those frames is
at least ``--min-iou``. The same is reported with the original prompt (the target) as a
reference, and, under the changed prompt, the mean IoU with the original target (low when the
boxes left it).

With the original prompt it also reports whom the best box lands on, over all frames of the
target's action: the target, its colour twin (same colour, other number), its number twin
(same number, other colour), another player, or nobody (best IoU with every player below
``--min-iou``, or no detection). A model that reads the colour but not the number splits
between the target and the colour twin.

Usage::

    python tools/analysis_tools/postal_prompt_following.py CONFIG CHECKPOINT \
        --data-root data/finesports_postal_synthetic [--out result.json]
"""
import argparse
import json
import os.path as osp
import sys
import time

import numpy as np

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from mmfine.apis import inference_postal, init_postal, open_video  # noqa: E402
from mmfine.datasets.act_format import load_act_gt  # noqa: E402
from mmfine.evaluation.functional import pair_box_iou  # noqa: E402
from mmfine.fileio import safe_pickle_load  # noqa: E402


def best_box_per_frame(dets: dict, num_frames: int) -> np.ndarray:
    """(num_frames, 4) best-scoring box of each 1-based frame (NaN where none)."""
    out = np.full((num_frames, 4), np.nan)
    best = np.full(num_frames, -np.inf)
    for f, s, b in zip(dets['frame'].astype(int), dets['score'], dets['box']):
        if 1 <= f <= num_frames and s > best[f - 1]:
            best[f - 1], out[f - 1] = s, b
    return out


def pick_distractor(players: list):
    """Index of the distractor to name (see the module docstring), or None."""
    for k in (1, 2):
        if k < len(players) and players[k]['label'] >= 0:
            return k
    acting = [k for k, p in enumerate(players) if k and p['label'] >= 0]
    return acting[0] if acting else None


def mean_iou_on_action(boxes: np.ndarray, player: dict) -> float:
    first, last = player['action_frames']
    track = player['track'][first - 1:last, 1:]
    return float(pair_box_iou(boxes[first - 1:last], track).mean())  # 0 for NaN rows


ROLES = ('target', 'colour_twin', 'number_twin', 'other', 'nobody')


def role_of(player: dict, target: dict) -> str:
    """A distractor's relation to the target (see the module docstring)."""
    if player is target:
        return 'target'
    if player['color'] == target['color']:
        return 'colour_twin'
    if player['number'] == target['number']:
        return 'number_twin'
    return 'other'


def landed_on(boxes: np.ndarray, players: list, min_iou: float = 0.5) -> dict:
    """Count, over the target's action frames, whom the best box overlaps most.

    Args:
        boxes (np.ndarray): (T, 4) best box per frame (NaN rows: no detection).
        players (list[dict]): the clip's ``player_tracks.pkl`` entries, the target first.

    Returns:
        dict: frame counts per role in :data:`ROLES`.
    """
    counts = dict.fromkeys(ROLES, 0)
    first, last = players[0]['action_frames']
    span = slice(first - 1, last)
    ious = np.stack([pair_box_iou(boxes[span], p['track'][span, 1:]) for p in players])  # [P, F]
    for best, iou in zip(ious.argmax(0), ious.max(0)):
        counts['nobody' if iou < min_iou else role_of(players[best], players[0])] += 1
    return counts


def evaluate(model, data_root: str, min_iou: float = 0.5, num_clips: int = None,
             batch_size: int = 8) -> dict:
    gt = load_act_gt(osp.join(data_root, 'FineSports-GT.pkl'))
    tracks_file = osp.join(data_root, 'player_tracks.pkl')
    if not osp.isfile(tracks_file):
        raise FileNotFoundError(f'{tracks_file} not found: regenerate the data with '
                                'tools/data/finesports/generate_synthetic_finesports.py')
    tracks = safe_pickle_load(tracks_file)
    videos = gt['test_videos'][0][:num_clips]
    rows, skipped = [], []
    for vid in videos:
        if vid not in tracks:
            raise KeyError(f'{tracks_file}: no tracks for test video {vid!r}')
        players = tracks[vid]
        k = pick_distractor(players)
        if k is None:
            skipped.append(vid)
            continue
        # one stream for both prompts: a synthetic clip fits in its cache, decoded once
        stream = open_video(osp.join(data_root, 'videos', vid + '.mp4'), model.cfg,
                            cache_size=int(gt['nframes'][vid]) + 1)
        T = stream.num_frames
        named = inference_postal(model, stream, prompt=players[k]['prompt'],
                                 batch_size=batch_size)
        own = inference_postal(model, stream, prompt=players[0]['prompt'],
                               batch_size=batch_size)
        b_named = best_box_per_frame(named['frame_dets'], T)
        b_own = best_box_per_frame(own['frame_dets'], T)
        rows.append(dict(
            video=vid, distractor=players[k]['prompt'], target=players[0]['prompt'],
            iou_named=mean_iou_on_action(b_named, players[k]),
            iou_named_vs_target=mean_iou_on_action(b_named, players[0]),
            iou_target=mean_iou_on_action(b_own, players[0]),
            landed_on=landed_on(b_own, players, min_iou)))
    n = len(rows)
    landed = {r: sum(row['landed_on'][r] for row in rows) for r in ROLES}
    total = max(sum(landed.values()), 1)
    rate = (lambda key: float(np.mean([r[key] >= min_iou for r in rows])) if n else 0.0)
    return dict(
        clips=n, skipped=len(skipped), min_iou=min_iou,
        follow_rate=rate('iou_named'),
        mean_iou_named=float(np.mean([r['iou_named'] for r in rows])) if n else 0.0,
        mean_iou_named_vs_target=float(np.mean([r['iou_named_vs_target'] for r in rows]))
        if n else 0.0,
        target_rate=rate('iou_target'),
        mean_iou_target=float(np.mean([r['iou_target'] for r in rows])) if n else 0.0,
        landed_on={r: landed[r] / total for r in ROLES},
        per_clip=rows)


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('config')
    p.add_argument('checkpoint')
    p.add_argument('--data-root', default='data/finesports_postal_synthetic')
    p.add_argument('--min-iou', type=float, default=0.5)
    p.add_argument('--num-clips', type=int, default=None, help='first N test clips only')
    p.add_argument('--out', default=None, help='write the result (with per-clip rows) here')
    args = p.parse_args()
    t0 = time.time()
    model = init_postal(args.config, args.checkpoint)
    res = evaluate(model, args.data_root, args.min_iou, args.num_clips)
    print(f"prompt naming a distractor: {res['follow_rate'] * 100:.1f}% of {res['clips']} clips "
          f"follow it (mean IoU >= {args.min_iou}); mean IoU with the named player "
          f"{res['mean_iou_named']:.3f}, with the original target {res['mean_iou_named_vs_target']:.3f}")
    print(f"original prompt: {res['target_rate'] * 100:.1f}% of clips, mean IoU with the target "
          f"{res['mean_iou_target']:.3f}; skipped (no acting distractor): {res['skipped']}; "
          f'{time.time() - t0:.0f} s')
    print('original prompt, whom the best box lands on (share of the target\'s action frames): '
          + ', '.join(f'{r} {v * 100:.1f}%' for r, v in res['landed_on'].items()))
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(res, f, indent=1)


if __name__ == '__main__':
    main()

"""Write a synthetic FineSports-format dataset (pickle + prompts json + mp4 videos) from a seed.

The layout and schema are the official release's (see mmfine/datasets/act_format.py)::

    OUT/FineSports-GT.pkl            labels, train_videos, test_videos, val_videos, nframes,
                                     resolution, gttubes (val_videos: an extra key, ignored by
                                     ACT tools, for model selection off the test split)
    OUT/prompts_with_color.json      {clip id: {jersey number: "a player wearing a <c> jersey number <n>"}}
    OUT/videos/<Action>/<clip>_1.mp4 (OpenCV mp4v, decodable with decord)
    OUT/rgb-images/<Action>/<clip>_1/{:05d}.jpg   only with --frames
    OUT/player_tracks.pkl            {video id: [every player's prompt, colour, number, action and
                                     (T, 5) ACT track; the target first]} (prompt-following tests)
    OUT/synthetic_meta.pkl           every player's boxes, colour, number, action (for debugging)

Each clip shows a court and 4-8 players: coloured jerseys with readable numbers from the released
vocabulary (6 colours, 43 numbers). One target player, named by the clip's prompt, performs one of
8 fine-grained actions that differ only in how that player (and the ball they handle) moves:
drive left/right, shoot, pass, dribble, post-up, crossover, layup. Distractors always include a
player with the target's colour and one with the target's number, and about half of them perform
actions of their own (with their own ball), so the target is only identified by the prompt.
The ground-truth tube is the target's exact drawn bounding box on every frame of its action.

Usage::

    python tools/data/finesports/generate_synthetic_finesports.py data/finesports_synthetic \
        --num-train 360 --num-test 120 --seed 0
"""
import argparse
import json
import os
import os.path as osp
import pickle
import time
from multiprocessing import Pool

import cv2
import numpy as np

COLORS = {  # released colour vocabulary -> (jersey RGB, text RGB)
    'black': ((25, 25, 25), (255, 255, 255)),
    'white': ((245, 245, 245), (0, 0, 0)),
    'red': ((210, 30, 30), (255, 255, 255)),
    'blue': ((30, 60, 200), (255, 255, 255)),
    'yellow': ((240, 210, 30), (0, 0, 0)),
    'green': ((30, 150, 60), (255, 255, 255)),
}
NUMBERS = ['23', '30', '0', '35', '5', '11', '6', '8', '32', '34', '26', '22', '3', '13', '1',
           '2', '7', '9', '10', '17', '16', '55', '24', '43', '4', '81', '42', '41', '33', '21',
           '25', '18', '12', '36', '46', '15', '14', '37', '28', '44', '27', '45', '99']
ACTIONS = ['DriveLeft', 'DriveRight', 'Shoot', 'Pass', 'Dribble', 'PostUp', 'Crossover', 'Layup']
FLIP_PAIRS = [('DriveLeft', 'DriveRight')]

COURT = (196, 154, 108)
LINE = (250, 250, 245)
SKIN = (224, 172, 135)
BALL = (235, 110, 20)
HOLD = -14.0  # ball height (pixels above the feet) when held


def prompt_of(color: str, number: str) -> str:
    return f'a player wearing a {color} jersey number {number}'


def action_motion(action: str, length: int, rng: np.random.Generator):
    """Per-frame (dx, dy, jump) of the player and ball offset (bx, by) relative to the hands.

    Returns:
        tuple: ``pos`` (L, 2) player displacement from the start, ``jump`` (L,) pixels above
        the ground, ``ball`` (L, 2) ball position relative to the player's feet, or NaN where the
        ball is not drawn.
    """
    t = np.arange(length, dtype=np.float32)
    u = t / max(length - 1, 1)
    pos = np.zeros((length, 2), np.float32)
    jump = np.zeros(length, np.float32)
    side = 1.0 if rng.random() < 0.5 else -1.0
    # every action starts from the same pose: ball held at the side at chest height (HOLD), so
    # the class is only visible in how the player and ball move over time
    ball = np.tile(np.array([side * 8, HOLD], np.float32), (length, 1))
    bounce = HOLD + 10 * np.abs(np.sin(np.pi * t / 4.0))  # dribble: chest -> floor, period 4
    if action in ('DriveLeft', 'DriveRight'):
        d = -1.0 if action == 'DriveLeft' else 1.0
        pos[:, 0] = d * 2.6 * t
        ball[:, 0] = d * 8
        ball[:, 1] = bounce
    elif action == 'Shoot':
        jump[:] = 12 * np.sin(np.pi * u)
        ball[:, 0] = side * 8 * (1 - u)
        ball[:, 1] = HOLD - 50 * u ** 2
    elif action == 'Pass':
        ball[:, 0] = side * (8 + 80 * np.clip(u - 0.2, 0, None))
    elif action == 'Dribble':
        ball[:, 1] = bounce
    elif action == 'PostUp':
        pos[:, 1] = 1.2 * t
        pos[:, 0] = 2.5 * np.sin(np.pi * t / 3.0)
    elif action == 'Crossover':
        ball[:, 0] = np.where((t // 4) % 2 == 0, 1.0, -1.0) * side * 8
        ball[:, 1] = bounce
    elif action == 'Layup':
        pos[:, 0] = side * 1.4 * t
        pos[:, 1] = -1.6 * t
        jump[:] = np.where(u > 0.6, 14 * np.sin(np.pi * (u - 0.6) / 0.4), 0)
        ball[:, 1] = HOLD - np.where(u > 0.6, 40 * (u - 0.6) / 0.4, 0)
    else:
        raise ValueError(f'unknown action {action!r}')
    return pos, jump, ball


def draw_court(h: int, w: int) -> np.ndarray:
    img = np.empty((h, w, 3), np.uint8)
    img[:] = COURT
    img[:, :, 0] = np.clip(COURT[0] + 8 * np.sin(np.arange(w) / 3.0), 0, 255)[None]  # planks
    cv2.rectangle(img, (2, 2), (w - 3, h - 3), LINE, 1)
    cv2.line(img, (w // 2, 2), (w // 2, h - 3), LINE, 1)
    cv2.circle(img, (w // 2, h // 2), h // 6, LINE, 1)
    cv2.rectangle(img, (2, h // 3), (w // 7, 2 * h // 3), LINE, 1)
    cv2.rectangle(img, (w - 1 - w // 7, h // 3), (w - 3, 2 * h // 3), LINE, 1)
    return img


class Player:
    """A drawn player; ``box_at`` gives the exact drawn bounding box."""

    def __init__(self, color, number, x, y, scale, action=None, start=0, length=0, rng=None,
                 number_font=(0.28, 1)):
        self.color, self.number, self.scale = color, number, scale
        self.number_font = number_font  # (font scale per unit of player scale, thickness)
        self.x0, self.y0 = x, y
        self.action, self.start, self.length = action, start, length
        self.drift = rng.normal(0, 0.35, size=2) if rng is not None else np.zeros(2)
        if action is not None:
            self.pos, self.jump, self.ball = action_motion(action, length, rng)

    def state(self, f: int):
        """(x, y_feet, jump, ball_xy or None) at clip frame index f (0-based)."""
        x = self.x0 + self.drift[0] * f
        y = self.y0 + self.drift[1] * f
        jump, ball = 0.0, None
        if self.action is not None:
            k = f - self.start
            if k >= 0:
                kk = min(k, self.length - 1)
                x += self.pos[kk, 0]
                y += self.pos[kk, 1]
                if k < self.length:
                    jump = float(self.jump[kk])
                    ball = self.ball[kk] * self.scale
        return x, y, jump, ball

    def geometry(self, f: int):
        s = self.scale
        x, y, jump, ball = self.state(f)
        feet = y - jump
        bw, bh = 16 * s, 34 * s
        box = np.array([x - bw / 2, feet - bh, x + bw / 2, feet], np.float32)
        return box, ball, (x, feet)

    def draw(self, img: np.ndarray, f: int) -> np.ndarray:
        s = self.scale
        box, ball, (x, feet) = self.geometry(f)
        x1, y1, x2, y2 = box
        jersey, text = COLORS[self.color]
        head_r = 4 * s
        cx = (x1 + x2) / 2
        cv2.circle(img, (int(round(cx)), int(round(y1 + head_r))), int(round(head_r)), SKIN, -1)
        torso = (int(round(x1)), int(round(y1 + 2 * head_r)), int(round(x2)),
                 int(round(y1 + 2 * head_r + 16 * s)))
        cv2.rectangle(img, torso[:2], torso[2:], jersey, -1)
        cv2.rectangle(img, torso[:2], torso[2:], (60, 60, 60), 1)
        legs_top = torso[3]
        for lx in (cx - 4 * s, cx + 3 * s):
            cv2.rectangle(img, (int(round(lx)), legs_top), (int(round(lx + s)), int(round(y2))),
                          SKIN, -1)
        fs, thick = self.number_font[0] * s, int(self.number_font[1])
        (tw, th), _ = cv2.getTextSize(self.number, cv2.FONT_HERSHEY_SIMPLEX, fs, thick)
        org = (int(round(cx - tw / 2)), int(round((torso[1] + torso[3]) / 2 + th / 2)))
        cv2.putText(img, self.number, org, cv2.FONT_HERSHEY_SIMPLEX, fs, text, thick,
                    cv2.LINE_AA)
        if ball is not None:
            bx, by = cx + ball[0], feet + ball[1]
            cv2.circle(img, (int(round(bx)), int(round(by))), int(round(3 * s)), BALL, -1)
        return box


def make_clip(args):
    """Generate one clip: returns frames (T, H, W, 3) RGB and its annotations."""
    idx, seed, num_frames, h, w, scale = args[:6]
    num_numbers = args[6] if len(args) > 6 else len(NUMBERS)
    acting_lookalikes = args[7] if len(args) > 7 else False
    font = tuple(args[8]) if len(args) > 8 else (0.28, 1)
    numbers = NUMBERS[:num_numbers]
    rng = np.random.default_rng([seed, idx])
    label = int(rng.integers(len(ACTIONS)))
    t_color = COLORS_KEYS[int(rng.integers(len(COLORS_KEYS)))]
    t_number = numbers[int(rng.integers(len(numbers)))]
    n_players = int(rng.integers(4, 9))
    identities = [(t_color, t_number)]
    other_colors = [c for c in COLORS_KEYS if c != t_color]
    other_numbers = [n for n in numbers if n != t_number]
    identities.append((t_color, other_numbers[int(rng.integers(len(other_numbers)))]))
    identities.append((other_colors[int(rng.integers(len(other_colors)))], t_number))
    while len(identities) < n_players:
        ident = (COLORS_KEYS[int(rng.integers(len(COLORS_KEYS)))],
                 numbers[int(rng.integers(len(numbers)))])
        if ident not in identities:
            identities.append(ident)
    # positions on a jittered grid so players rarely overlap
    cols, rows = 4, 2
    cells = rng.permutation(cols * rows)[:n_players]
    margin_x, top = 30 * scale, 50 * scale
    players = []
    length = int(rng.integers(num_frames // 2, 3 * num_frames // 4 + 1))
    for k, (cell, (color, number)) in enumerate(zip(cells, identities)):
        cx = margin_x + (cell % cols + 0.5) * (w - 2 * margin_x) / cols + rng.normal(0, 3)
        cy = top + (cell // cols + 0.5) * (h - top - 10 * scale) / rows + rng.normal(0, 3)
        if k == 0:
            start = int(rng.integers(0, num_frames - length + 1))
            players.append(Player(color, number, cx, cy, scale, ACTIONS[label], start, length,
                                  rng, font))
        elif rng.random() < 0.5 or (acting_lookalikes and k in (1, 2)):
            d_len = int(rng.integers(num_frames // 3, num_frames // 2 + 1))
            d_start = int(rng.integers(0, num_frames - d_len + 1))
            d_action = ACTIONS[int(rng.integers(len(ACTIONS)))]
            players.append(Player(color, number, cx, cy, scale, d_action, d_start, d_len, rng,
                                  font))
        else:
            players.append(Player(color, number, cx, cy, scale, rng=rng, number_font=font))
    court = draw_court(h, w)
    frames = np.empty((num_frames, h, w, 3), np.uint8)
    boxes = np.zeros((n_players, num_frames, 4), np.float32)
    for f in range(num_frames):
        img = court.copy()
        order = np.argsort([p.state(f)[1] for p in players])  # far (small y) first
        for k in order:
            boxes[k, f] = players[k].draw(img, f)
        frames[f] = img
    target = players[0]
    frames_1b = np.arange(target.start, target.start + target.length) + 1
    tb = boxes[0, target.start:target.start + target.length].copy()
    tb[:, 0::2] = tb[:, 0::2].clip(0, w - 1)
    tb[:, 1::2] = tb[:, 1::2].clip(0, h - 1)
    tube = np.concatenate([frames_1b[:, None].astype(np.float32), tb], axis=1)
    meta = dict(
        label=label, color=t_color, number=t_number,
        players=[dict(color=p.color, number=p.number, action=p.action, start=p.start,
                      length=p.length, boxes=boxes[k]) for k, p in enumerate(players)])
    return frames, tube, meta


COLORS_KEYS = list(COLORS)


def write_video(path: str, frames: np.ndarray, fps: int) -> None:
    h, w = frames.shape[1:3]
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'mp4v'), fps, (w, h))
    if not writer.isOpened():
        raise RuntimeError(f'OpenCV cannot write {path}')
    for frame in frames:
        writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    writer.release()


def _job(args):
    (idx, seed, num_frames, h, w, scale, out_dir, fps, write_frames, num_numbers,
     acting_lookalikes, font) = args
    frames, tube, meta = make_clip((idx, seed, num_frames, h, w, scale, num_numbers,
                                    acting_lookalikes, font))
    clip_id = f'{idx:05d}'
    vid = f'{ACTIONS[meta["label"]]}/{clip_id}_1'
    os.makedirs(osp.join(out_dir, 'videos', osp.dirname(vid)), exist_ok=True)
    write_video(osp.join(out_dir, 'videos', vid + '.mp4'), frames, fps)
    if write_frames:
        fdir = osp.join(out_dir, 'rgb-images', vid)
        os.makedirs(fdir, exist_ok=True)
        for f, frame in enumerate(frames, start=1):
            cv2.imwrite(osp.join(fdir, f'{f:05d}.jpg'), cv2.cvtColor(frame, cv2.COLOR_RGB2BGR),
                        [cv2.IMWRITE_JPEG_QUALITY, 95])
    return vid, clip_id, tube, meta


def player_tracks(meta: dict, num_frames: int, h: int, w: int) -> list:
    """Every player's track in ACT rows, the target first.

    Returns:
        list[dict]: per player ``prompt``, ``color``, ``number``, ``is_target``, ``label`` (class
        index of the action the player performs, -1 if none), ``action_frames`` ((first, last)
        1-based, inclusive; None without action) and ``track`` ((num_frames, 5) float32
        ``[frame, x1, y1, x2, y2]`` pixels, every frame, clipped to the image).
    """
    out = []
    for k, p in enumerate(meta['players']):
        boxes = p['boxes'].copy()
        boxes[:, 0::2] = boxes[:, 0::2].clip(0, w - 1)
        boxes[:, 1::2] = boxes[:, 1::2].clip(0, h - 1)
        frames = np.arange(1, num_frames + 1, dtype=np.float32)[:, None]
        acting = p['action'] is not None
        out.append(dict(
            prompt=prompt_of(p['color'], p['number']), color=p['color'], number=p['number'],
            is_target=k == 0, label=ACTIONS.index(p['action']) if acting else -1,
            action_frames=(p['start'] + 1, p['start'] + p['length']) if acting else None,
            track=np.concatenate([frames, boxes], axis=1)))
    return out


def generate(out_dir: str, num_train: int = 360, num_test: int = 120, seed: int = 0,
             num_frames: int = 32, height: int = 144, width: int = 192, scale: float = 1.0,
             fps: int = 10, write_frames: bool = False, workers: int = 2,
             num_numbers: int = len(NUMBERS), acting_lookalikes: bool = False,
             number_scale: float = 0.28, number_thickness: int = 1,
             num_val: int = None) -> dict:
    """Generate the dataset; returns the ground-truth dict that was written.

    ``num_val`` validation clips (default ``num_test // 2``) are generated after the training
    and test clips (so these stay the same for a seed) and listed in ``val_videos``: configs
    validate and pick checkpoints on them, never on the test clips.

    ``num_numbers`` < 43 draws jersey numbers from the first ``num_numbers`` of the released
    vocabulary only; ``acting_lookalikes`` makes the two look-alike distractors (the target's
    colour with another number, the target's number with another colour) always perform an
    action of their own. ``number_scale`` (OpenCV font scale per unit of player ``scale``) and
    ``number_thickness`` (stroke width in pixels) set how legible the jersey numbers are. With
    the defaults the output is the same as before these options.
    """
    if not 2 <= num_numbers <= len(NUMBERS):
        raise ValueError(f'num_numbers must be in [2, {len(NUMBERS)}], got {num_numbers}')
    if number_scale <= 0 or number_thickness < 1:
        raise ValueError('number_scale must be > 0 and number_thickness >= 1, got '
                         f'{number_scale} and {number_thickness}')
    os.makedirs(out_dir, exist_ok=True)
    num_val = num_test // 2 if num_val is None else num_val
    n = num_train + num_test + num_val
    font = (float(number_scale), int(number_thickness))
    jobs = [(i, seed, num_frames, height, width, scale, out_dir, fps, write_frames, num_numbers,
             acting_lookalikes, font) for i in range(n)]
    if workers > 1:
        with Pool(workers) as pool:
            results = pool.map(_job, jobs, chunksize=8)
    else:
        results = [_job(j) for j in jobs]
    gt = dict(labels=list(ACTIONS), train_videos=[[]], test_videos=[[]], val_videos=[[]],
              nframes={}, resolution={}, gttubes={})
    prompts, metas, tracks = {}, {}, {}
    for i, (vid, clip_id, tube, meta) in enumerate(results):
        tracks[vid] = player_tracks(meta, num_frames, height, width)
        split = ('train' if i < num_train else 'test' if i < num_train + num_test else 'val')
        gt[f'{split}_videos'][0].append(vid)
        gt['nframes'][vid] = num_frames
        gt['resolution'][vid] = (height, width)
        gt['gttubes'][vid] = {meta['label']: [tube]}
        prompts[clip_id] = {meta['number']: prompt_of(meta['color'], meta['number'])}
        metas[vid] = meta
    with open(osp.join(out_dir, 'FineSports-GT.pkl'), 'wb') as f:
        pickle.dump(gt, f)
    with open(osp.join(out_dir, 'prompts_with_color.json'), 'w') as f:
        json.dump(prompts, f, indent=1)
    with open(osp.join(out_dir, 'player_tracks.pkl'), 'wb') as f:
        pickle.dump(tracks, f)
    with open(osp.join(out_dir, 'synthetic_meta.pkl'), 'wb') as f:
        pickle.dump(dict(seed=seed, actions=ACTIONS, flip_pairs=FLIP_PAIRS, clips=metas), f)
    return gt


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('out_dir')
    p.add_argument('--num-train', type=int, default=360)
    p.add_argument('--num-test', type=int, default=120)
    p.add_argument('--num-val', type=int, default=None,
                   help='validation clips (model selection), default --num-test / 2')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--num-frames', type=int, default=32)
    p.add_argument('--height', type=int, default=144)
    p.add_argument('--width', type=int, default=192)
    p.add_argument('--scale', type=float, default=1.0, help='player size multiplier')
    p.add_argument('--fps', type=int, default=10)
    p.add_argument('--frames', action='store_true', help='also write {:05d}.jpg frame folders')
    p.add_argument('--workers', type=int, default=2)
    p.add_argument('--num-numbers', type=int, default=len(NUMBERS),
                   help='draw jersey numbers from the first K of the 43 released ones')
    p.add_argument('--acting-lookalikes', action='store_true',
                   help="the target's colour twin and number twin always perform an action")
    p.add_argument('--number-scale', type=float, default=0.28,
                   help='jersey number font scale per unit of --scale (legibility)')
    p.add_argument('--number-thickness', type=int, default=1,
                   help='jersey number stroke width in pixels (legibility)')
    return p.parse_args()


def main():
    args = parse_args()
    t0 = time.time()
    gt = generate(args.out_dir, args.num_train, args.num_test, args.seed, args.num_frames,
                  args.height, args.width, args.scale, args.fps, args.frames, args.workers,
                  args.num_numbers, args.acting_lookalikes, args.number_scale,
                  args.number_thickness, args.num_val)
    print(f"wrote {len(gt['train_videos'][0])} train + {len(gt['val_videos'][0])} val + "
          f"{len(gt['test_videos'][0])} test clips "
          f'({len(gt["labels"])} classes) to {args.out_dir} in {time.time() - t0:.1f}s')


if __name__ == '__main__':
    main()

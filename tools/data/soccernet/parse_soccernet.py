"""Convert SoccerNet-v2 ``Labels-v2.json`` files to E2E-Spot label files (one video per half).

    python tools/data/soccernet/parse_soccernet.py SOCCERNET_LABELS FRAMES OUT \\
        --split train:train_games.txt --split val:val_games.txt --split test:test_games.txt

``SOCCERNET_LABELS/<game>/Labels-v2.json`` are the official labels; ``FRAMES/<game>/<half>/``
the frames of each half (``%06d.jpg`` and ``fps.txt``, from
``tools/data/spotting/extract_frames.py --soccernet``); each list file names one game
(``league/season/game``) per line. Writes ``OUT/class.txt`` (the 17 classes in alphabetical
order, as E2E-Spot's ``parse_soccernet.py``) and ``OUT/<split>.json``. The frame of an event is
``int(position_ms / 1000 * fps)`` with the half's own fps; events past a half's last frame are
reported and left out.
"""
import argparse
import glob
import json
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))))

#: SoccerNet-v2's 17 action classes (EVENT_DICTIONARY_V2), written in alphabetical order
SOCCERNET_V2_CLASSES = sorted([
    'Penalty', 'Kick-off', 'Goal', 'Substitution', 'Offside', 'Shots on target',
    'Shots off target', 'Clearance', 'Ball out of play', 'Throw-in', 'Foul',
    'Indirect free-kick', 'Direct free-kick', 'Corner', 'Yellow card', 'Red card',
    'Yellow->red card'])


def half_frames(frames_root: str, game: str, half: int):
    """(fps, frame count) of a half's frame folder (``fps.txt``, max jpg index + 1)."""
    folder = osp.join(frames_root, game, str(half))
    fps_file = osp.join(folder, 'fps.txt')
    if not osp.isfile(fps_file):
        raise FileNotFoundError(f'{game} half {half}: no fps.txt in {folder} (extract the '
                                'frames with tools/data/spotting/extract_frames.py)')
    with open(fps_file) as f:
        fps = float(f.read().strip())
    names = glob.glob(osp.join(folder, '*.jpg'))
    if not names:
        raise FileNotFoundError(f'{game} half {half}: no frame in {folder}')
    return fps, max(int(osp.splitext(osp.basename(n))[0]) for n in names) + 1


def main(argv=None):
    from mmfine.datasets import soccernet_half_entries
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('labels_root')
    p.add_argument('frames_root')
    p.add_argument('out')
    p.add_argument('--split', action='append', required=True, metavar='NAME:GAMES_TXT')
    args = p.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    with open(osp.join(args.out, 'class.txt'), 'w') as f:
        f.write('\n'.join(SOCCERNET_V2_CLASSES) + '\n')
    for spec in args.split:
        name, _, list_file = spec.partition(':')
        with open(list_file) as f:
            games = [g.strip() for g in f if g.strip()]
        entries = []
        for game in games:
            fps, num = zip(*(half_frames(args.frames_root, game, h) for h in (1, 2)))
            got, warnings = soccernet_half_entries(
                osp.join(args.labels_root, game, 'Labels-v2.json'), game,
                dict(zip((1, 2), fps)), dict(zip((1, 2), num)), classes=SOCCERNET_V2_CLASSES)
            for w in warnings:
                print('warning:', w)
            entries.extend(got)
        with open(osp.join(args.out, f'{name}.json'), 'w') as f:
            json.dump(entries, f, indent=1)
        print(f"{name}: {len(entries)} halves, {sum(e['num_events'] for e in entries)} events")


if __name__ == '__main__':
    main()

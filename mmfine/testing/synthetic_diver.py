"""Drawing a synthetic diver: the pool, the body in each position, the splash.

Shared by the synthetic FineDiving-HM generator (action quality assessment,
``tools/data/finediving/``) and the synthetic spotting generator (``tools/data/spotting/``), so
both tasks see the same diver. Pure numpy + OpenCV, RGB uint8 images.
"""
import math
from typing import Tuple

import cv2
import numpy as np

SKY, WATER, BOARD, SKIN, SUIT, SPLASH = ((150, 190, 230), (40, 90, 170), (200, 200, 200),
                                         (230, 180, 140), (200, 40, 60), (245, 250, 255))


def parse_dive(dive: str):
    """Dive number -> (direction sign, half somersaults, position, half twists).

    FINA numbering: group digit (1 forward, 2 back, 3 reverse, 4 inward, 5 twisting, 6
    armstand), for 5xxx the second digit is the twisting dive's group and the last digit the
    half twists; the last digit (1-4 digit codes) is the half somersaults; the letter is the
    position (a straight, b pike, c tuck, d free).
    """
    digits, pos = dive[:-1], dive[-1].lower()
    group = int(digits[0])
    twists = 0
    if group == 5 and len(digits) == 4:
        group, half_soms, twists = int(digits[1]), int(digits[2]), int(digits[3])
    elif group == 6 and len(digits) == 4:
        group, half_soms = int(digits[1]), int(digits[3])
    else:
        half_soms = int(digits[-1])
    direction = 1.0 if group in (1, 4) else -1.0
    return direction, max(half_soms, 1), pos if pos in 'abcd' else 'd', twists


class PoolScene:
    """A pool background (sky, water, board) with seeded pixel noise.

    Args:
        rng (np.random.Generator): draws the noise (one ``integers`` call).
        size (int | tuple[int, int]): side, or ``(width, height)``, in pixels.

    Attributes:
        image (np.ndarray): (H, W, 3) uint8 RGB background.
        water_y, board_y, board_x (int): water line, board height and board end in pixels.
    """

    def __init__(self, rng: np.random.Generator, size) -> None:
        W, H = (size, size) if isinstance(size, int) else (int(size[0]), int(size[1]))
        self.H, self.W = H, W
        self.water_y = int(H * 0.80)
        self.board_y = int(H * 0.45)
        self.board_x = int(W * 0.30)
        bg = np.zeros((H, W, 3), np.uint8)
        bg[:self.water_y] = SKY
        bg[self.water_y:] = WATER
        cv2.rectangle(bg, (0, self.board_y), (self.board_x, self.board_y + max(1, H // 40)),
                      BOARD, -1)
        noise = rng.integers(-6, 7, (H, W, 3))
        self.image = np.clip(bg.astype(np.int16) + noise, 0, 255).astype(np.uint8)


def body_polygon(cx, cy, angle, pos, width_scale, size):
    """The diver's body as a list of polylines, its thickness and the head centre.

    Args:
        cx, cy (float): hip position in pixels.
        angle (float): body angle in radians (0: head up).
        pos (str): ``'a'`` straight (and free), ``'b'`` pike (folded at 90 degrees),
            ``'c'`` tuck (a compact fold).
        width_scale (float): thickness factor (a twist narrows the body periodically).
        size (int): the image side the body is scaled to.

    Returns:
        tuple: ``([(3, 2) points], thickness, (2,) head centre)``.
    """
    L = size * 0.22  # body length
    th = max(1, int(round(size * 0.05 * width_scale)))
    c, s = math.cos(angle), math.sin(angle)
    axis = np.array([s, -c])  # head direction
    if pos == 'c':  # tuck: a compact fold
        a, b = 0.45 * L, 0.35 * L
        fold = np.array([c, s]) * 0.55
    elif pos == 'b':  # pike: folded at 90 degrees
        a, b = 0.5 * L, 0.5 * L
        fold = np.array([c, s]) * 1.0
    else:  # straight / free
        a, b = 0.5 * L, 0.5 * L
        fold = np.array([0.0, 0.0])
    hip = np.array([cx, cy])
    head = hip + axis * a
    feet = hip - axis * b * (1 - np.abs(fold).max() * 0.5) + fold * b
    return [np.array([head, hip, feet])], th, head


def draw_diver(img: np.ndarray, mask: np.ndarray, cx: float, cy: float, angle: float,
               pos: str, width_scale: float, size: int,
               suit: Tuple[int, int, int] = SUIT) -> None:
    """Draw the body and the head on ``img`` (RGB) and ``mask`` (255 = diver), in place.

    Args:
        img (np.ndarray): (H, W, 3) uint8.
        mask (np.ndarray): (H, W) uint8.
        cx, cy, angle, pos, width_scale, size: see :func:`body_polygon`.
        suit (tuple): RGB colour of the body. Defaults to :data:`SUIT`.
    """
    lines, th, head = body_polygon(cx, cy, angle, pos, width_scale, size)
    for pts in lines:
        cv2.polylines(img, [np.round(pts).astype(np.int32)], False, suit, th, cv2.LINE_AA)
        cv2.polylines(mask, [np.round(pts).astype(np.int32)], False, 255, th, cv2.LINE_AA)
    r = max(1, int(round(size * 0.035)))
    hc = tuple(int(round(v)) for v in head)
    cv2.circle(img, hc, r, SKIN, -1, cv2.LINE_AA)
    cv2.circle(mask, hc, r, 255, -1, cv2.LINE_AA)


def hide_under_water(img: np.ndarray, mask: np.ndarray, background: np.ndarray,
                     water_y: int) -> None:
    """What is drawn under the water line is hidden (restored from ``background``), in
    place."""
    img[water_y:] = np.where(mask[water_y:, :, None] > 0, background[water_y:], img[water_y:])
    mask[water_y:] = 0


def draw_splash(img: np.ndarray, mask: np.ndarray, x: float, water_y: int,
                radius: float) -> None:
    """A half-ellipse splash of ``radius`` pixels on the water line at ``x``, in place (nothing
    under one pixel)."""
    if radius >= 1:
        axes = (int(round(radius)), max(1, int(round(radius * 0.6))))
        cv2.ellipse(img, (int(x), water_y), axes, 0, 180, 360, SPLASH, -1)
        cv2.ellipse(mask, (int(x), water_y), axes, 0, 180, 360, 255, -1)

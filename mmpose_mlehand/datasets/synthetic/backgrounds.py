"""Textured, cluttered backgrounds with skin-coloured and finger-like distractors.

A background is one of four bases (a gradient, multi-octave value noise, a
stripe or check texture, an indoor-like layout of large panels), then random
clutter (rectangles, ellipses, polylines), then with some probability
skin-coloured blobs and finger-like capsules that a detector must not mistake
for the hand, then an optional defocus blur. Images are float32 RGB in [0, 1].
"""
from typing import Callable, Dict

import cv2
import numpy as np

from .scene import random_colour

CLUTTER_RANGE = (0, 14)
DISTRACTOR_PROB = 0.5
DEFOCUS_PROB = 0.4


def _gradient(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    # A smooth field through random corner colours (bilinear, like a lit wall).
    corners = np.stack([random_colour(rng) for _ in range(4)]).reshape(2, 2, 3)
    return cv2.resize(corners, (w, h), interpolation=cv2.INTER_LINEAR)


def _value_noise(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    field = np.zeros((h, w), np.float32)
    amplitude, total = 1.0, 0.0
    cells = int(rng.integers(2, 6))
    for _ in range(4):
        small = rng.random((cells, cells)).astype(np.float32)
        field += amplitude * cv2.resize(small, (w, h),
                                        interpolation=cv2.INTER_CUBIC)
        total += amplitude
        amplitude *= rng.uniform(0.4, 0.7)
        cells *= 2
    field /= total
    a, b = random_colour(rng), random_colour(rng)
    return cv2.merge([a[i] + (b[i] - a[i]) * field for i in range(3)])


def _pattern(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    xs = np.arange(w, dtype=np.float32)[None, :]
    ys = np.arange(h, dtype=np.float32)[:, None]
    angle = rng.uniform(0, np.pi)
    period = np.float32(rng.uniform(2, 20))
    c, s = np.float32(np.cos(angle)), np.float32(np.sin(angle))
    u = (c * xs + s * ys) / period
    if rng.random() < 0.5:
        v = (c * ys - s * xs) / period
        t = (np.floor(u) + np.floor(v)) % 2
    else:
        t = 0.5 + 0.5 * np.sin(2 * np.pi * u)
    a, b = random_colour(rng), random_colour(rng)
    return cv2.merge([a[i] + (b[i] - a[i]) * t for i in range(3)])


def _indoor(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    image = _gradient(rng, h, w)
    for _ in range(int(rng.integers(2, 7))):
        x0, y0 = rng.uniform(-0.2, 1.0, 2) * [w, h]
        x1, y1 = x0 + rng.uniform(0.2, 0.9) * w, y0 + rng.uniform(0.2, 0.9) * h
        fade = rng.uniform(0.6, 1.2)
        colour = random_colour(rng)
        ya, yb = int(max(y0, 0)), int(min(y1, h))
        xa, xb = int(max(x0, 0)), int(min(x1, w))
        if ya < yb and xa < xb:
            # A vertical shading ramp makes panels look lit from above.
            rows = np.linspace(1.0, fade, yb - ya, dtype=np.float32)
            image[ya:yb, xa:xb] = colour * rows[:, None, None]
    return image


_BASES: Dict[str, Callable[[np.random.Generator, int, int], np.ndarray]] = {
    'gradient': _gradient,
    'noise': _value_noise,
    'pattern': _pattern,
    'indoor': _indoor,
}


def _clutter(rng: np.random.Generator, image: np.ndarray) -> None:
    h, w = image.shape[:2]
    for _ in range(int(rng.integers(*CLUTTER_RANGE))):
        colour = tuple(float(c) for c in random_colour(rng))
        kind = rng.integers(3)
        cx, cy = int(rng.integers(0, w)), int(rng.integers(0, h))
        size = int(rng.uniform(0.03, 0.35) * w)
        if kind == 0:
            box = ((cx, cy), (size, int(size * rng.uniform(0.2, 1.5))),
                   float(rng.uniform(0, 180)))
            pts = cv2.boxPoints(box).astype(np.int32)
            cv2.fillConvexPoly(image, pts, colour, cv2.LINE_AA)
        elif kind == 1:
            axes = (max(size // 2, 1), max(int(size * rng.uniform(0.2, 0.6)), 1))
            cv2.ellipse(image, (cx, cy), axes, float(rng.uniform(0, 180)), 0,
                        360, colour, -1, cv2.LINE_AA)
        else:
            pts = (np.array([cx, cy]) + np.cumsum(
                rng.normal(0, size / 2, (int(rng.integers(2, 6)), 2)),
                axis=0)).astype(np.int32)
            cv2.polylines(image, [pts], False, colour,
                          int(rng.integers(1, 4)), cv2.LINE_AA)


def _distractors(rng: np.random.Generator, image: np.ndarray,
                 skin_rgb: np.ndarray) -> None:
    """Skin-coloured blobs and finger-like capsules (hard negatives)."""
    h, w = image.shape[:2]
    for _ in range(int(rng.integers(1, 4))):
        base = np.clip(skin_rgb * rng.uniform(0.7, 1.15, 3), 0, 1)
        dark = tuple(float(c) for c in base * 0.75)
        light = tuple(float(c) for c in base)
        cx, cy = int(rng.integers(0, w)), int(rng.integers(0, h))
        if rng.random() < 0.4:
            axes = (int(rng.uniform(0.05, 0.2) * w),
                    int(rng.uniform(0.04, 0.15) * w))
            angle = float(rng.uniform(0, 180))
            cv2.ellipse(image, (cx, cy), axes, angle, 0, 360, dark, -1,
                        cv2.LINE_AA)
            inner = (max(int(axes[0] * 0.75), 1), max(int(axes[1] * 0.6), 1))
            cv2.ellipse(image, (cx, cy), inner, angle, 0, 360, light, -1,
                        cv2.LINE_AA)
            continue
        # A few parallel rounded strokes look like fingers.
        angle = rng.uniform(0, 2 * np.pi)
        along = np.array([np.cos(angle), np.sin(angle)])
        across = np.array([-along[1], along[0]])
        thick = rng.uniform(0.03, 0.07) * w
        for k in range(int(rng.integers(1, 5))):
            start = np.array([cx, cy]) + across * thick * 1.1 * k
            end = start + along * rng.uniform(2.0, 5.0) * thick
            p, q = tuple(int(v) for v in start), tuple(int(v) for v in end)
            cv2.line(image, p, q, dark, max(int(thick), 1), cv2.LINE_AA)
            cv2.line(image, p, q, light, max(int(thick * 0.6), 1), cv2.LINE_AA)


def random_background(rng: np.random.Generator, height: int, width: int,
                      skin_rgb: np.ndarray, clutter: bool = True) -> np.ndarray:
    """Draw a cluttered background.

    Args:
        rng (np.random.Generator): Random source.
        height (int): Image height.
        width (int): Image width.
        skin_rgb (np.ndarray): (3,) the hand's skin colour, for distractors.
        clutter (bool): If False, a plain colour gradient (no texture,
            clutter, distractors or defocus).

    Returns:
        np.ndarray: (height, width, 3) float32 RGB in [0, 1].
    """
    if not clutter:
        return np.clip(_gradient(rng, height, width), 0, 1).astype(np.float32)
    # Drawn at half resolution and scaled up: a quarter of the work, and
    # backgrounds need no finer detail than the camera blur leaves.
    h, w = max(height // 2, 1), max(width // 2, 1)
    names = tuple(_BASES)
    image = _BASES[names[rng.integers(len(names))]](rng, h, w)
    image = np.ascontiguousarray(image, np.float32)
    _clutter(rng, image)
    if rng.random() < DISTRACTOR_PROB:
        _distractors(rng, image, skin_rgb)
    # OpenCV anti-aliases 8-bit images only: a slight blur softens the
    # stair-stepped edges, a strong one is defocus.
    defocus = rng.random() < DEFOCUS_PROB
    image = cv2.GaussianBlur(image, (0, 0),
                             rng.uniform(0.8, 2.0) if defocus else 0.6)
    np.clip(image, 0, 1, out=image)
    return cv2.resize(image, (width, height), interpolation=cv2.INTER_LINEAR)

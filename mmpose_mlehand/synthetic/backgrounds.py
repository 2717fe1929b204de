"""Textured, cluttered backgrounds with skin-coloured and finger-like distractors.

A background is one of four bases (a gradient, multi-octave value noise, a
stripe or check texture, an indoor-like layout of large panels), then random
clutter (rectangles, ellipses, polylines), then with some probability
skin-coloured blobs and finger-like capsules that a detector must not mistake
for the hand, then an optional defocus blur. :func:`photo_background` is a
crop of a real photograph (:mod:`.photos`) with, sometimes, the same
distractors on top and a defocus blur. Images are float32 RGB in [0, 1].
"""
from typing import Callable, Dict, Optional, Sequence

import cv2
import numpy as np

from .photos import photo_crop
from .scene import random_colour

# Integer ranges below are rng.integers bounds (high end exclusive); sizes in
# fractions of the image width unless marked _PX (pixels).

# Value noise: grid cells of the coarsest octave, number of octaves, and the
# amplitude factor from one octave to the next.
NOISE_CELLS_RANGE = (2, 6)
NOISE_OCTAVES = 4
NOISE_PERSISTENCE_RANGE = (0.4, 0.7)
# Stripe or check textures: share of checks and period (px).
PATTERN_CHECKS_PROB = 0.5
PATTERN_PERIOD_RANGE_PX = (2, 20)
# Indoor layouts: number of panels, top-left corner (fractions of width and
# height), side lengths (fractions) and brightness at the bottom relative to
# the top (lit from above).
INDOOR_PANELS_RANGE = (2, 7)
INDOOR_CORNER_RANGE = (-0.2, 1.0)
INDOOR_SIDE_RANGE = (0.2, 0.9)
INDOOR_FADE_RANGE = (0.6, 1.2)
# Clutter: number of shapes, their size, rectangle aspect ratio, ellipse minor
# to major axis, polyline vertices and line width (px).
CLUTTER_RANGE = (0, 14)
CLUTTER_SIZE_RANGE = (0.03, 0.35)
CLUTTER_ASPECT_RANGE = (0.2, 1.5)
CLUTTER_ELLIPSE_RATIO_RANGE = (0.2, 0.6)
CLUTTER_VERTICES_RANGE = (2, 6)
CLUTTER_LINE_WIDTH_RANGE_PX = (1, 4)
# Distractors (hard negatives): share of backgrounds with them, their number,
# the per-channel factor on the skin colour and the share of blobs (the rest
# are finger-like strokes).
DISTRACTOR_PROB = 0.5
DISTRACTOR_COUNT_RANGE = (1, 4)
DISTRACTOR_TINT_RANGE = (0.7, 1.15)
DISTRACTOR_BLOB_PROB = 0.4
# Skin blobs: semi-major and semi-minor axes.
BLOB_MAJOR_RANGE = (0.05, 0.2)
BLOB_MINOR_RANGE = (0.04, 0.15)
# Finger-like strokes: width, number of parallel strokes and length (in
# stroke widths).
STROKE_WIDTH_RANGE = (0.03, 0.07)
STROKE_COUNT_RANGE = (1, 5)
STROKE_LENGTH_RANGE = (2.0, 5.0)
# Share of backgrounds with defocus blur and its sigma (px at half
# resolution); the others get a slight anti-aliasing blur.
DEFOCUS_PROB = 0.4
DEFOCUS_SIGMA_RANGE_PX = (0.8, 2.0)
ANTIALIAS_SIGMA_PX = 0.6
# Photograph backgrounds: share with distractors drawn on top, share with a
# defocus blur and its sigma (px at full resolution).
PHOTO_DISTRACTOR_PROB = 0.3
PHOTO_DEFOCUS_PROB = 0.4
PHOTO_DEFOCUS_SIGMA_RANGE_PX = (0.6, 2.0)


def _gradient(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    # A smooth field through random corner colours (bilinear, like a lit wall).
    corners = np.stack([random_colour(rng) for _ in range(4)]).reshape(2, 2, 3)
    return cv2.resize(corners, (w, h), interpolation=cv2.INTER_LINEAR)


def _value_noise(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    field = np.zeros((h, w), np.float32)
    amplitude, total = 1.0, 0.0
    cells = int(rng.integers(*NOISE_CELLS_RANGE))
    for _ in range(NOISE_OCTAVES):
        small = rng.random((cells, cells)).astype(np.float32)
        field += amplitude * cv2.resize(small, (w, h),
                                        interpolation=cv2.INTER_CUBIC)
        total += amplitude
        amplitude *= rng.uniform(*NOISE_PERSISTENCE_RANGE)
        cells *= 2
    field /= total
    a, b = random_colour(rng), random_colour(rng)
    return cv2.merge([a[i] + (b[i] - a[i]) * field for i in range(3)])


def _pattern(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    xs = np.arange(w, dtype=np.float32)[None, :]
    ys = np.arange(h, dtype=np.float32)[:, None]
    angle = rng.uniform(0, np.pi)
    period = np.float32(rng.uniform(*PATTERN_PERIOD_RANGE_PX))
    c, s = np.float32(np.cos(angle)), np.float32(np.sin(angle))
    u = (c * xs + s * ys) / period
    if rng.random() < PATTERN_CHECKS_PROB:
        v = (c * ys - s * xs) / period
        t = (np.floor(u) + np.floor(v)) % 2
    else:
        t = 0.5 + 0.5 * np.sin(2 * np.pi * u)
    a, b = random_colour(rng), random_colour(rng)
    return cv2.merge([a[i] + (b[i] - a[i]) * t for i in range(3)])


def _indoor(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    image = _gradient(rng, h, w)
    for _ in range(int(rng.integers(*INDOOR_PANELS_RANGE))):
        x0, y0 = rng.uniform(*INDOOR_CORNER_RANGE, 2) * [w, h]
        x1 = x0 + rng.uniform(*INDOOR_SIDE_RANGE) * w
        y1 = y0 + rng.uniform(*INDOOR_SIDE_RANGE) * h
        fade = rng.uniform(*INDOOR_FADE_RANGE)
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
        size = int(rng.uniform(*CLUTTER_SIZE_RANGE) * w)
        if kind == 0:
            box = ((cx, cy), (size, int(size * rng.uniform(*CLUTTER_ASPECT_RANGE))),
                   float(rng.uniform(0, 180)))
            pts = cv2.boxPoints(box).astype(np.int32)
            cv2.fillConvexPoly(image, pts, colour, cv2.LINE_AA)
        elif kind == 1:
            axes = (max(size // 2, 1),
                    max(int(size * rng.uniform(*CLUTTER_ELLIPSE_RATIO_RANGE)), 1))
            cv2.ellipse(image, (cx, cy), axes, float(rng.uniform(0, 180)), 0,
                        360, colour, -1, cv2.LINE_AA)
        else:
            pts = (np.array([cx, cy]) + np.cumsum(
                rng.normal(0, size / 2, (int(rng.integers(*CLUTTER_VERTICES_RANGE)), 2)),
                axis=0)).astype(np.int32)
            cv2.polylines(image, [pts], False, colour,
                          int(rng.integers(*CLUTTER_LINE_WIDTH_RANGE_PX)), cv2.LINE_AA)


def _distractors(rng: np.random.Generator, image: np.ndarray,
                 skin_rgb: np.ndarray) -> None:
    """Skin-coloured blobs and finger-like capsules (hard negatives)."""
    h, w = image.shape[:2]
    for _ in range(int(rng.integers(*DISTRACTOR_COUNT_RANGE))):
        base = np.clip(skin_rgb * rng.uniform(*DISTRACTOR_TINT_RANGE, 3), 0, 1)
        dark = tuple(float(c) for c in base * 0.75)
        light = tuple(float(c) for c in base)
        cx, cy = int(rng.integers(0, w)), int(rng.integers(0, h))
        if rng.random() < DISTRACTOR_BLOB_PROB:
            axes = (int(rng.uniform(*BLOB_MAJOR_RANGE) * w),
                    int(rng.uniform(*BLOB_MINOR_RANGE) * w))
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
        thick = rng.uniform(*STROKE_WIDTH_RANGE) * w
        for k in range(int(rng.integers(*STROKE_COUNT_RANGE))):
            start = np.array([cx, cy]) + across * thick * 1.1 * k
            end = start + along * rng.uniform(*STROKE_LENGTH_RANGE) * thick
            p, q = tuple(int(v) for v in start), tuple(int(v) for v in end)
            cv2.line(image, p, q, dark, max(int(thick), 1), cv2.LINE_AA)
            cv2.line(image, p, q, light, max(int(thick * 0.6), 1), cv2.LINE_AA)


BASE_NAMES = tuple(_BASES)


def random_background(rng: np.random.Generator, height: int, width: int,
                      skin_rgb: np.ndarray, clutter: bool = True,
                      bases: Optional[Sequence[str]] = None) -> np.ndarray:
    """Draw a cluttered background.

    Args:
        rng (np.random.Generator): Random source.
        height (int): Image height.
        width (int): Image width.
        skin_rgb (np.ndarray): (3,) the hand's skin colour, for distractors.
        clutter (bool): If False, a plain colour gradient (no texture,
            clutter, distractors or defocus).
        bases (sequence, optional): Base names (of BASE_NAMES) to draw the
            base from; None for all of them.

    Returns:
        np.ndarray: (height, width, 3) float32 RGB in [0, 1].
    """
    if not clutter:
        return np.clip(_gradient(rng, height, width), 0, 1).astype(np.float32)
    # Drawn at half resolution and scaled up: a quarter of the pixels, and
    # backgrounds need no finer detail than the camera blur leaves.
    h, w = max(height // 2, 1), max(width // 2, 1)
    names = BASE_NAMES if bases is None else tuple(bases)
    unknown = set(names) - set(BASE_NAMES)
    if not names or unknown:
        raise ValueError(f'bases must be names of {BASE_NAMES}, got {bases!r}')
    image = _BASES[names[rng.integers(len(names))]](rng, h, w)
    image = np.ascontiguousarray(image, np.float32)
    _clutter(rng, image)
    if rng.random() < DISTRACTOR_PROB:
        _distractors(rng, image, skin_rgb)
    # OpenCV anti-aliases 8-bit images only: a slight blur softens the
    # stair-stepped edges, a strong one is defocus.
    defocus = rng.random() < DEFOCUS_PROB
    image = cv2.GaussianBlur(
        image, (0, 0),
        rng.uniform(*DEFOCUS_SIGMA_RANGE_PX) if defocus else ANTIALIAS_SIGMA_PX)
    np.clip(image, 0, 1, out=image)
    return cv2.resize(image, (width, height), interpolation=cv2.INTER_LINEAR)


def photo_background(rng: np.random.Generator, name: str, height: int,
                     width: int, skin_rgb: np.ndarray) -> np.ndarray:
    """A crop of a real photograph, sometimes with distractors and defocus.

    Args:
        rng (np.random.Generator): Random source.
        name (str): Photograph name (``photos.PHOTO_SOURCES``).
        height (int): Image height.
        width (int): Image width.
        skin_rgb (np.ndarray): (3,) the hand's skin colour, for distractors.

    Returns:
        np.ndarray: (height, width, 3) float32 RGB in [0, 1].
    """
    image = photo_crop(rng, name, height, width)
    if rng.random() < PHOTO_DISTRACTOR_PROB:
        _distractors(rng, image, skin_rgb)
    if rng.random() < PHOTO_DEFOCUS_PROB:
        image = cv2.GaussianBlur(image, (0, 0),
                                 rng.uniform(*PHOTO_DEFOCUS_SIGMA_RANGE_PX))
    return image

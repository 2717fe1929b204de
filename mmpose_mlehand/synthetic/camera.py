"""Perspective camera: intrinsics, projection, lifting and hand placement.

Camera frame as in FreiHAND and RHD: x right, y down, z forward (metres);
``uv = (K @ xyz) / z`` with u the image column and v the row, pixel centres at
integer coordinates.
"""
from dataclasses import dataclass
from typing import Tuple

import numpy as np

from ..hand_format import FREIHAND_IMAGE_SIZE, RHD_IMAGE_SIZE


@dataclass(frozen=True)
class CameraSpec:
    """Ranges of the camera and of the hand's placement in the image.

    Attributes:
        image_size (int): Square image side (px).
        focal_range (tuple): Uniform range of fx = fy (px).
        principal_jitter (float): Max offset of cx and cy from the image
            centre (px).
        hand_size_range (tuple): Range of the longest side of the hand's
            keypoint box, as a fraction of the image side.
        center_jitter (float): Max offset of the keypoint-box centre from the
            image centre, as a fraction of the image side.
        margin (float): Keypoints stay at least this far inside the border (px).
    """

    image_size: int
    focal_range: Tuple[float, float]
    principal_jitter: float
    hand_size_range: Tuple[float, float]
    center_jitter: float
    margin: float


# FreiHAND crops: a square image around one hand that fills much of it.
FREIHAND_CAMERA = CameraSpec(
    image_size=FREIHAND_IMAGE_SIZE,
    focal_range=(500.0, 700.0),
    principal_jitter=8.0,
    hand_size_range=(0.45, 0.75),
    center_jitter=0.08,
    margin=6.0)

# RHD: full frames, principal point at the centre, smaller hands.
RHD_CAMERA = CameraSpec(
    image_size=RHD_IMAGE_SIZE,
    focal_range=(260.0, 310.0),
    principal_jitter=0.0,
    hand_size_range=(0.15, 0.42),
    center_jitter=0.28,
    margin=4.0)

# Nearest depth any placed keypoint may have (metres).
MIN_DEPTH = 0.15

_PLACE_ITERATIONS = 6
_PLACE_RETRIES = 30
# place_in_view: factor on the box size after a failed try (the box centre
# also moves halfway to the image centre).
_PLACE_SHRINK = 0.93
# place_out_of_view: distance of the hand's box centre from the image centre,
# in image sides (uniform), plus the box size.
OUT_OF_VIEW_DISTANCE_RANGE = (1.0, 1.6)
# shift_out_of_frame: how far the keypoint box ends up beyond the image edge,
# as a share of its longest side (uniform).
OUT_OF_FRAME_CUT_RANGE = (0.1, 0.35)


def random_rotation(rng: np.random.Generator) -> np.ndarray:
    """A rotation matrix drawn uniformly from SO(3)."""
    q = rng.normal(size=4)
    w, x, y, z = q / np.linalg.norm(q)
    return np.array([
        [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
        [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
        [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
    ])


def sample_intrinsics(rng: np.random.Generator, spec: CameraSpec) -> np.ndarray:
    """Draw a 3x3 pinhole K (no skew, square pixels)."""
    f = rng.uniform(*spec.focal_range)
    c = spec.image_size / 2 + rng.uniform(-spec.principal_jitter,
                                          spec.principal_jitter, size=2)
    return np.array([[f, 0.0, c[0]], [0.0, f, c[1]], [0.0, 0.0, 1.0]])


def sample_hand_box(rng: np.random.Generator,
                    spec: CameraSpec) -> Tuple[float, np.ndarray]:
    """Draw the keypoint box's longest side (px) and its centre (px)."""
    size = rng.uniform(*spec.hand_size_range) * spec.image_size
    centre = spec.image_size / 2 + rng.uniform(
        -spec.center_jitter, spec.center_jitter, size=2) * spec.image_size
    return size, centre


def project(xyz: np.ndarray, K: np.ndarray) -> np.ndarray:
    """Project (N, 3) camera-frame points to (N, 2) pixels (FreiHAND rule)."""
    uvw = np.asarray(xyz, dtype=np.float64) @ np.asarray(K, np.float64).T
    return uvw[:, :2] / uvw[:, 2:3]


def lift(uv: np.ndarray, z: np.ndarray, K: np.ndarray) -> np.ndarray:
    """Inverse of :func:`project`: (N, 2) pixels at depths (N,) to (N, 3)."""
    uv = np.asarray(uv, dtype=np.float64)
    ones = np.ones((len(uv), 1))
    rays = np.concatenate([uv, ones], axis=1) @ np.linalg.inv(K).T
    return rays / rays[:, 2:3] * np.asarray(z, np.float64)[:, None]


def _box(uv: np.ndarray) -> Tuple[float, np.ndarray]:
    lo, hi = uv.min(axis=0), uv.max(axis=0)
    return float((hi - lo).max()), (lo + hi) / 2


def _fit(points: np.ndarray, K: np.ndarray, box_size: float,
         box_center: np.ndarray) -> np.ndarray:
    """Translation giving ``points`` a projected box of the wanted size/centre."""
    f, c = K[0, 0], K[:2, 2]
    mid = (points.min(axis=0) + points.max(axis=0)) / 2
    extent = max(np.ptp(points[:, :2], axis=0).max(), 1e-3)
    # Start from the orthographic estimate, then correct for perspective.
    z = max(f * extent / box_size, MIN_DEPTH - points[:, 2].min() + mid[2])
    t = np.array([*((box_center - c) * z / f), z]) - mid
    for _ in range(_PLACE_ITERATIONS):
        size, centre = _box(project(points + t, K))
        z = (t[2] + mid[2]) * size / box_size
        z = max(z, MIN_DEPTH - points[:, 2].min() + mid[2])
        t[2] = z - mid[2]
        size, centre = _box(project(points + t, K))
        t[:2] += (box_center - centre) * z / f
    return t


def place_in_view(points: np.ndarray, K: np.ndarray, spec: CameraSpec,
                  box_size: float, box_center: np.ndarray) -> np.ndarray:
    """Translate points so their keypoint box has the given size and centre.

    The box shrinks and moves towards the image centre until every point lies
    at least ``spec.margin`` inside the (square) image and ``MIN_DEPTH`` in
    front; :func:`place_in_frame` for any image shape.

    Args:
        points (np.ndarray): (N, 3) rotated points around any origin (metres).
        K (np.ndarray): 3x3 intrinsics.
        spec (CameraSpec): Image size and margin.
        box_size (float): Wanted longest side of the projected box (px).
        box_center (np.ndarray): Wanted box centre (px).

    Returns:
        np.ndarray: the translation (3,) to add to ``points``.
    """
    return place_in_frame(points, K, (spec.image_size, spec.image_size),
                          spec.margin, box_size, box_center)


def place_in_frame(points: np.ndarray, K: np.ndarray, frame: Tuple[int, int],
                   margin: float, box_size: float,
                   box_center: np.ndarray) -> np.ndarray:
    """:func:`place_in_view` in a ``frame = (width, height)`` image.

    Raises:
        RuntimeError: if no try fits the points inside the frame.
    """
    size = np.asarray(frame, np.float64)
    lo, hi = margin, size - 1 - margin
    image_centre = (size - 1) / 2
    centre = np.asarray(box_center, np.float64)
    for _ in range(_PLACE_RETRIES):
        t = _fit(points, K, box_size, centre)
        placed = points + t
        uv = project(placed, K)
        if (placed[:, 2] >= MIN_DEPTH - 1e-9).all() and (uv >= lo).all() \
                and (uv <= hi).all():
            return t
        box_size *= _PLACE_SHRINK
        centre = (centre + image_centre) / 2
    raise RuntimeError('could not place the hand inside the image')


def place_out_of_view(points: np.ndarray, K: np.ndarray, spec: CameraSpec,
                      box_size: float,
                      rng: np.random.Generator) -> np.ndarray:
    """Translate points so that every one projects outside the image.

    RHD gives both hands coordinates even when one is out of the frame; this
    places such a hand beside the image at a plausible depth (z > 0).
    """
    n = spec.image_size
    for _ in range(_PLACE_RETRIES):
        angle = rng.uniform(0, 2 * np.pi)
        distance = n * rng.uniform(*OUT_OF_VIEW_DISTANCE_RANGE) + box_size
        centre = (n - 1) / 2 + distance * np.array([np.cos(angle),
                                                    np.sin(angle)])
        t = _fit(points, K, box_size, centre)
        uv = project(points + t, K)
        outside = (uv < 0).any(axis=1) | (uv > n - 1).any(axis=1)
        if outside.all() and (points[:, 2] + t[2] > MIN_DEPTH).all():
            return t
    raise RuntimeError('could not place the hand outside the image')


def shift_out_of_frame(points: np.ndarray, translation: np.ndarray,
                       K: np.ndarray, frame: Tuple[int, int],
                       rng: np.random.Generator) -> np.ndarray:
    """Move a placed hand sideways so that part of it leaves the image.

    One of the four image edges is drawn; the hand moves parallel to the
    image plane (its depth is unchanged) until its keypoint box crosses that
    edge by a share OUT_OF_FRAME_CUT_RANGE of the box's longest side (exactly
    for the keypoint that was outermost towards the edge; perspective may
    make another one the outermost). The keypoints stay exact: they are
    ``points`` plus the returned translation.

    Args:
        points (np.ndarray): (N, 3) rotated points (as for place_in_view).
        translation (np.ndarray): (3,) translation from place_in_view.
        K (np.ndarray): 3x3 intrinsics.
        frame (tuple): ``(width, height)`` of the image (px).
        rng (np.random.Generator): Draws the edge and the cut (2 draws).

    Returns:
        np.ndarray: the new translation (3,).
    """
    placed = points + translation
    uv = project(placed, K)
    lo, hi = uv.min(axis=0), uv.max(axis=0)
    edge = int(rng.integers(4))  # left, right, top, bottom
    cut = rng.uniform(*OUT_OF_FRAME_CUT_RANGE) * float((hi - lo).max())
    axis = edge // 2
    if edge % 2 == 0:
        shift = -(lo[axis] + cut)
        outermost = int(np.argmin(uv[:, axis]))
    else:
        shift = frame[axis] - 1 - hi[axis] + cut
        outermost = int(np.argmax(uv[:, axis]))
    moved = np.array(translation, np.float64)
    moved[axis] += shift * placed[outermost, 2] / K[axis, axis]
    return moved

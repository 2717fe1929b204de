"""Skin texture: low-frequency albedo blotches, palm creases, joint creases.

Applied to the shaded image, on skin pixels only (hands, arms, faces), as
multiplicative factors (shading is linear in the albedo, so this modulates the
albedo):

- blotches: a smooth random field (value noise) of a few percent;
- finger-joint creases: thin dark lines across each finger segment near its
  joints on the palmar side, and fainter knuckle wrinkles over the PIP and DIP
  joints on the back (bands of the segment's axial coordinate
  ``RenderBuffers.along``);
- palm creases: the distal and proximal transverse creases and the thenar
  crease, polylines in the hand frame (each palm pixel is lifted to 3-D with
  its depth and moved into its hand's frame), on the palmar side;
- with ``dorsal_detail`` (style ``photo-varied``): on the back of the hand
  the extensor tendons, lighter ridges from near the wrist to the index to
  little finger knuckles, and the knuckles, lighter bumps over those joints:
  what a camera sees on the back and never on the palm, so the image tells
  back from palm (real photographs confuse them in 16-18% of frames).
"""
from typing import Tuple

import cv2
import numpy as np

from ..hand_format import RHD_MASK_LEFT_RANGE, RHD_MASK_RIGHT_RANGE
from .renderer import MaterialTable, RenderBuffers
from .scene import NUM_LABELS, Scene

# Blotches: grid cells of the random field across the image (rng.integers
# bounds, high end exclusive), its amplitude (relative albedo change) and the
# per-channel weight of the change (blotches are redder or paler).
BLOTCH_CELLS_RANGE = (4, 10)
BLOTCH_AMPLITUDE_RANGE = (0.03, 0.10)
BLOTCH_CHANNEL_WEIGHTS = np.array([0.7, 1.0, 1.1], np.float32)
# A surface is on the palmar (dorsal) side where the cosine between its normal
# and the part's palmar direction is above (below minus) this.
CREASE_SIDE_COS = 0.15
# Lines have a soft profile: full darkening on the line, fading linearly to
# none at this many half widths from it.
LINE_FADE = 2.0
# Finger creases: distance of a crease from the segment's end, in units of
# the segment's length (uniform per image), and the half width of the line in
# the same units.
FINGER_CREASE_OFFSET_RANGE = (0.06, 0.14)
FINGER_CREASE_HALF_WIDTH = 0.02
# Knuckle wrinkles on the back: their half width (segment-length units).
KNUCKLE_HALF_WIDTH = 0.03
# Albedo factor on a palmar crease and on a knuckle wrinkle (uniform per
# image).
CREASE_DARKEN_RANGE = (0.65, 0.85)
KNUCKLE_DARKEN_RANGE = (0.82, 0.93)
# Palm creases: polylines in the right-hand frame (x radial, y distal, metres
# for a hand of scale 1; hand_model.ROOT_POSITIONS are the knuckles): the
# distal transverse ("heart"), proximal transverse ("head") and thenar
# ("life") creases.
PALM_CREASES = (
    np.array([[-0.037, 0.060], [-0.012, 0.066], [0.012, 0.076]]),
    np.array([[0.026, 0.058], [0.002, 0.050], [-0.030, 0.041]]),
    np.array([[0.024, 0.056], [0.012, 0.041], [0.010, 0.022],
              [0.017, 0.004]]),
)
# Per-image shift of each palm crease (Gaussian sigma, metres times the hand
# scale) and the half width of a palm crease line (px).
PALM_CREASE_JITTER = 0.003
PALM_CREASE_HALF_WIDTH_PX = 0.7
# Back of the hand (dorsal_detail): the index..little finger knuckles (the
# MCP roots of hand_model.ROOT_POSITIONS, hand frame, scale 1) and the
# tendons running to them from near the wrist, converging to a share
# TENDON_CONVERGENCE of the knuckles' x; ridges of half width
# TENDON_HALF_WIDTH_PX, knuckle bumps of radius KNUCKLE_BUMP_RADIUS (metres
# times the hand scale); albedo factors above 1 (lighter), uniform per image.
DORSAL_KNUCKLES = np.array([[0.022, 0.086], [0.002, 0.088], [-0.016, 0.082],
                            [-0.032, 0.072]])
TENDON_START_Y = 0.012
TENDON_CONVERGENCE = 0.45
TENDON_HALF_WIDTH_PX = 1.2
TENDON_LIGHTEN_RANGE = (1.06, 1.16)
KNUCKLE_BUMP_RADIUS = 0.008
KNUCKLE_LIGHTEN_RANGE = (1.08, 1.2)


def _part_tables() -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-label finger segment (-1: none), palm flag and hand side index."""
    segment = np.full(NUM_LABELS, -1, np.int64)
    palm = np.zeros(NUM_LABELS, bool)
    side = np.full(NUM_LABELS, -1, np.int64)
    for s, (first, last) in enumerate((RHD_MASK_LEFT_RANGE,
                                       RHD_MASK_RIGHT_RANGE)):
        for label in range(first, last + 1):
            rel = label - first
            side[label] = s
            if rel == 15:
                palm[label] = True
            else:
                # scene.part_label numbers a finger's labels tip first.
                segment[label] = 2 - rel % 3
    return segment, palm, side


_SEGMENT, _PALM, _SIDE = _part_tables()
_SIDES = ('left', 'right')


def _segment_distance(points: np.ndarray, line: np.ndarray) -> np.ndarray:
    """(N,) distance from 2-D points to a polyline (M, 2)."""
    best = np.full(len(points), np.inf)
    for a, b in zip(line[:-1], line[1:]):
        d = b - a
        t = np.clip(((points - a) @ d) / max(d @ d, 1e-12), 0.0, 1.0)
        best = np.minimum(best, np.hypot(points[:, 0] - a[0] - t * d[0],
                                         points[:, 1] - a[1] - t * d[1]))
    return best


def _line_weight(distance: np.ndarray, half_width) -> np.ndarray:
    """Darkening weight of a line (1 on it, 0 beyond LINE_FADE half widths)."""
    return np.clip((LINE_FADE - distance / half_width) / (LINE_FADE - 1),
                   0.0, 1.0)


def _palm_pixels_in_hand_frame(idx: np.ndarray, cols: np.ndarray, rows: np.ndarray,
                               buffers: RenderBuffers, scene: Scene, K: np.ndarray):
    """Palm pixels lifted into their hand's frame, one hand at a time.

    Yields:
        tuple: ``pick`` (len(idx),) bool, the hand's palm pixels; their
        hand-frame x, y (P, 2); their depth z (P,); the hand's scale.
    """
    label = np.take(buffers.label, idx)
    depth = np.take(buffers.depth, idx).astype(np.float64)
    for s, name in enumerate(_SIDES):
        if name not in scene.hand_frames:
            continue
        pick = _PALM[label] & (_SIDE[label] == s)
        if not pick.any():
            continue
        to_camera, translation, scale = scene.hand_frames[name]
        z = depth[pick]
        camera = np.stack([(cols[pick] - K[0, 2]) / K[0, 0] * z,
                           (rows[pick] - K[1, 2]) / K[1, 1] * z, z], axis=1)
        # to_camera is orthogonal (a rotation, mirrored for a left hand).
        local = (camera - translation) @ to_camera
        yield pick, local[:, :2], z, scale


def _palm_creases(idx: np.ndarray, cols: np.ndarray, rows: np.ndarray,
                  buffers: RenderBuffers, scene: Scene, K: np.ndarray,
                  shifts: np.ndarray) -> np.ndarray:
    """(len(idx),) darkening weight of the palm creases (0 off the palm)."""
    on = np.zeros(len(idx))
    for pick, local, z, scale in _palm_pixels_in_hand_frame(idx, cols, rows, buffers, scene, K):
        half_width = PALM_CREASE_HALF_WIDTH_PX * z / K[0, 0]
        weight = np.zeros(len(z))
        for line, shift in zip(PALM_CREASES, shifts):
            weight = np.maximum(weight, _line_weight(_segment_distance(
                local, (line + shift) * scale), half_width))
        on[pick] = weight
    return on


def _dorsal_ridges(idx: np.ndarray, cols: np.ndarray, rows: np.ndarray,
                   buffers: RenderBuffers, scene: Scene,
                   K: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """(len(idx),) weights of the tendons and of the knuckle bumps on the
    palm part (0 off it; the caller keeps the dorsal side)."""
    tendons, bumps = np.zeros(len(idx)), np.zeros(len(idx))
    for pick, local, z, scale in _palm_pixels_in_hand_frame(idx, cols, rows, buffers, scene, K):
        half_width = TENDON_HALF_WIDTH_PX * z / K[0, 0]
        tendon, bump = np.zeros(len(z)), np.zeros(len(z))
        for x, y in DORSAL_KNUCKLES:
            line = np.array([[x * TENDON_CONVERGENCE, TENDON_START_Y], [x, y]]) * scale
            tendon = np.maximum(tendon, _line_weight(_segment_distance(local, line),
                                                     half_width))
            distance = np.hypot(local[:, 0] - x * scale, local[:, 1] - y * scale)
            bump = np.maximum(bump, np.clip(1 - distance / (KNUCKLE_BUMP_RADIUS * scale),
                                            0.0, 1.0))
        tendons[pick], bumps[pick] = tendon, bump
    return tendons, bumps


def apply_skin_texture(rng: np.random.Generator, image: np.ndarray,
                       buffers: RenderBuffers, materials: MaterialTable,
                       scene: Scene, K: np.ndarray,
                       dorsal_detail: bool = False) -> np.ndarray:
    """Blotches and creases on the skin pixels of a shaded image.

    Args:
        rng (np.random.Generator): Random source (the same number of draws
            whatever the image shows).
        image (np.ndarray): (H, W, 3) float32 output of ``renderer.shade``.
        buffers (RenderBuffers): The render buffers of ``image``.
        materials (MaterialTable): The materials ``image`` was shaded with.
        scene (Scene): The scene (palmar directions, hand frames).
        K (np.ndarray): 3x3 intrinsics.
        dorsal_detail (bool): Also the tendons and knuckles on the back of
            the hand (drawn after every other number, so the rest of the
            texture is the same with and without them).

    Returns:
        np.ndarray: a new (H, W, 3) float32 image; pixels that are not skin
        are unchanged.
    """
    height, width = buffers.label.shape
    cells = int(rng.integers(*BLOTCH_CELLS_RANGE))
    field = rng.random((cells, cells)).astype(np.float32)
    amplitude = np.float32(rng.uniform(*BLOTCH_AMPLITUDE_RANGE))
    offset = rng.uniform(*FINGER_CREASE_OFFSET_RANGE)
    crease = np.float32(rng.uniform(*CREASE_DARKEN_RANGE))
    knuckle = np.float32(rng.uniform(*KNUCKLE_DARKEN_RANGE))
    shifts = rng.normal(0.0, PALM_CREASE_JITTER, (len(PALM_CREASES), 2))
    if dorsal_detail:
        tendon_gain = np.float32(rng.uniform(*TENDON_LIGHTEN_RANGE))
        bump_gain = np.float32(rng.uniform(*KNUCKLE_LIGHTEN_RANGE))
    out = np.array(image, np.float32)
    skin = np.take(materials.skin, buffers.material) & (buffers.label > 0)
    idx = np.flatnonzero(skin)
    if not idx.size:
        return out
    smooth = cv2.resize(field, (width, height), interpolation=cv2.INTER_CUBIC)
    blotch = np.take(smooth.reshape(-1), idx) * 2 - 1
    factor = 1 + amplitude * blotch[:, None] * BLOTCH_CHANNEL_WEIGHTS
    label = np.take(buffers.label, idx)
    normal = np.take(buffers.normal.reshape(3, -1), idx, axis=1)
    cos_palmar = np.einsum('ij,ji->i', scene.palmar_dirs[label], normal)
    palmar = cos_palmar > CREASE_SIDE_COS
    dorsal = cos_palmar < -CREASE_SIDE_COS
    segment = _SEGMENT[label]
    along = np.take(buffers.along, idx)
    # Creases near both ends of a segment, except at a fingertip.
    near_root = _line_weight(np.abs(along - offset), FINGER_CREASE_HALF_WIDTH)
    near_tip = _line_weight(np.abs(along - (1 - offset)),
                            FINGER_CREASE_HALF_WIDTH) * (segment < 2)
    finger = palmar & (segment >= 0)
    rows, cols = np.divmod(idx, width)
    palm = _palm_creases(idx, cols.astype(np.float64), rows.astype(np.float64),
                         buffers, scene, K, shifts)
    crease_weight = np.where(finger, np.maximum(near_root, near_tip),
                             palm * palmar)
    wrinkle_weight = _line_weight(np.abs(along - (1 - offset)),
                                  KNUCKLE_HALF_WIDTH) * (
        dorsal & (segment >= 0) & (segment < 2))
    factor *= (1 - (1 - crease) * crease_weight)[:, None]
    factor *= (1 - (1 - knuckle) * wrinkle_weight)[:, None]
    if dorsal_detail:
        tendons, bumps = _dorsal_ridges(idx, cols.astype(np.float64), rows.astype(np.float64),
                                        buffers, scene, K)
        factor *= (1 + (tendon_gain - 1) * tendons * dorsal)[:, None]
        factor *= (1 + (bump_gain - 1) * bumps * dorsal)[:, None]
    flat = out.reshape(-1, 3)
    flat[idx] *= factor
    return out

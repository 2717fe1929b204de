"""Contact sheet of synthetic samples with their keypoints and skeletons.

Visible keypoints are filled dots; keypoints hidden by the depth test (behind
another hand part or an object, or outside the image) are hollow rings. Bones
are coloured per finger (thumb red, index orange, middle green, ring blue,
pinky magenta).
"""
from typing import List

import cv2
import numpy as np

from ..hand_format import (FREIHAND_BONES, FREIHAND_IMAGE_SIZE, NUM_KEYPOINTS, RHD_IMAGE_SIZE,
                           RHD_TO_FREIHAND)
from ..utils.atomic_io import atomic_write_bytes
from .samples import render_freihand_sample, render_rhd_sample

FINGER_COLOURS = ((230, 40, 40), (255, 150, 0), (40, 200, 40),
                  (40, 120, 255), (220, 40, 220))
_HEADER = 22


def draw_hand(image: np.ndarray, uv: np.ndarray, visible: np.ndarray,
              scale: float = 1.0) -> None:
    """Draw one hand's skeleton (FreiHAND order) onto an RGB image in place.

    Args:
        image (np.ndarray): RGB uint8 image.
        uv (np.ndarray): (21, 2) keypoints in the original image's pixels.
        visible (np.ndarray): (21,) bool visibility.
        scale (float): Factor from the original image to ``image``.
    """
    pts = [tuple(int(round(c)) for c in p * scale) for p in uv]
    for b, (parent, child) in enumerate(FREIHAND_BONES):
        cv2.line(image, pts[parent], pts[child], FINGER_COLOURS[b // 4], 1,
                 cv2.LINE_AA)
    for k, p in enumerate(pts):
        colour = (255, 255, 255) if k == 0 else FINGER_COLOURS[(k - 1) // 4]
        if visible[k]:
            cv2.circle(image, p, 3, colour, -1, cv2.LINE_AA)
            cv2.circle(image, p, 3, (0, 0, 0), 1, cv2.LINE_AA)
        else:
            cv2.circle(image, p, 3, colour, 1, cv2.LINE_AA)


def _caption(width: int, text: str) -> np.ndarray:
    strip = np.full((_HEADER, width, 3), 255, np.uint8)
    cv2.putText(strip, text, (6, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.45,
                (0, 0, 0), 1, cv2.LINE_AA)
    return strip


def _freihand_tile(seed: int, index: int, tile: int, style: str) -> np.ndarray:
    sample = render_freihand_sample(seed, 'training', index, style=style)
    image = cv2.resize(sample.images[0], (tile, tile),
                       interpolation=cv2.INTER_AREA)
    draw_hand(image, sample.uv, sample.visible,
              tile / sample.images[0].shape[1])
    return image


def _freihand_row(seed: int, count: int, width: int, style: str) -> np.ndarray:
    """One row of ``count`` FreiHAND-format tiles, padded to ``width``."""
    side = width // count
    row = np.concatenate([_freihand_tile(seed, i, side, style)
                          for i in range(count)], axis=1)
    return np.pad(row, ((0, 0), (0, width - row.shape[1]), (0, 0)),
                  constant_values=255)


def make_contact_sheet(path: str, seed: int = 0, grid: int = 4,
                       rhd_count: int = 4, tile: int = FREIHAND_IMAGE_SIZE,
                       clean_count: int = 4,
                       photo_count: int = 4) -> np.ndarray:
    """Render samples of both formats into one PNG.

    Args:
        path (str): Output PNG path.
        seed (int): Dataset seed of the samples (training split, ids 0..).
        grid (int): The FreiHAND-format part is ``grid x grid`` samples.
        rhd_count (int): Number of RHD-format samples (one row).
        tile (int): Tile side in pixels (default: FreiHAND's image size, so
            its samples are shown unscaled).
        clean_count (int): Number of FreiHAND-format samples of the
            ``clean`` scene style (one row; 0 for none).
        photo_count (int): Number of FreiHAND-format samples of the
            ``photo`` scene style, ``train`` family (one row; 0 for none).

    Returns:
        np.ndarray: the sheet as RGB uint8.
    """
    width = grid * tile
    rows: List[np.ndarray] = [_caption(
        width, f'FreiHAND format ({FREIHAND_IMAGE_SIZE}x{FREIHAND_IMAGE_SIZE}, '
        f'seed {seed}); filled = visible, ring = hidden')]
    tiles = [_freihand_tile(seed, i, tile, 'full') for i in range(grid * grid)]
    for r in range(grid):
        rows.append(np.concatenate(tiles[r * grid:(r + 1) * grid], axis=1))
    if clean_count > 0:
        rows.append(_caption(width, 'FreiHAND format, --style clean (the quick '
                             'start\'s data)'))
        rows.append(_freihand_row(seed, clean_count, width, 'clean'))
    if photo_count > 0:
        rows.append(_caption(width, 'FreiHAND format, --style photo '
                             '(webcam-like)'))
        rows.append(_freihand_row(seed, photo_count, width, 'photo'))
    rows.append(_caption(width, f'RHD format ({RHD_IMAGE_SIZE}x{RHD_IMAGE_SIZE}, shown '
                         'scaled; both hands drawn, a hand out of the frame is not)'))
    tiles = []
    for i in range(rhd_count):
        sample = render_rhd_sample(seed, 'training', i)
        size = sample.image.shape[1]
        image = cv2.resize(sample.image, (width // rhd_count,) * 2,
                           interpolation=cv2.INTER_AREA)
        for h in range(2):
            hand = sample.uv_vis[h * NUM_KEYPOINTS:(h + 1) * NUM_KEYPOINTS]
            hand = hand[list(RHD_TO_FREIHAND)]
            if hand[:, 2].any():
                draw_hand(image, hand[:, :2], hand[:, 2] > 0,
                          (width // rhd_count) / size)
        tiles.append(image)
    row = np.concatenate(tiles, axis=1)
    rows.append(np.pad(row, ((0, 0), (0, width - row.shape[1]), (0, 0)),
                       constant_values=255))
    sheet = np.concatenate(rows, axis=0)
    ok, data = cv2.imencode('.png', sheet[..., ::-1])
    if not ok:
        raise RuntimeError('PNG encoding failed')
    atomic_write_bytes(path, data.tobytes())
    return sheet

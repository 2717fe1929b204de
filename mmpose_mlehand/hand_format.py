"""Facts about the FreiHAND and RHD formats shared by converters, generator and configs.

This module is the single source of truth for the number of keypoints, keypoint
order, image sizes, hand sides, the RHD-to-FreiHAND index map, RHD mask labels and
depth coding, and the keypoint bounding-box rule: every other module (converters,
generator, tests) imports these facts from here. It is plain data code (numpy only)
so converters and the synthetic generator can use it without importing torch or
MMPose.
"""
from typing import Tuple

import numpy as np

NUM_KEYPOINTS = 21

# FreiHAND order (also MMPose's ``freihand2d`` metainfo): wrist, then each finger
# from root to tip (thumb CMC, MCP, IP, tip; other fingers MCP, PIP, DIP, tip).
FINGER_NAMES = ('thumb', 'forefinger', 'middle_finger', 'ring_finger',
                'pinky_finger')
FREIHAND_KEYPOINT_NAMES = ('wrist', ) + tuple(
    f'{finger}{j}' for finger in FINGER_NAMES for j in range(1, 5))

# Bones as (parent, child) pairs in FreiHAND order.
FREIHAND_BONES = tuple((0 if j == 0 else 1 + 4 * f + j - 1, 1 + 4 * f + j)
                       for f in range(5) for j in range(4))

# FreiHAND release layout.
FREIHAND_IMAGE_SIZE = 224
FREIHAND_NUM_VERSIONS = 4  # gs, hom, sample, auto

# Clean training labels that the synthetic generator writes next to noisy ones
# (label-noise experiments). The converters use them for the validation and
# test splits they carve from the training set; they never exist in releases.
FREIHAND_CLEAN_TRAINING_XYZ = 'training_xyz_clean.json'
RHD_CLEAN_TRAINING_ANNO = 'anno_training_clean.pickle'

# RHD release layout.
RHD_IMAGE_SIZE = 320
# Hand sides, in RHD's row order: uv_vis and xyz rows 0-20 are the left hand,
# 21-41 the right hand. The generator names hands by these strings too.
HAND_SIDES = ('left', 'right')
# RHD depth maps code 0 to RHD_MAX_DEPTH_M metres in 16 bits (red high byte,
# green low byte): depth_m = (R * 256 + G) / 65535 * RHD_MAX_DEPTH_M.
RHD_MAX_DEPTH_M = 5.0

# RHD order within one hand: wrist, then each finger from tip to root.
# ``RHD_TO_FREIHAND[i]`` is the RHD index of FreiHAND keypoint i, so
# ``freihand_kpts = rhd_kpts[RHD_TO_FREIHAND]``. The map is its own inverse.
RHD_TO_FREIHAND = (0, ) + tuple(4 + 4 * f - j for f in range(5)
                                for j in range(4))

# RHD mask labels: 0 background, 1 person, 2-17 left hand, 18-33 right hand.
# Within a hand: 3 labels per finger (thumb, index, middle, ring, pinky; tip to
# palm) and then the palm.
RHD_MASK_PERSON = 1
RHD_MASK_LEFT_RANGE = (2, 17)  # inclusive
RHD_MASK_RIGHT_RANGE = (18, 33)  # inclusive

# Keypoint-extent box rule used by MMPose's RHD files (InterHand2.6M's get_bbox).
KEYPOINT_BBOX_SCALE = 1.2

# FreiHAND mask threshold tolerating JPEG noise.
MASK_THRESHOLD = 127


def keypoint_bbox(keypoints: np.ndarray,
                  scale: float = KEYPOINT_BBOX_SCALE
                  ) -> Tuple[float, float, float, float]:
    """Box of the keypoint extent scaled about its centre.

    Args:
        keypoints (np.ndarray): (N, 2+) array of x, y (extra columns ignored).
        scale (float): Factor applied to width and height about the centre.

    Returns:
        tuple: ``(x, y, w, h)`` as floats, not clipped to the image.

    Example:
        x from 170.4 to 248.7 gives w = 78.3 * 1.2 = 93.96 and
        x = 209.55 - 46.98 = 162.57 (MMPose's RHD sample 111).
    """
    pts = np.asarray(keypoints, dtype=np.float64)[:, :2]
    x_min, y_min = pts.min(axis=0)
    x_max, y_max = pts.max(axis=0)
    cx, cy = (x_min + x_max) / 2, (y_min + y_max) / 2
    w, h = (x_max - x_min) * scale, (y_max - y_min) * scale
    return float(cx - w / 2), float(cy - h / 2), float(w), float(h)


def rectangle_segmentation(bbox) -> list:
    """MMPose's FreiHAND 8-point rectangle polygon for an integer box.

    Corners and edge midpoints in the order of MMPose's fixture:
    (x1,y1) (x1,cy) (x1,y2) (cx,y2) (x2,y2) (x2,cy) (x2,y1) (cx,y1), with
    x2 = x + w - 1 and y2 = y + h - 1.
    """
    x1, y1, w, h = bbox
    x2, y2 = x1 + w - 1, y1 + h - 1
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
    return [[x1, y1, x1, cy, x1, y2, cx, y2, x2, y2, x2, cy, x2, y1, cx, y1]]

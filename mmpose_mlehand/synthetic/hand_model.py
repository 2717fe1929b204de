"""Kinematic 3-D hand: bone lengths, joint limits, pose sampling, kinematics.

Hand frame, in metres: the origin is the wrist keypoint, +y is distal (wrist
towards the middle-finger MCP), +z is palmar (out of the palm) and +x radial
(towards the thumb) for a right hand, so (x, y, z) is right-handed. A left hand
is the mirror image x -> -x (see :func:`mirror_matrix`). Keypoints follow
FreiHAND order (``hand_format.FREIHAND_KEYPOINT_NAMES``).

Joint angles are a ``(5, 4)`` array in degrees, one row per finger (thumb,
index, middle, ring, pinky):

- thumb: CMC flexion (across and towards the palm), CMC abduction (away from the
  index finger), MCP flexion, IP flexion;
- other fingers: MCP flexion, MCP spread (towards the thumb side, added to the
  finger's rest fan angle), PIP flexion, DIP flexion.

Positive flexion bends a segment towards the palm; negative is hyper-extension.
Every sampled angle lies inside :data:`JOINT_LIMITS_DEG`, and every bone length
inside :data:`BONE_LENGTH_LIMITS`.
"""
from dataclasses import dataclass
from typing import Dict, Sequence, Tuple

import numpy as np

from ..hand_format import FINGER_NAMES, FREIHAND_BONES, HAND_SIDES, NUM_KEYPOINTS

NUM_FINGERS = len(FINGER_NAMES)

# Finger-root joints (thumb CMC, then index..pinky MCP) of an average adult
# right hand in the hand frame. The ring and pinky roots sit slightly palmar:
# the transverse metacarpal arch.
ROOT_POSITIONS = np.array([
    [0.021, 0.024, 0.007],
    [0.022, 0.086, 0.000],
    [0.002, 0.088, 0.000],
    [-0.016, 0.082, 0.003],
    [-0.032, 0.072, 0.006],
])

# Joint-to-joint segment lengths from the root outwards (thumb: CMC-MCP,
# MCP-IP, IP-tip; fingers: MCP-PIP, PIP-DIP, DIP-tip); the tip is the end of
# the finger pad, a few mm past the distal bone.
PHALANX_LENGTHS = np.array([
    [0.042, 0.032, 0.028],
    [0.042, 0.025, 0.022],
    [0.046, 0.029, 0.024],
    [0.043, 0.027, 0.023],
    [0.034, 0.020, 0.021],
])

# Finger radius (metres) at the root, the two middle joints and the tip.
FINGER_RADII = np.array([
    [0.0150, 0.0118, 0.0102, 0.0090],
    [0.0105, 0.0094, 0.0083, 0.0076],
    [0.0110, 0.0098, 0.0086, 0.0078],
    [0.0102, 0.0092, 0.0080, 0.0073],
    [0.0092, 0.0082, 0.0073, 0.0067],
])
# Forearm radius at the wrist; the forearm is wider than the wrist keypoint.
WRIST_RADIUS = 0.024

# Per-hand variation: a global size factor, an independent factor per bone, a
# palm-width factor (x of the roots) and a finger-thickness factor.
HAND_SCALE_RANGE = (0.85, 1.15)
BONE_JITTER = 0.06
PALM_WIDTH_RANGE = (0.92, 1.08)
THICKNESS_RANGE = (0.90, 1.12)

# Rest fan angle of each finger about +z (degrees, positive towards the thumb);
# the thumb's entry is unused (its base frame is THUMB_BASE_FRAME).
FINGER_FAN_DEG = np.array([0.0, 7.0, 0.0, -7.0, -14.0])
# Spread per unit of a pose template's "fan" value (index towards the thumb,
# ring and pinky away from it).
SPREAD_PER_FAN_DEG = np.array([0.0, 12.0, 2.0, -8.0, -16.0])

# Joint limits in degrees, shape (5 fingers, 4 angles, [min, max]); the angle
# meaning per column is in the module docstring.
JOINT_LIMITS_DEG = np.array([
    [[-20.0, 55.0], [-15.0, 50.0], [-10.0, 65.0], [-15.0, 85.0]],
    [[-25.0, 90.0], [-20.0, 20.0], [0.0, 105.0], [-10.0, 80.0]],
    [[-25.0, 90.0], [-20.0, 20.0], [0.0, 105.0], [-10.0, 80.0]],
    [[-25.0, 90.0], [-20.0, 20.0], [0.0, 105.0], [-10.0, 80.0]],
    [[-25.0, 90.0], [-20.0, 20.0], [0.0, 105.0], [-10.0, 80.0]],
])

# Thumb opposition: the metacarpal rolls about its own axis as it flexes
# across the palm so that the thumb pad turns towards the fingertips.
THUMB_ROLL_PER_FLEX = 0.8


def _thumb_base_frame() -> np.ndarray:
    """Rest frame of the thumb metacarpal: columns (flex axis, bone, palmar)."""
    bone = np.array([0.62, 0.70, 0.36])
    bone /= np.linalg.norm(bone)
    # The thumb flexes towards the ulnar, palmar side of the palm.
    palmar = np.array([-0.8, 0.0, 0.6])
    palmar -= palmar.dot(bone) * bone
    palmar /= np.linalg.norm(palmar)
    return np.stack([np.cross(bone, palmar), bone, palmar], axis=1)


THUMB_BASE_FRAME = _thumb_base_frame()

# Curl 1.0 of a finger in a pose template: (MCP, PIP, DIP) flexion in degrees.
CURL_DEG = np.array([85.0, 100.0, 65.0])

_EXTENDED_THUMB = (0.0, 25.0, 5.0, 5.0)
_FOLDED_THUMB = (10.0, -10.0, 50.0, 55.0)
_OPPOSED_THUMB = (27.0, -7.0, 12.0, 8.0)

# Natural poses: (curl of index..pinky in [0, 1], fan, thumb angles in degrees
# as CMC flexion, CMC abduction, MCP flexion, IP flexion).
POSE_TEMPLATES: Dict[str, Tuple[Tuple[float, ...], float, Tuple[float, ...]]] = {
    'open': ((0.0, 0.0, 0.0, 0.0), 1.0, _EXTENDED_THUMB),
    'flat': ((0.0, 0.0, 0.0, 0.0), 0.0, (-5.0, 5.0, 0.0, 0.0)),
    'relaxed': ((0.25, 0.3, 0.35, 0.4), 0.5, (15.0, 20.0, 15.0, 15.0)),
    'fist': ((1.0, 1.0, 1.0, 1.0), 0.0, _FOLDED_THUMB),
    'point': ((0.0, 1.0, 1.0, 1.0), 0.0, _FOLDED_THUMB),
    'victory': ((0.0, 0.0, 1.0, 1.0), 1.0, _FOLDED_THUMB),
    'three': ((0.0, 0.0, 0.0, 1.0), 0.6, _FOLDED_THUMB),
    'four': ((0.0, 0.0, 0.0, 0.0), 0.4, (50.0, -5.0, 40.0, 30.0)),
    'thumbs_up': ((1.0, 1.0, 1.0, 1.0), 0.0, (-10.0, 10.0, 0.0, 0.0)),
    'pinch': ((0.45, 0.25, 0.3, 0.35), 0.3, _OPPOSED_THUMB),
    'ok': ((0.5, 0.05, 0.05, 0.05), 0.7, _OPPOSED_THUMB),
    'grasp': ((0.55, 0.6, 0.6, 0.6), 0.2, (30.0, 15.0, 25.0, 20.0)),
    'horns': ((0.0, 1.0, 1.0, 0.0), 0.8, _FOLDED_THUMB),
    'call': ((1.0, 1.0, 1.0, 0.0), 0.5, (-5.0, 30.0, 0.0, 0.0)),
}
POSE_NAMES = tuple(POSE_TEMPLATES)
# Gaussian jitter added to every template angle (degrees), before clipping.
POSE_NOISE_DEG = 8.0
# Share of poses drawn uniformly inside the joint limits instead of a template.
RANDOM_POSE_PROB = 0.25
# Closed and half-closed hands (fingertips near the palm, or the thumb's tip
# on the index tip), which :func:`sample_pose` draws a share ``closed_prob`` of
# (the hard test family, see samples.HARD_CLOSED_POSE_PROB): real photographs
# of such hands score lowest. 'half_closed' curls every finger by a uniform
# share of HALF_CLOSED_CURL_RANGE, its thumb folded; the rest are templates.
CLOSED_POSE_NAMES = ('fist', 'thumbs_up', 'grasp', 'pinch', 'ok',
                     'half_closed')
HALF_CLOSED_CURL_RANGE = (0.5, 0.9)

# Fingers crossing each other, as in "fingers crossed": a finger passes over
# the back of its neighbour on the thumb side. The finger underneath turns
# towards the little finger and bends at its MCP joint, the one over it turns
# towards the thumb and stays straight or hyper-extends at its MCP joint, so
# that their axes cross in the image and the one over it lies on the dorsal
# side where they cross (the bodies do not intersect). Per pose: (finger
# over, finger underneath) as indices of FINGER_NAMES, the curl of the two
# other fingers and the fan of the fingers not in the pair, and the thumb.
CROSSED_POSES: Dict[str, Tuple[Tuple[int, int], float, float, Tuple[float, ...]]] = {
    'crossed': ((2, 1), 0.9, 0.0, _FOLDED_THUMB),
    'crossed_open': ((2, 1), 0.0, 0.6, _EXTENDED_THUMB),
    'crossed_ring': ((3, 2), 0.0, 0.3, _EXTENDED_THUMB),
}
CROSSED_POSE_NAMES = tuple(CROSSED_POSES)
# Ranges (degrees) of the crossing pair's angles: MCP spread of the finger
# underneath (towards the little finger) and of the one over it (towards the
# thumb); MCP flexion of each; PIP and DIP flexion of both.
CROSS_UNDER_SPREAD_DEG = (-20.0, -15.0)
CROSS_OVER_SPREAD_DEG = (15.0, 20.0)
CROSS_UNDER_MCP_DEG = (45.0, 60.0)
CROSS_OVER_MCP_DEG = (-25.0, -10.0)
CROSS_DISTAL_FLEX_DEG = (0.0, 20.0)

# Wrist flexion (towards the palm) and radial deviation of the hand relative to
# the forearm, degrees.
WRIST_FLEX_RANGE_DEG = (-50.0, 50.0)
WRIST_DEVIATION_RANGE_DEG = (-20.0, 25.0)


@dataclass(frozen=True)
class HandShape:
    """Size and proportions of one hand.

    Attributes:
        roots (np.ndarray): (5, 3) finger-root positions in the hand frame.
        phalanges (np.ndarray): (5, 3) segment lengths, root outwards.
        radii (np.ndarray): (5, 4) finger radius at its four keypoints.
        wrist_radius (float): Forearm radius at the wrist.
        scale (float): Overall size factor relative to the nominal hand.
    """

    roots: np.ndarray
    phalanges: np.ndarray
    radii: np.ndarray
    wrist_radius: float
    scale: float

    def keypoint_radii(self) -> np.ndarray:
        """Radius of the body at each of the 21 keypoints (FreiHAND order)."""
        return np.concatenate([[self.wrist_radius], self.radii.reshape(-1)])


@dataclass(frozen=True)
class HandPose3D:
    """A posed hand in its hand frame.

    Attributes:
        joints (np.ndarray): (21, 3) keypoints, FreiHAND order.
        frames (np.ndarray): (5, 3, 3, 3) rotation of each finger segment
            (finger, segment root outwards); columns are the flexion axis, the
            bone direction and the segment's palmar direction.
    """

    joints: np.ndarray
    frames: np.ndarray


def rot_x(deg: float) -> np.ndarray:
    """Rotation about x; positive takes +y towards +z (flexion)."""
    c, s = np.cos(np.radians(deg)), np.sin(np.radians(deg))
    return np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])


def rot_y(deg: float) -> np.ndarray:
    """Rotation about y (a segment's own axis)."""
    c, s = np.cos(np.radians(deg)), np.sin(np.radians(deg))
    return np.array([[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]])


def rot_z(deg: float) -> np.ndarray:
    """Rotation about z; positive takes +y towards -x."""
    c, s = np.cos(np.radians(deg)), np.sin(np.radians(deg))
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


def mirror_matrix(side: str) -> np.ndarray:
    """Matrix taking right-hand-frame coordinates to ``side``'s hand frame."""
    if side not in HAND_SIDES:
        raise ValueError(f'side must be "left" or "right", got {side!r}')
    return np.diag([-1.0 if side == 'left' else 1.0, 1.0, 1.0])


def _bone_length_limits() -> np.ndarray:
    """Extreme bone lengths reachable by :func:`sample_hand_shape`."""
    lo_f = HAND_SCALE_RANGE[0] * (1 - BONE_JITTER)
    hi_f = HAND_SCALE_RANGE[1] * (1 + BONE_JITTER)
    limits = np.zeros((len(FREIHAND_BONES), 2))
    for f in range(NUM_FINGERS):
        root = ROOT_POSITIONS[f]
        # |root| grows with the palm-width factor on x: extremes at the ends.
        lengths = [
            np.linalg.norm(root * [w, 1.0, 1.0]) for w in PALM_WIDTH_RANGE
        ]
        limits[4 * f] = (min(lengths) * lo_f, max(lengths) * hi_f)
        for s in range(3):
            limits[4 * f + 1 + s] = (PHALANX_LENGTHS[f, s] * lo_f,
                                     PHALANX_LENGTHS[f, s] * hi_f)
    return limits


# (20, 2) min and max length of every bone of FREIHAND_BONES, metres.
BONE_LENGTH_LIMITS = _bone_length_limits()


def mean_hand_shape() -> HandShape:
    """The nominal hand (all variation factors 1)."""
    return HandShape(ROOT_POSITIONS.copy(), PHALANX_LENGTHS.copy(),
                     FINGER_RADII.copy(), WRIST_RADIUS, 1.0)


def sample_hand_shape(rng: np.random.Generator) -> HandShape:
    """Draw one hand's size and proportions."""
    scale = rng.uniform(*HAND_SCALE_RANGE)
    width = rng.uniform(*PALM_WIDTH_RANGE)
    thickness = rng.uniform(*THICKNESS_RANGE)
    jitter = rng.uniform(1 - BONE_JITTER, 1 + BONE_JITTER, size=(5, 4))
    roots = ROOT_POSITIONS * [width, 1.0, 1.0] * scale * jitter[:, :1]
    phalanges = PHALANX_LENGTHS * scale * jitter[:, 1:]
    radii = FINGER_RADII * scale * thickness
    return HandShape(roots, phalanges, radii, WRIST_RADIUS * scale * thickness,
                     scale)


def forward_kinematics(shape: HandShape, angles_deg: np.ndarray) -> HandPose3D:
    """Pose a right hand.

    Args:
        shape (HandShape): Bone lengths and root positions.
        angles_deg (np.ndarray): (5, 4) joint angles, see the module docstring.

    Returns:
        HandPose3D: keypoints and segment frames in the right-hand frame.
    """
    angles = np.asarray(angles_deg, dtype=np.float64)
    if angles.shape != (NUM_FINGERS, 4):
        raise ValueError(f'angles must have shape (5, 4), got {angles.shape}')
    joints = np.zeros((NUM_KEYPOINTS, 3))
    frames = np.zeros((NUM_FINGERS, 3, 3, 3))
    for f in range(NUM_FINGERS):
        a = angles[f]
        if f == 0:
            base = (THUMB_BASE_FRAME @ rot_z(-a[1]) @ rot_x(a[0])
                    @ rot_y(-THUMB_ROLL_PER_FLEX * a[0]))
            flex = (a[2], a[3])
        else:
            # rot_z turns +y towards -x, so towards the thumb is negative.
            base = rot_z(-(FINGER_FAN_DEG[f] + a[1])) @ rot_x(a[0])
            flex = (a[2], a[3])
        seg = [base, base @ rot_x(flex[0])]
        seg.append(seg[1] @ rot_x(flex[1]))
        point = shape.roots[f].copy()
        joints[1 + 4 * f] = point
        for s in range(3):
            frames[f, s] = seg[s]
            point = point + seg[s][:, 1] * shape.phalanges[f, s]
            joints[2 + 4 * f + s] = point
    return HandPose3D(joints, frames)


def template_angles(name: str) -> np.ndarray:
    """Noise-free joint angles of a named pose template."""
    if name not in POSE_TEMPLATES:
        raise ValueError(f'unknown pose {name!r}; known: {POSE_NAMES}')
    return curl_angles(*POSE_TEMPLATES[name])


def curl_angles(curls: Sequence[float], fan: float,
                thumb: Sequence[float]) -> np.ndarray:
    """Joint angles from a template's terms, clipped to the joint limits.

    Args:
        curls (Sequence[float]): Curl of index..pinky in [0, 1] (CURL_DEG).
        fan (float): Spread of the fingers (SPREAD_PER_FAN_DEG).
        thumb (Sequence[float]): The thumb's four angles (degrees).

    Returns:
        np.ndarray: (5, 4) joint angles in degrees.
    """
    angles = np.zeros((NUM_FINGERS, 4))
    angles[0] = thumb
    for f in range(1, NUM_FINGERS):
        mcp, pip, dip = np.asarray(CURL_DEG) * curls[f - 1]
        angles[f] = (mcp, fan * SPREAD_PER_FAN_DEG[f], pip, dip)
    return np.clip(angles, JOINT_LIMITS_DEG[..., 0], JOINT_LIMITS_DEG[..., 1])


def sample_closed_pose(rng: np.random.Generator) -> Tuple[str, np.ndarray]:
    """Draw a closed or half-closed hand of CLOSED_POSE_NAMES, with jitter.

    Returns:
        tuple: the pose name and the (5, 4) joint angles in degrees, inside
        JOINT_LIMITS_DEG.
    """
    name = CLOSED_POSE_NAMES[rng.integers(len(CLOSED_POSE_NAMES))]
    if name == 'half_closed':
        angles = curl_angles(rng.uniform(*HALF_CLOSED_CURL_RANGE, 4), 0.0,
                             _FOLDED_THUMB)
    else:
        angles = template_angles(name)
    angles = angles + rng.normal(0.0, POSE_NOISE_DEG, (5, 4))
    return name, np.clip(angles, JOINT_LIMITS_DEG[..., 0],
                         JOINT_LIMITS_DEG[..., 1])


def sample_crossed_pose(rng: np.random.Generator) -> Tuple[str, np.ndarray]:
    """Draw a hand with two fingers crossed (:data:`CROSSED_POSES`).

    The crossing pair's angles are uniform in the ``CROSS_*`` ranges; the
    other fingers and the thumb are their template's with POSE_NOISE_DEG
    jitter.

    Returns:
        tuple: the pose name and the (5, 4) joint angles in degrees, inside
        JOINT_LIMITS_DEG.
    """
    name = CROSSED_POSE_NAMES[rng.integers(len(CROSSED_POSE_NAMES))]
    (over, under), curl, fan, thumb = CROSSED_POSES[name]
    angles = curl_angles([curl] * 4, fan, thumb)
    angles = angles + rng.normal(0.0, POSE_NOISE_DEG, (5, 4))
    # Columns: MCP flexion, MCP spread, PIP flexion, DIP flexion.
    angles[under, :2] = (rng.uniform(*CROSS_UNDER_MCP_DEG),
                         rng.uniform(*CROSS_UNDER_SPREAD_DEG))
    angles[over, :2] = (rng.uniform(*CROSS_OVER_MCP_DEG),
                        rng.uniform(*CROSS_OVER_SPREAD_DEG))
    angles[[under, over], 2:] = rng.uniform(*CROSS_DISTAL_FLEX_DEG, (2, 2))
    return name, np.clip(angles, JOINT_LIMITS_DEG[..., 0],
                         JOINT_LIMITS_DEG[..., 1])


def sample_pose(rng: np.random.Generator,
                closed_prob: float = 0.0,
                crossed_prob: float = 0.0) -> Tuple[str, np.ndarray]:
    """Draw a natural (template plus jitter) or uniformly random pose.

    Args:
        rng (np.random.Generator): Random source.
        closed_prob (float): Share of closed or half-closed hands
            (:func:`sample_closed_pose`).
        crossed_prob (float): Share of the remaining hands with two fingers
            crossed (:func:`sample_crossed_pose`). At 0 (the defaults) no
            number is drawn for a share, so the other poses are drawn as
            they always were.

    Returns:
        tuple: the pose name (``'random'``, a key of POSE_TEMPLATES, of
        CLOSED_POSE_NAMES or of CROSSED_POSES) and the (5, 4) joint angles in
        degrees, inside JOINT_LIMITS_DEG.
    """
    lo, hi = JOINT_LIMITS_DEG[..., 0], JOINT_LIMITS_DEG[..., 1]
    if closed_prob > 0 and rng.random() < closed_prob:
        return sample_closed_pose(rng)
    if crossed_prob > 0 and rng.random() < crossed_prob:
        return sample_crossed_pose(rng)
    if rng.random() < RANDOM_POSE_PROB:
        return 'random', rng.uniform(lo, hi)
    name = POSE_NAMES[rng.integers(len(POSE_NAMES))]
    angles = template_angles(name) + rng.normal(0.0, POSE_NOISE_DEG, (5, 4))
    return name, np.clip(angles, lo, hi)


def sample_forearm_direction(rng: np.random.Generator) -> np.ndarray:
    """Unit direction from the wrist to the elbow in the right-hand frame."""
    flex = rng.uniform(*WRIST_FLEX_RANGE_DEG)
    deviation = rng.uniform(*WRIST_DEVIATION_RANGE_DEG)
    # The hand bends relative to the forearm, so the forearm turns the other way.
    return rot_z(deviation) @ rot_x(-flex) @ np.array([0.0, -1.0, 0.0])

"""Scene assembly: hand, arm, body, person and occluder primitives, skin, lights.

Labels in the render buffers are RHD mask labels for hand parts (left 2-17,
right 18-33, see ``hand_format``) plus internal labels for the arms
(:data:`LABEL_ARM`), the body (:data:`LABEL_BODY`, also a person's head, face
and torso) and occluders (from :data:`LABEL_OCCLUDER`); :func:`rhd_mask` maps
them to the RHD mask.
"""
import colorsys
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from ..hand_format import NUM_KEYPOINTS, RHD_MASK_LEFT_RANGE, RHD_MASK_PERSON, RHD_MASK_RIGHT_RANGE
from .colour_temperature import kelvin_rgb
from .hand_model import HandPose3D, HandShape, mirror_matrix, rot_x, rot_z
from .renderer import Capsule, Ellipsoid, Light, MaterialTable, Polygon, Primitive, transform

LABEL_ARM: Dict[str, int] = {'left': 34, 'right': 35}
LABEL_BODY = 36
LABEL_OCCLUDER = 40
NUM_LABELS = 256

# Skin albedos (sRGB 0-255) from very light to very dark; a hand takes a
# random blend of two neighbours.
SKIN_TONES = np.array([
    [247, 218, 196], [238, 197, 168], [226, 180, 148], [212, 160, 126],
    [192, 138, 104], [163, 112, 82], [128, 84, 60], [97, 63, 46],
    [72, 47, 35],
], np.float32) / 255
# Palms are lighter and pinker than the back of the hand, more so on dark skin.
PALM_TINT_RGB = np.array([0.93, 0.72, 0.66], np.float32)
PALM_TINT_RANGE = (0.15, 0.55)
# Per-channel factor on the blended skin albedo (uniform).
SKIN_ALBEDO_JITTER = (0.95, 1.05)

# Object and cloth colours: HSV drawn uniformly from [offset, offset + scale).
COLOUR_HSV_SCALE = (1.0, 0.8, 0.8)
COLOUR_HSV_OFFSET = (0.0, 0.1, 0.15)

# Light: direction from the surface towards the light, x and y uniform in
# LIGHT_XY_RANGE and z uniform in -LIGHT_Z_RANGE (from the camera's side); a
# per-channel tint around 1, and the ambient and diffuse intensities.
LIGHT_XY_RANGE = (-1, 1)
LIGHT_Z_RANGE = (0.4, 1.6)
LIGHT_TINT_RANGE = (-0.08, 0.08)
LIGHT_AMBIENT_RANGE = (0.3, 0.55)
LIGHT_DIFFUSE_RANGE = (0.45, 0.85)

# Forearm and upper-arm lengths for a hand of scale 1 (metres).
FOREARM_LENGTH = 0.26
UPPER_ARM_LENGTH = 0.28
SLEEVE_PROB = 0.6
# Where a sleeve's cuff sits along the forearm (0 wrist, 1 elbow).
SLEEVE_CUFF_RANGE = (0.15, 0.9)
# The upper arm leaves the elbow turned from the forearm's direction about the
# hand frame's z axis and then its x axis (degrees).
ELBOW_TURN_Z_RANGE_DEG = (-60, 60)
ELBOW_TURN_X_RANGE_DEG = (-90, 20)

# Share of cloths and objects with stripes, their frequency (cycles per px)
# and their amplitude (relative albedo change).
STRIPES_PROB = 0.3
STRIPE_FREQUENCY_RANGE = (0.05, 0.25)
STRIPE_AMPLITUDE_RANGE = (0.1, 0.3)

# Occluders: probabilities of 0, 1 and 2 objects in front of a hand, and the
# share placed among or behind the fingers (objects held in the hand).
OCCLUDER_COUNT_PROBS = (0.55, 0.33, 0.12)
OCCLUDER_BEHIND_PROB = 0.3
# Occluder placement around its anchor keypoint: sideways Gaussian sigma
# (metres times the hand scale); depth offset of an object among or behind the
# fingers (positive is away from the camera) and distance of one in front of
# the anchor (metres).
OCCLUDER_SIDEWAYS_SIGMA = 0.02
OCCLUDER_BEHIND_DEPTH_RANGE = (-0.01, 0.05)
OCCLUDER_FRONT_DEPTH_RANGE = (0.025, 0.10)
# Occluder surface: specular strength and Blinn-Phong exponent.
OCCLUDER_SPECULAR_RANGE = (0.0, 0.4)
OCCLUDER_SHININESS_RANGE = (5, 40)
# Occluder sizes, metres times the hand scale: ball radius and the per-axis
# factor of its semi-axes; stick direction weights (sticks lie mostly parallel
# to the image), half length and radius; card side lengths and tilt (degrees).
BALL_RADIUS_RANGE = (0.015, 0.045)
BALL_AXIS_FACTOR_RANGE = (0.7, 1.0)
STICK_DIRECTION_WEIGHTS = (1.0, 1.0, 0.3)
STICK_HALF_LENGTH_RANGE = (0.04, 0.11)
STICK_RADIUS_RANGE = (0.004, 0.012)
CARD_SIDE_RANGE = (0.03, 0.10)
CARD_TILT_RANGE_DEG = (-45, 45)

# Torso centre relative to the hands' mean keypoint (metres): x Gaussian,
# y (downwards) and z (behind) uniform; its roll about the view axis (degrees).
BODY_X_SIGMA = 0.08
BODY_Y_RANGE = (0.05, 0.3)
BODY_Z_RANGE = (0.25, 0.5)
BODY_ROLL_RANGE_DEG = (-20, 20)

# A person beside or behind the hand (webcam scenes, add_person), metres:
# the head's sideways offset from the hands' mean keypoint (either side,
# uniform), its vertical offset (positive is down), and the gap between the
# hand's farthest keypoint and the front of the head; a size factor on the
# whole person.
PERSON_SIDEWAYS_RANGE = (0.1, 0.32)
PERSON_VERTICAL_RANGE = (-0.15, 0.12)
PERSON_GAP_RANGE = (0.05, 0.35)
PERSON_SIZE_RANGE = (0.9, 1.1)
# Head, hair, neck and torso semi-axes (x, y, z) and offsets from the head
# centre (metres, for size 1); torso roll about the view axis (degrees).
HEAD_AXES = (0.075, 0.1, 0.09)
HAIR_AXES = (0.083, 0.085, 0.095)
HAIR_OFFSET = (0.0, -0.03, 0.015)
NECK_RADIUS = 0.045
NECK_OFFSETS = ((0.0, 0.07, 0.01), (0.0, 0.2, 0.03))
TORSO_AXES = (0.19, 0.26, 0.11)
TORSO_OFFSET = (0.0, 0.42, 0.05)
TORSO_ROLL_RANGE_DEG = (-12, 12)
# Eyes and mouth: offsets from the head centre (metres, x mirrored for the
# second eye), semi-axes, and their colours (RGB in [0, 1]).
EYE_OFFSET = (0.028, -0.012, -0.078)
EYE_AXES = (0.011, 0.007, 0.008)
EYE_RGB = (0.12, 0.09, 0.08)
MOUTH_OFFSET = (0.0, 0.05, -0.074)
MOUTH_AXES = (0.02, 0.006, 0.008)
MOUTH_RGB = (0.55, 0.25, 0.25)
# Hair colours (RGB in [0, 1]): black, dark and light brown, blond, grey.
HAIR_RGB = np.array([[0.06, 0.05, 0.05], [0.2, 0.13, 0.08],
                     [0.4, 0.28, 0.17], [0.7, 0.58, 0.38],
                     [0.6, 0.6, 0.58]], np.float32)


def part_label(side: str, finger: Optional[int], segment: int = 0) -> int:
    """RHD mask label of a finger segment or of the palm.

    Args:
        side (str): ``'left'`` or ``'right'``.
        finger (int, optional): 0 thumb .. 4 pinky; None for the palm.
        segment (int): 0 root-most (thumb metacarpal, finger proximal) to 2
            (distal).
    """
    base = {'left': RHD_MASK_LEFT_RANGE[0],
            'right': RHD_MASK_RIGHT_RANGE[0]}[side]
    if finger is None:
        return base + 15
    # RHD numbers the three labels of a finger from the tip to the palm.
    return base + 3 * finger + (2 - segment)


_RHD_MASK_LUT = np.zeros(NUM_LABELS, np.uint8)
_RHD_MASK_LUT[RHD_MASK_LEFT_RANGE[0]:RHD_MASK_RIGHT_RANGE[1] + 1] = np.arange(
    RHD_MASK_LEFT_RANGE[0], RHD_MASK_RIGHT_RANGE[1] + 1)
_RHD_MASK_LUT[[LABEL_ARM['left'], LABEL_ARM['right'], LABEL_BODY]] = \
    RHD_MASK_PERSON


def rhd_mask(label: np.ndarray) -> np.ndarray:
    """RHD mask (0 background and objects, 1 person, 2-33 hand parts)."""
    return _RHD_MASK_LUT[label]


def hand_mask(label: np.ndarray) -> np.ndarray:
    """Bool mask of hand pixels (palm and fingers of either hand, no arm)."""
    return (label >= RHD_MASK_LEFT_RANGE[0]) & (label <= RHD_MASK_RIGHT_RANGE[1])


def keypoint_own_labels(side: str) -> np.ndarray:
    """(21, 256) bool: the labels of the parts meeting at each keypoint."""
    own = np.zeros((NUM_KEYPOINTS, NUM_LABELS), bool)
    palm = part_label(side, None)
    own[0, [palm, LABEL_ARM[side], part_label(side, 0, 0)]] = True
    for f in range(5):
        own[1 + 4 * f, [palm, part_label(side, f, 0)]] = True
        for s in range(3):
            own[2 + 4 * f + s, part_label(side, f, s)] = True
            if s < 2:
                own[2 + 4 * f + s, part_label(side, f, s + 1)] = True
    return own


def sample_skin(rng: np.random.Generator) -> Tuple[np.ndarray, np.ndarray]:
    """Draw a (dorsal, palmar) pair of skin RGB albedos in [0, 1]."""
    i = rng.integers(len(SKIN_TONES) - 1)
    dorsal = SKIN_TONES[i] + rng.random() * (SKIN_TONES[i + 1] - SKIN_TONES[i])
    return _skin_pair(dorsal, rng.uniform(*SKIN_ALBEDO_JITTER, 3))


def skin_albedos(blend: float, jitter: Sequence[float]
                 ) -> Tuple[np.ndarray, np.ndarray]:
    """The (dorsal, palmar) skin albedos at a position on SKIN_TONES.

    Args:
        blend (float): In [0, len(SKIN_TONES) - 1]: 0 the lightest tone, 1
            the next, 0.5 halfway between them.
        jitter (sequence): Per-channel factor on the blended albedo.
    """
    last = len(SKIN_TONES) - 1
    if not 0.0 <= blend <= last:
        raise ValueError(f'skin blend must be in [0, {last}], got {blend}')
    i = min(int(np.floor(blend)), last - 1)
    dorsal = SKIN_TONES[i] + (blend - i) * (SKIN_TONES[i + 1] - SKIN_TONES[i])
    return _skin_pair(dorsal, np.asarray(jitter, np.float64))


def _skin_pair(dorsal: np.ndarray, jitter: np.ndarray
               ) -> Tuple[np.ndarray, np.ndarray]:
    """Jittered dorsal albedo and the palmar albedo that goes with it."""
    dorsal = np.clip(dorsal * jitter, 0, 1)
    darkness = 1 - dorsal.mean()
    tint = PALM_TINT_RANGE[0] + darkness * (PALM_TINT_RANGE[1]
                                            - PALM_TINT_RANGE[0])
    palmar = dorsal + (PALM_TINT_RGB - dorsal) * tint * (dorsal < 0.9)
    return dorsal.astype(np.float32), palmar.astype(np.float32)


def random_colour(rng: np.random.Generator) -> np.ndarray:
    """A random object or cloth colour (RGB in [0, 1])."""
    hue, sat, val = rng.random(3) * COLOUR_HSV_SCALE + COLOUR_HSV_OFFSET
    return np.array(colorsys.hsv_to_rgb(hue, sat, val), np.float32)


def sample_light(rng: np.random.Generator) -> Light:
    """Draw a light from the camera's side with random strength and tint."""
    direction = np.array([rng.uniform(*LIGHT_XY_RANGE),
                          rng.uniform(*LIGHT_XY_RANGE),
                          -rng.uniform(*LIGHT_Z_RANGE)])
    colour = 1 + rng.uniform(*LIGHT_TINT_RANGE, 3)
    return Light((direction / np.linalg.norm(direction)).astype(np.float32),
                 float(rng.uniform(*LIGHT_AMBIENT_RANGE)),
                 float(rng.uniform(*LIGHT_DIFFUSE_RANGE)),
                 (colour / colour.max()).astype(np.float32))


def sample_photo_light(
        rng: np.random.Generator, kelvin: float,
        z_range: Tuple[float, float] = LIGHT_Z_RANGE,
        ambient_range: Tuple[float, float] = LIGHT_AMBIENT_RANGE,
        diffuse_range: Tuple[float, float] = LIGHT_DIFFUSE_RANGE) -> Light:
    """A light like :func:`sample_light` whose colour is a colour temperature.

    Args:
        rng (np.random.Generator): Draws the direction and intensities.
        kelvin (float): Colour temperature of the light (K).
        z_range (tuple): Range of the direction's towards-camera component
            (smaller: more grazing). Defaults to LIGHT_Z_RANGE.
        ambient_range (tuple): Range of the ambient intensity. Defaults to
            LIGHT_AMBIENT_RANGE.
        diffuse_range (tuple): Range of the directional intensity. Defaults
            to LIGHT_DIFFUSE_RANGE.
    """
    direction = np.array([rng.uniform(*LIGHT_XY_RANGE),
                          rng.uniform(*LIGHT_XY_RANGE),
                          -rng.uniform(*z_range)])
    return Light((direction / np.linalg.norm(direction)).astype(np.float32),
                 float(rng.uniform(*ambient_range)),
                 float(rng.uniform(*diffuse_range)), kelvin_rgb(kelvin))


class Scene:
    """Primitives, materials and per-label shading tables of one image."""

    def __init__(self) -> None:
        self.primitives: List[Primitive] = []
        self.palmar_dirs = np.zeros((NUM_LABELS, 3), np.float32)
        self.nail_labels = np.zeros(NUM_LABELS, bool)
        # Side -> (hand frame to camera, incl. the mirror; wrist position;
        # hand scale) of each hand added (read by the skin texture).
        self.hand_frames: Dict[str, Tuple[np.ndarray, np.ndarray, float]] = {}
        self._rows: List[Tuple] = []

    def add_material(self, albedo: np.ndarray,
                     palmar: Optional[np.ndarray] = None, skin: bool = False,
                     stripes: Sequence[float] = (0.0, 0.0, 0.0, 0.0),
                     specular: Tuple[float, float] = (0.04, 8.0)) -> int:
        """Register a material; returns its index."""
        if len(self._rows) >= 256:
            raise ValueError('at most 256 materials per scene')
        self._rows.append((albedo, albedo if palmar is None else palmar, skin,
                           tuple(stripes), specular))
        return len(self._rows) - 1

    def material_table(self, skin: Optional[Tuple[np.ndarray, np.ndarray]] = None
                       ) -> MaterialTable:
        """Material arrays; ``skin`` (dorsal, palmar) re-colours every skin."""
        rows = [(skin[0], skin[1], True, st, sp) if skin is not None and is_skin
                else (al, pa, is_skin, st, sp)
                for al, pa, is_skin, st, sp in self._rows]
        return MaterialTable(
            np.array([r[0] for r in rows], np.float32).reshape(-1, 3),
            np.array([r[1] for r in rows], np.float32).reshape(-1, 3),
            np.array([r[2] for r in rows], bool),
            np.array([r[3] for r in rows], np.float32).reshape(-1, 4),
            np.array([r[4] for r in rows], np.float32).reshape(-1, 2))


def _hand_frame_primitives(shape: HandShape, pose: HandPose3D, side: str,
                           skin: int) -> List[Primitive]:
    """Palm and finger primitives of a right hand in its hand frame."""
    joints, radii = pose.joints, shape.radii
    palm = part_label(side, None)
    mcp = shape.roots[1:]
    width = mcp[0, 0] - mcp[3, 0]
    length = mcp[:, 1].mean()
    prims: List[Primitive] = [
        Ellipsoid(
            np.array([mcp[:, 0].mean(), 0.5 * length, 0.003 * shape.scale]),
            np.diag([0.5 * width + 0.4 * radii[1:, 0].mean(), 0.55 * length,
                     1.3 * radii[2, 0]]), palm, skin)
    ]
    # Metacarpals fan out from the wrist and end in the knuckles.
    for f in range(1, 5):
        base = shape.roots[f] * [0.35, 0.15, 0.0]
        prims.append(Capsule(base, shape.roots[f], 0.95 * radii[f, 0],
                             1.08 * radii[f, 0], palm, skin))
    for f in range(5):
        for s in range(3):
            a, b = joints[1 + 4 * f + s], joints[2 + 4 * f + s]
            rb = radii[f, s + 1]
            if s == 2:
                # The rounded end of the distal segment ends at the tip.
                direction = (b - a) / max(np.linalg.norm(b - a), 1e-9)
                b = b - direction * rb * 0.9
            prims.append(Capsule(a, b, radii[f, s], rb,
                                 part_label(side, f, s), skin))
    return prims


def _arm_frame_primitives(shape: HandShape, forearm_dir: np.ndarray, side: str,
                          skin: int, sleeve: Optional[Tuple[int, float]],
                          elbow_bend: np.ndarray) -> List[Primitive]:
    """Forearm and upper-arm capsules in the right-hand frame."""
    label = LABEL_ARM[side]
    r_wrist = shape.wrist_radius
    elbow = forearm_dir * FOREARM_LENGTH * shape.scale
    shoulder = elbow + elbow_bend @ forearm_dir * UPPER_ARM_LENGTH * shape.scale
    start = forearm_dir * 0.01 * shape.scale
    prims: List[Primitive] = []
    if sleeve is None:
        prims.append(Capsule(start, elbow, r_wrist, 1.45 * r_wrist, label, skin))
        prims.append(Capsule(elbow, shoulder, 1.45 * r_wrist, 1.7 * r_wrist,
                             label, skin))
        return prims
    cloth, frac = sleeve
    cuff = start + (elbow - start) * frac
    r_cuff = r_wrist * (1 + 0.45 * frac)
    prims.append(Capsule(start, cuff, r_wrist, r_cuff, label, skin))
    prims.append(Capsule(cuff, elbow, 1.2 * r_cuff, 1.75 * r_wrist, label,
                         cloth))
    prims.append(Capsule(elbow, shoulder, 1.75 * r_wrist, 2.0 * r_wrist, label,
                         cloth))
    return prims


def add_hand(scene: Scene, rng: np.random.Generator, shape: HandShape,
             pose: HandPose3D, side: str, rotation: np.ndarray,
             translation: np.ndarray, forearm_dir: np.ndarray,
             skin: int) -> None:
    """Add a posed hand with its arm to the scene (camera frame).

    Args:
        scene (Scene): Scene to extend.
        rng (np.random.Generator): Draws the sleeve and the elbow bend.
        shape (HandShape): Hand proportions.
        pose (HandPose3D): Posed right hand in its hand frame.
        side (str): ``'left'`` mirrors the hand and its arm.
        rotation (np.ndarray): 3x3 rotation from the hand frame to the camera.
        translation (np.ndarray): (3,) camera-frame position of the wrist.
        forearm_dir (np.ndarray): Wrist-to-elbow direction in the hand frame.
        skin (int): Material index of the skin.
    """
    sleeve = None
    if rng.random() < SLEEVE_PROB:
        cloth = scene.add_material(random_colour(rng),
                                   stripes=_maybe_stripes(rng))
        sleeve = (cloth, float(rng.uniform(*SLEEVE_CUFF_RANGE)))
    elbow_bend = (rot_z(rng.uniform(*ELBOW_TURN_Z_RANGE_DEG))
                  @ rot_x(rng.uniform(*ELBOW_TURN_X_RANGE_DEG)))
    to_camera = rotation @ mirror_matrix(side)
    prims = _hand_frame_primitives(shape, pose, side, skin)
    prims += _arm_frame_primitives(shape, forearm_dir, side, skin, sleeve,
                                   elbow_bend)
    scene.primitives.extend(transform(p, to_camera, translation) for p in prims)
    scene.hand_frames[side] = (to_camera, np.asarray(translation, np.float64),
                               float(shape.scale))
    scene.palmar_dirs[part_label(side, None)] = to_camera[:, 2]
    for f in range(5):
        for s in range(3):
            scene.palmar_dirs[part_label(side, f, s)] = \
                to_camera @ pose.frames[f, s][:, 2]
        scene.nail_labels[part_label(side, f, 2)] = True


def _maybe_stripes(rng: np.random.Generator) -> Tuple[float, ...]:
    if rng.random() < STRIPES_PROB:
        angle = rng.uniform(0, np.pi)
        freq = rng.uniform(*STRIPE_FREQUENCY_RANGE)
        return (freq * np.cos(angle), freq * np.sin(angle),
                rng.uniform(0, 2 * np.pi), rng.uniform(*STRIPE_AMPLITUDE_RANGE))
    return (0.0, 0.0, 0.0, 0.0)


def add_occluders(scene: Scene, rng: np.random.Generator, anchors: np.ndarray,
                  scale: float, first_label: int = LABEL_OCCLUDER,
                  behind_prob: float = OCCLUDER_BEHIND_PROB) -> int:
    """Add 0-2 random objects near the hand (balls, sticks, cards).

    Objects are placed around a random keypoint in ``anchors``, mostly in front
    of the hand, sometimes among or behind the fingers like a held object.

    Args:
        scene (Scene): Scene to extend.
        rng (np.random.Generator): Random source.
        anchors (np.ndarray): (N, 3) camera-frame keypoints to place them near.
        scale (float): Size factor (the hand's scale).
        first_label (int): Label of the first object; later ones count up.
        behind_prob (float): Share of objects among or behind the fingers
            (held in the hand); the others are in front.

    Returns:
        int: the number of objects added.
    """
    count = int(rng.choice(len(OCCLUDER_COUNT_PROBS), p=OCCLUDER_COUNT_PROBS))
    for i in range(count):
        anchor = anchors[rng.integers(len(anchors))]
        offset = np.array(
            [*rng.normal(0.0, OCCLUDER_SIDEWAYS_SIGMA * scale, 2), 0.0])
        if rng.random() < behind_prob:
            offset[2] = rng.uniform(*OCCLUDER_BEHIND_DEPTH_RANGE)
        else:
            offset[2] = -rng.uniform(*OCCLUDER_FRONT_DEPTH_RANGE)
        centre = anchor + offset
        material = scene.add_material(
            random_colour(rng), stripes=_maybe_stripes(rng),
            specular=(float(rng.uniform(*OCCLUDER_SPECULAR_RANGE)),
                      float(rng.uniform(*OCCLUDER_SHININESS_RANGE))))
        label = first_label + i
        kind = rng.integers(3)
        if kind == 0:
            radius = rng.uniform(*BALL_RADIUS_RANGE) * scale
            axes = np.diag(radius * rng.uniform(*BALL_AXIS_FACTOR_RANGE, 3))
            scene.primitives.append(Ellipsoid(centre, axes, label, material))
        elif kind == 1:
            direction = rng.normal(size=3) * STICK_DIRECTION_WEIGHTS
            direction /= np.linalg.norm(direction)
            half = direction * rng.uniform(*STICK_HALF_LENGTH_RANGE) * scale
            radius = rng.uniform(*STICK_RADIUS_RANGE) * scale
            scene.primitives.append(
                Capsule(centre - half, centre + half, radius, radius, label,
                        material))
        else:
            w, h = rng.uniform(*CARD_SIDE_RANGE, 2) * scale
            tilt = (rot_x(rng.uniform(*CARD_TILT_RANGE_DEG))
                    @ rot_z(rng.uniform(0, 180)))
            corners = np.array([[-w, -h, 0], [w, -h, 0], [w, h, 0], [-w, h, 0]])
            scene.primitives.append(
                Polygon(centre + corners / 2 @ tilt.T, label, material))
    return count


def add_body(scene: Scene, rng: np.random.Generator, hands_xyz: np.ndarray,
             skin: int) -> None:
    """Add a torso and head behind the hands (RHD's "person" label)."""
    centre = hands_xyz.mean(axis=0) + [rng.normal(0, BODY_X_SIGMA),
                                       rng.uniform(*BODY_Y_RANGE),
                                       rng.uniform(*BODY_Z_RANGE)]
    cloth = scene.add_material(random_colour(rng), stripes=_maybe_stripes(rng))
    spin = rot_z(rng.uniform(*BODY_ROLL_RANGE_DEG))
    scene.primitives.append(
        Ellipsoid(centre, spin @ np.diag([0.17, 0.3, 0.11]), LABEL_BODY,
                  cloth))
    head = centre + spin @ np.array([0.0, -0.4, 0.0])
    scene.primitives.append(
        Ellipsoid(head, np.diag([0.08, 0.11, 0.09]), LABEL_BODY, skin))


def add_person(scene: Scene, rng: np.random.Generator, hand_xyz: np.ndarray,
               skin: int) -> None:
    """Add a head (face, hair) and torso beside or behind the hand.

    Webcam scenes: the head is to one side of the hand and wholly behind its
    farthest keypoint, so it never hides the hand; the torso hangs below it.

    Args:
        scene (Scene): Scene to extend.
        rng (np.random.Generator): Random source.
        hand_xyz (np.ndarray): (N, 3) camera-frame keypoints of the hand.
        skin (int): Material index of the skin (the face shares it).
    """
    size = rng.uniform(*PERSON_SIZE_RANGE)
    side = 1.0 if rng.random() < 0.5 else -1.0
    head_axes = np.array(HEAD_AXES) * size
    centre = hand_xyz.mean(axis=0)
    centre[0] += side * rng.uniform(*PERSON_SIDEWAYS_RANGE)
    centre[1] += rng.uniform(*PERSON_VERTICAL_RANGE)
    centre[2] = (hand_xyz[:, 2].max() + head_axes[2]
                 + rng.uniform(*PERSON_GAP_RANGE))
    hair = scene.add_material(HAIR_RGB[rng.integers(len(HAIR_RGB))])
    cloth = scene.add_material(random_colour(rng), stripes=_maybe_stripes(rng))
    spin = rot_z(rng.uniform(*TORSO_ROLL_RANGE_DEG))
    eye = scene.add_material(np.array(EYE_RGB, np.float32))
    mouth = scene.add_material(np.array(MOUTH_RGB, np.float32))
    scaled = [np.array(v) * size for v in (HAIR_OFFSET, *NECK_OFFSETS,
                                           TORSO_OFFSET, EYE_OFFSET,
                                           MOUTH_OFFSET)]
    hair_offset, neck_top, neck_bottom, torso_offset, eye_offset, mouth_offset \
        = scaled
    prims: List[Primitive] = [
        Ellipsoid(centre + hair_offset, np.diag(HAIR_AXES) * size, LABEL_BODY,
                  hair),
        Ellipsoid(centre, np.diag(head_axes), LABEL_BODY, skin),
        Capsule(centre + neck_top, centre + neck_bottom, NECK_RADIUS * size,
                NECK_RADIUS * size * 1.1, LABEL_BODY, skin),
        Ellipsoid(centre + spin @ torso_offset,
                  spin @ np.diag(TORSO_AXES) * size, LABEL_BODY, cloth),
        Ellipsoid(centre + mouth_offset, np.diag(MOUTH_AXES) * size,
                  LABEL_BODY, mouth),
    ]
    for mirror in (1.0, -1.0):
        prims.append(Ellipsoid(centre + eye_offset * [mirror, 1.0, 1.0],
                               np.diag(EYE_AXES) * size, LABEL_BODY, eye))
    scene.primitives.extend(prims)

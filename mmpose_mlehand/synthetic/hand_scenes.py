"""Whole scenes for hand detection: none, one or two hands in a photo-like frame.

A scene is what a webcam or a phone sees: a frame of 256x256 up to 640x480
(:data:`SCENE_FRAMES`) with zero, one or two hands (a left and a right one, palm
or back towards the camera) on their arms, from a few percent of the frame's
shorter side up to most of it, sometimes partly outside the frame, with a
person's head and torso, bare skin-coloured limbs and objects as distractors,
on the ``photo`` style's backgrounds, lights and camera (:mod:`.styles`,
:mod:`.appearance`). The appearance family (``train`` or ``heldout``) works as
for the keypoint data: the held-out family shares no skin tone, light colour,
white balance, JPEG quality, photograph or procedural background with the
training family. The ``hard`` family (its appearance plus strong light, low
contrast, closed hands, side views and hands turned far from upright) is for
the ``val`` and ``test`` splits only.

Each hand gets its 21 keypoints (FreiHAND order), their visibility, and its
detection box: the keypoint extent scaled by
:data:`~mmpose_mlehand.hand_format.KEYPOINT_BBOX_SCALE` about its centre
(a margin of 10% of the extent on each side, the rule of MMPose's hand data
and of the top-down models' boxes), clipped to the frame.

A scene is a pure function of ``(seed, split, index, family, layout)``.
"""
import dataclasses
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

import numpy as np

from ..hand_format import HAND_SIDES, KEYPOINT_BBOX_SCALE, keypoint_bbox
from .appearance import Appearance, check_family, check_training_family
from .camera import lift, place_in_frame, project, shift_out_of_frame
from .hand_model import (forward_kinematics, mirror_matrix, sample_forearm_direction,
                         sample_hand_shape)
from .renderer import Capsule, Ellipsoid, keypoint_visibility, rasterize
from .samples import (PLACEHOLDER_SKIN, RHD_SEPARATION, RHD_SEPARATION_TRIES, draw_pose,
                      finish_photo_image, held_object_prob, skin_specular, view_rotation)
from .scene import LABEL_BODY, Scene, add_hand, add_occluders, add_person, keypoint_own_labels
from .styles import SceneStyle, get_style

SCENE_SPLITS = ('train', 'val', 'test')
# Spawn-key prefix of scene generators (keypoint samples use 3-element keys
# without it, so no scene shares a generator with a keypoint sample).
_SCENE_KEY = 7

# The photo style, widened for detection: in-plane angles further from
# upright, views further from palm-on and hands at any place of the frame.
SCENE_STYLE: SceneStyle = dataclasses.replace(
    get_style('photo'), name='scene', max_view_tilt_deg=70.0,
    upright_sigma_deg=40.0)
# Frame sizes (width, height) and their shares: webcam, phone and square
# frames; more small ones (rendering time grows with the area).
SCENE_FRAMES: Tuple[Tuple[int, int], ...] = (
    (320, 240), (480, 360), (640, 480), (640, 360), (256, 256), (320, 320),
    (480, 480))
SCENE_FRAME_PROBS = (0.2, 0.15, 0.15, 0.1, 0.15, 0.15, 0.1)
# Horizontal field of view (degrees, uniform) and the principal point's
# largest offset from the frame centre (px).
FOV_RANGE_DEG = (50.0, 75.0)
PRINCIPAL_JITTER_PX = 6.0
# Shares of scenes with 0, 1 and 2 hands.
HAND_COUNT_PROBS = (0.15, 0.45, 0.4)
# Keypoints stay this far inside the frame when placed (px), before a share of
# hands is moved partly out (the layout's out_of_frame_prob;
# camera.shift_out_of_frame).
PLACE_MARGIN_PX = 2.0
# The second hand's size as a factor on the first's (uniform).
SECOND_HAND_FACTOR = (0.75, 1.33)


@dataclass(frozen=True)
class SceneLayout:
    """How large a scene's hands are and how often the frame cuts them.

    A hand's size is the longest side of its keypoint extent as a share of
    the frame's shorter side: with probability ``large_hand_prob`` uniform in
    ``large_hand_range`` (hands near the camera), otherwise log-uniform in
    ``small_hand_range`` (a second hand is the first's times
    :data:`SECOND_HAND_FACTOR`). A hand that does not fit is shrunk until it
    does; then a share ``out_of_frame_prob`` of hands is moved partly out of
    the frame.
    """

    name: str
    large_hand_prob: float
    large_hand_range: Tuple[float, float]
    small_hand_range: Tuple[float, float]
    out_of_frame_prob: float


#: ``default``: the shipped detector's scenes. ``close-up``: more hands near
#: the camera, up to the whole frame, and twice as many cut by its edge (the
#: webcam close-ups where the shipped detector misses most; see
#: docs/bundled_models.md). A seed's scene has the same frame, camera and
#: hand sides in both; what is drawn after the first hand's size differs.
SCENE_LAYOUTS: Dict[str, SceneLayout] = {
    'default': SceneLayout('default', 0.5, (0.3, 0.85), (0.05, 0.3), 0.15),
    'close-up': SceneLayout('close-up', 0.7, (0.3, 1.0), (0.05, 0.3), 0.3),
}


def get_layout(name: str) -> SceneLayout:
    """The layout called ``name``.

    Raises:
        ValueError: for an unknown name.
    """
    if name not in SCENE_LAYOUTS:
        raise ValueError(f'layout must be one of {tuple(SCENE_LAYOUTS)}, got {name!r}')
    return SCENE_LAYOUTS[name]


# A head and torso: share of scenes with hands (beside or behind them) and
# without (the face as a distractor); for the latter, the face's height as a
# share of the frame's shorter side (uniform).
PERSON_PROB = 0.6
PERSON_WITHOUT_HANDS_PROB = 0.7
FACE_SIZE_RANGE = (0.1, 0.6)
FACE_HEIGHT_M = 0.2
# Bare skin-coloured limbs and balls behind the hands (hard negatives): the
# share of scenes with any, their count (rng.integers bounds), capsule radius
# and length, ball radius (metres), and their distance behind the farthest
# hand keypoint (metres; depth range in scenes without hands).
SKIN_DISTRACTOR_PROB = 0.5
SKIN_DISTRACTOR_COUNT = (1, 3)
LIMB_RADIUS_RANGE = (0.025, 0.05)
LIMB_LENGTH_RANGE = (0.12, 0.3)
BALL_RADIUS_RANGE = (0.03, 0.08)
DISTRACTOR_GAP_RANGE = (0.05, 0.6)
DISTRACTOR_DEPTH_RANGE = (0.4, 2.5)


@dataclass
class SceneHand:
    """One hand of a scene.

    Attributes:
        side (str): ``'left'`` or ``'right'``.
        uv (np.ndarray): (21, 2) keypoints in FreiHAND order (px); true
            positions, also for keypoints outside the frame.
        visible (np.ndarray): (21,) bool: in the frame and not hidden (depth
            test).
        in_frame (np.ndarray): (21,) bool: the keypoint's pixel lies in the
            frame.
        bbox (tuple): ``(x, y, w, h)`` detection box: the keypoint extent
            scaled by KEYPOINT_BBOX_SCALE, clipped to the frame.
    """

    side: str
    uv: np.ndarray
    visible: np.ndarray
    in_frame: np.ndarray
    bbox: Tuple[float, float, float, float]


@dataclass
class HandScene:
    """A rendered scene.

    Attributes:
        image (np.ndarray): RGB uint8 (H, W, 3), before JPEG compression.
        jpeg_quality (int): Quality to write the image with (its family's).
        hands (list): The :class:`SceneHand` of each hand in the frame.
        appearance (Appearance): The image's appearance parameters.
        label (np.ndarray, optional): (H, W) uint8 render labels (hand parts,
            arms, body, occluders; see :mod:`.scene`), if kept.
    """

    image: np.ndarray
    jpeg_quality: int
    hands: List[SceneHand]
    appearance: Appearance
    label: Optional[np.ndarray] = None


def scene_rng(seed: int, split: str, index: int) -> np.random.Generator:
    """The random generator of one scene."""
    if split not in SCENE_SPLITS:
        raise ValueError(f'split must be one of {SCENE_SPLITS}, got {split!r}')
    return np.random.default_rng(np.random.SeedSequence(
        seed, spawn_key=(_SCENE_KEY, SCENE_SPLITS.index(split), index)))


def clipped_box(uv: np.ndarray, frame: Tuple[int, int]
                ) -> Tuple[float, float, float, float]:
    """Detection box ``(x, y, w, h)`` of keypoints ``uv`` (N, 2) in a frame.

    The keypoint extent scaled by KEYPOINT_BBOX_SCALE about its centre, then
    clipped to ``[0, width] x [0, height]``.
    """
    x, y, w, h = keypoint_bbox(uv, KEYPOINT_BBOX_SCALE)
    x1, y1 = max(x, 0.0), max(y, 0.0)
    x2, y2 = min(x + w, float(frame[0])), min(y + h, float(frame[1]))
    return x1, y1, max(x2 - x1, 0.0), max(y2 - y1, 0.0)


def _intrinsics(rng: np.random.Generator, frame: Tuple[int, int]) -> np.ndarray:
    fov = np.radians(rng.uniform(*FOV_RANGE_DEG))
    f = frame[0] / 2 / np.tan(fov / 2)
    c = np.array(frame, np.float64) / 2 + rng.uniform(
        -PRINCIPAL_JITTER_PX, PRINCIPAL_JITTER_PX, 2)
    return np.array([[f, 0.0, c[0]], [0.0, f, c[1]], [0.0, 0.0, 1.0]])


def _hand_size(rng: np.random.Generator, short_side: int, layout: SceneLayout) -> float:
    """Longest side of a hand's keypoint extent (px)."""
    if rng.random() < layout.large_hand_prob:
        share = rng.uniform(*layout.large_hand_range)
    else:
        share = np.exp(rng.uniform(*np.log(layout.small_hand_range)))
    return float(share * short_side)


def _box_centre(rng: np.random.Generator, size: float,
                frame: Tuple[int, int]) -> np.ndarray:
    """A centre that keeps a box of side ``size`` in the frame where it fits."""
    half = np.minimum(size / 2, np.array(frame, np.float64) / 2)
    return rng.uniform(half, np.array(frame, np.float64) - half)


def _add_skin_distractors(scene: Scene, rng: np.random.Generator, K: np.ndarray,
                          frame: Tuple[int, int], behind: Optional[float],
                          skin: int) -> None:
    """Bare skin-coloured limbs and balls, behind the hands (label body)."""
    for _ in range(int(rng.integers(*SKIN_DISTRACTOR_COUNT))):
        uv = rng.uniform((0.0, 0.0), frame, size=(1, 2))
        depth = (rng.uniform(*DISTRACTOR_DEPTH_RANGE) if behind is None
                 else behind + rng.uniform(*DISTRACTOR_GAP_RANGE))
        centre = lift(uv, np.array([depth]), K)[0]
        if rng.random() < 0.5:
            angle = rng.uniform(0, 2 * np.pi)
            half = rng.uniform(*LIMB_LENGTH_RANGE) / 2 * np.array(
                [np.cos(angle), np.sin(angle), rng.uniform(-0.5, 0.5)])
            r = rng.uniform(*LIMB_RADIUS_RANGE)
            scene.primitives.append(Capsule(centre - half, centre + half, r,
                                            r * rng.uniform(0.8, 1.2), LABEL_BODY,
                                            skin))
        else:
            axes = np.diag(rng.uniform(*BALL_RADIUS_RANGE)
                           * rng.uniform(0.7, 1.0, 3))
            scene.primitives.append(Ellipsoid(centre, axes, LABEL_BODY, skin))


def _face_anchor(rng: np.random.Generator, K: np.ndarray,
                 frame: Tuple[int, int]) -> np.ndarray:
    """(1, 3) point to put a person beside, in a scene without hands."""
    share = rng.uniform(*FACE_SIZE_RANGE)
    depth = K[0, 0] * FACE_HEIGHT_M / (share * min(frame))
    uv = rng.uniform((0.0, 0.0), frame, size=(1, 2))
    return lift(uv, np.array([depth]), K)


def render_hand_scene(seed: int, split: str, index: int,
                      family: str = 'train',
                      style: SceneStyle = SCENE_STYLE,
                      keep_label: bool = False,
                      layout: str = 'default') -> HandScene:
    """Render one scene.

    Args:
        seed (int): Dataset seed (>= 0).
        split (str): One of :data:`SCENE_SPLITS`.
        index (int): Scene index within the split.
        family (str): Appearance family, ``'train'``, ``'heldout'`` or
            ``'hard'`` (``val`` and ``test`` only).
        style (SceneStyle): A style with appearance families; defaults to
            :data:`SCENE_STYLE`.
        keep_label (bool): Keep the render labels (for tests and plots).
        layout (str): Hand sizes and cuts by the frame, a key of
            :data:`SCENE_LAYOUTS`.

    Returns:
        HandScene: the image and its hands.

    Raises:
        ValueError: on an unknown family or layout, a family of
            EVAL_ONLY_FAMILIES for the ``train`` split or a style without
            appearance families.
    """
    check_family(family)
    hand_layout = get_layout(layout)
    if split == 'train':
        check_training_family(family)
    if not style.families:
        raise ValueError(f'style {style.name!r} has no appearance families; '
                         'scenes need one (e.g. SCENE_STYLE)')
    rng = scene_rng(seed, split, index)
    frame = SCENE_FRAMES[int(rng.choice(len(SCENE_FRAMES), p=SCENE_FRAME_PROBS))]
    K = _intrinsics(rng, frame)
    count = int(rng.choice(len(HAND_COUNT_PROBS), p=HAND_COUNT_PROBS))
    sides = (HAND_SIDES if count == 2 else
             (HAND_SIDES[int(rng.integers(2))], ) if count == 1 else ())
    shape = sample_hand_shape(rng)
    scene = Scene()
    skin = scene.add_material(PLACEHOLDER_SKIN, PLACEHOLDER_SKIN, skin=True,
                              specular=skin_specular(rng))
    hands_xyz, boxes = {}, []
    first_size = None
    for side in sides:
        pose_name, angles = draw_pose(rng, style, family)
        pose = forward_kinematics(shape, angles)
        forearm = sample_forearm_direction(rng)
        mirror = mirror_matrix(side)
        rotation = view_rotation(rng, mirror @ forearm, style,
                                 mirror @ shape.roots[2], family)
        points = pose.joints @ (rotation @ mirror).T
        size = (_hand_size(rng, min(frame), hand_layout) if first_size is None else
                first_size * rng.uniform(*SECOND_HAND_FACTOR))
        first_size = first_size or size
        centre = _box_centre(rng, size, frame)
        # Keep two hands mostly apart (they may still overlap a little).
        for _ in range(RHD_SEPARATION_TRIES):
            if all(np.linalg.norm(centre - c) > RHD_SEPARATION * (size + s)
                   for s, c in boxes):
                break
            centre = _box_centre(rng, size, frame)
        boxes.append((size, centre))
        translation = place_in_frame(points, K, frame, PLACE_MARGIN_PX, size,
                                     centre)
        if rng.random() < hand_layout.out_of_frame_prob:
            translation = shift_out_of_frame(points, translation, K, frame, rng)
        hands_xyz[side] = points + translation
        add_hand(scene, rng, shape, pose, side, rotation, translation, forearm,
                 skin)
    if hands_xyz:
        in_view = np.concatenate(list(hands_xyz.values()))
        if rng.random() < PERSON_PROB:
            add_person(scene, rng, in_view, skin)
        add_occluders(scene, rng, in_view, shape.scale,
                      behind_prob=held_object_prob(style))
        behind = float(in_view[:, 2].max())
    else:
        if rng.random() < PERSON_WITHOUT_HANDS_PROB:
            add_person(scene, rng, _face_anchor(rng, K, frame), skin)
        behind = None
    if rng.random() < SKIN_DISTRACTOR_PROB:
        _add_skin_distractors(scene, rng, K, frame, behind, skin)
    buffers = rasterize(scene.primitives, K, (frame[1], frame[0]))
    radii = shape.keypoint_radii()
    hands = []
    for side, xyz in hands_xyz.items():
        uv = project(xyz, K)
        pixel = np.round(uv)
        in_frame = ((pixel >= 0) & (pixel <= np.array(frame) - 1)).all(axis=1)
        visible = keypoint_visibility(buffers, xyz, K, keypoint_own_labels(side),
                                      radii) & in_frame
        hands.append(SceneHand(side, uv, visible, in_frame, clipped_box(uv, frame)))
    image, appearance = finish_photo_image(rng, scene, buffers, K, style, family)
    return HandScene(image, appearance.jpeg_quality, hands, appearance,
                     buffers.label if keep_label else None)


__all__ = ['HandScene', 'SceneHand', 'SceneLayout', 'SCENE_LAYOUTS', 'SCENE_SPLITS',
           'SCENE_STYLE', 'clipped_box', 'get_layout', 'render_hand_scene', 'scene_rng']

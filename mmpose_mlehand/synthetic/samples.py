"""Render one synthetic sample in the FreiHAND or the RHD style.

Each sample is a pure function of ``(seed, split, index)`` (and its style and
appearance family): its random generator comes from
``numpy.random.SeedSequence(seed, spawn_key=(split id, index, version))``, so
the output does not depend on how samples are spread over worker processes.
In styles with appearance families (``photo``) each image also draws one key
from that generator and gives each of its features (:data:`PHOTO_STREAMS`)
its own generator from the key, so that turning one feature off changes no
other feature's draws.

The ``hard`` family (validation and test only, see :mod:`.appearance`) also
changes what is shown: a share :data:`HARD_CLOSED_POSE_PROB` of closed and
half-closed hands, :data:`HARD_TURNED_PROB` of hands turned 45-180 degrees
from upright and :data:`HARD_SIDE_VIEW_PROB` of side views. The ``train`` and
``heldout`` families draw exactly what they drew before it existed.
"""
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple, Union

import numpy as np

from ..hand_format import HAND_SIDES, NUM_KEYPOINTS, RHD_MAX_DEPTH_M, RHD_TO_FREIHAND
from .appearance import (HARD_BACKGROUND_SKIN_PULL_RANGE, HARD_CONTRAST_RANGE,
                         HARD_EXPOSURE_EV_RANGE, HARD_LIGHT_AMBIENT_RANGE, HARD_LIGHT_DIFFUSE_RANGE,
                         HARD_LIGHT_Z_RANGE, Appearance, check_family, sample_appearance)
from .backgrounds import photo_background, random_background
from .camera import (FREIHAND_CAMERA, RHD_CAMERA, place_in_view, place_out_of_view, project,
                     random_rotation, sample_hand_box, sample_intrinsics, shift_out_of_frame)
from .effects import colour_jitter, degrade, jpeg_quality, jpeg_roundtrip, photo_camera
from .hand_model import (forward_kinematics, mirror_matrix, sample_forearm_direction,
                         sample_hand_shape, sample_pose)
from .renderer import RenderBuffers, composite, keypoint_visibility, rasterize, shade
from .scene import (LABEL_OCCLUDER, OCCLUDER_BEHIND_PROB, SKIN_TONES, Scene, add_body, add_hand,
                    add_occluders, add_person, hand_mask, keypoint_own_labels, rhd_mask,
                    sample_light, sample_photo_light, sample_skin, skin_albedos)
from .skin_texture import apply_skin_texture
from .styles import SceneStyle, get_style

SPLITS = ('training', 'evaluation')

# Views whose forearm points at the camera more steeply than this (the -z
# component of its unit direction) are redrawn: the arm would cover the hand.
MAX_ARM_TOWARDS_CAMERA = 0.5
# Most draws of the view rotation, without and with a tilt limit (a narrow
# limit rejects most uniform rotations); if none passes, the last is kept.
VIEW_TRIES = 20
VIEW_TRIES_TILT_LIMIT = 200
# Skin sheen: specular strength and Blinn-Phong exponent (weak and broad).
SKIN_SPECULAR_RANGE = (0.02, 0.07)
SKIN_SHININESS_RANGE = (8, 25)
# Drop shadow of the hand on the background: share of images with one, its
# offset in px (rng.integers bounds: high end exclusive), strength and blur
# sigma (px).
SHADOW_PROB = 0.5
SHADOW_OFFSET_RANGE_PX = (-12, 13)
SHADOW_STRENGTH_RANGE = (0.2, 0.6)
SHADOW_SIGMA_RANGE_PX = (2.0, 8.0)
# FreiHAND-style samples keep their occluders only if at least this many
# keypoints stay visible (a FreiHAND image always shows the hand).
MIN_VISIBLE_WITH_OCCLUDERS = 12
# RHD-style scenes: share with both hands in view, share with a torso and head
# behind the hands, share of PNGs given JPEG artefacts, far depth range (m).
RHD_TWO_HANDS_PROB = 0.5
RHD_BODY_PROB = 0.5
RHD_JPEG_PROB = 0.3
RHD_BACKGROUND_DEPTH = (2.0, 4.5)
# Two hands in view are redrawn (up to RHD_SEPARATION_TRIES times) while their
# box centres are closer than RHD_SEPARATION times the sum of their box sizes.
RHD_SEPARATION = 0.35
RHD_SEPARATION_TRIES = 10
# In-plane orientation prior (styles with upright_sigma_deg): the image angle
# of an upright hand's wrist-to-middle-knuckle direction (degrees, image v
# grows downwards, so fingers up is -90) and the share of views whose angle is
# uniform instead.
UPRIGHT_ANGLE_DEG = -90.0
UPRIGHT_UNIFORM_PROB = 0.1
# The hard family's hands and views. Real photographs score lowest on hands
# turned more than 45 degrees from upright (0.43-0.69 PCK@0.2 against
# 0.77-0.79), on closed hands and where palm and back are confused (side
# views; docs/synthetic_hands.md), so the hard family over-samples them: a
# share HARD_CLOSED_POSE_PROB of closed or half-closed hands
# (hand_model.sample_closed_pose); a share HARD_TURNED_PROB of in-plane
# angles turned by a uniform HARD_TURN_RANGE_DEG either way from upright
# (the rest follow the style's prior); a share HARD_SIDE_VIEW_PROB of views
# tilted between the style's limit and HARD_MAX_VIEW_TILT_DEG (palm edge-on
# rather than facing the camera).
HARD_CLOSED_POSE_PROB = 0.6
HARD_TURNED_PROB = 0.5
HARD_TURN_RANGE_DEG = (45.0, 180.0)
HARD_SIDE_VIEW_PROB = 0.4
HARD_MAX_VIEW_TILT_DEG = 85.0
# Styles with arm_in_view: largest depth (z) component of the forearm's unit
# direction, so that the forearm runs across the image towards its edge.
ARM_MAX_DEPTH_COMPONENT = 0.75
# Features of a styles-with-families image that draw from their own
# generators (the index is the generator's spawn key).
PHOTO_STREAMS = ('appearance', 'light', 'background', 'skin_texture',
                 'camera')
# Skin albedo of the scene's skin material before an image of a family style
# re-colours it with its appearance's skin (never rendered).
PLACEHOLDER_SKIN = SKIN_TONES[0]


@dataclass
class FreiHandSample:
    """A FreiHAND-style sample (one right hand).

    Attributes:
        images (list): RGB uint8 (224, 224, 3), one per version.
        jpeg_qualities (list): JPEG quality to write each version with.
        mask (np.ndarray): uint8 (224, 224), 255 on the hand.
        K (np.ndarray): 3x3 intrinsics.
        xyz (np.ndarray): (21, 3) camera-frame keypoints, metres.
        uv (np.ndarray): (21, 2) projected keypoints.
        visible (np.ndarray): (21,) bool from the depth test.
        keypoint_radii (np.ndarray): (21,) body radius at each keypoint, as
            used by the depth test (metres).
        pose (str): Pose name (``'random'``, a template or a closed pose,
            see :func:`.hand_model.sample_pose`).
        buffers (RenderBuffers, optional): render buffers, if kept.
        appearances (list, optional): The :class:`~.appearance.Appearance`
            of each version, in styles with appearance families.
    """

    images: List[np.ndarray]
    jpeg_qualities: List[int]
    mask: np.ndarray
    K: np.ndarray
    xyz: np.ndarray
    uv: np.ndarray
    visible: np.ndarray
    keypoint_radii: np.ndarray
    pose: str
    buffers: Optional[RenderBuffers] = None
    appearances: Optional[List[Appearance]] = None


@dataclass
class RhdSample:
    """An RHD-style sample (a left and a right hand, one or both in view).

    Attributes:
        image (np.ndarray): RGB uint8 (320, 320, 3).
        mask (np.ndarray): uint8 (320, 320) RHD part labels.
        depth (np.ndarray): float32 (320, 320) depth in metres.
        K (np.ndarray): 3x3 intrinsics.
        xyz (np.ndarray): (42, 3) keypoints, rows 0-20 left and 21-41 right,
            RHD order within a hand, metres.
        uv_vis (np.ndarray): (42, 3) u, v and the visible flag (0/1).
        keypoint_radii (np.ndarray): (21,) body radius at each keypoint in
            FreiHAND order (both hands: one person), metres.
        poses (tuple): Pose names (left, right).
        buffers (RenderBuffers, optional): render buffers, if kept.
        appearance (Appearance, optional): The image's appearance, in styles
            with appearance families.
    """

    image: np.ndarray
    mask: np.ndarray
    depth: np.ndarray
    K: np.ndarray
    xyz: np.ndarray
    uv_vis: np.ndarray
    keypoint_radii: np.ndarray
    poses: Tuple[str, str]
    buffers: Optional[RenderBuffers] = None
    appearance: Optional[Appearance] = None


def sample_rng(seed: int, split: str, index: int,
               version: int = 0) -> np.random.Generator:
    """The random generator of one sample (and image version)."""
    if split not in SPLITS:
        raise ValueError(f'split must be one of {SPLITS}, got {split!r}')
    return np.random.default_rng(np.random.SeedSequence(
        seed, spawn_key=(SPLITS.index(split), index, version)))


def feature_streams(key: int) -> Dict[str, np.random.Generator]:
    """One generator per feature of :data:`PHOTO_STREAMS`, from an image key."""
    return {name: np.random.default_rng(np.random.SeedSequence(
        key, spawn_key=(i, ))) for i, name in enumerate(PHOTO_STREAMS)}


def check_style_family(style: Union[str, SceneStyle], family: str) -> SceneStyle:
    """The style, after checking it and that it supports the family.

    Raises:
        ValueError: on an unknown style or family, or ``'heldout'`` or
            ``'hard'`` with a style without appearance families.
    """
    scene_style = get_style(style)
    check_family(family)
    if family != 'train' and not scene_style.families:
        raise ValueError(
            f'family {family!r} needs a style with appearance families '
            f'(photo); style {scene_style.name!r} draws from every appearance')
    return scene_style


def closed_pose_prob(style: SceneStyle, family: str) -> float:
    """Share of closed hands (``sample_pose``'s ``closed_prob``): the hard
    family's, else the style's."""
    return HARD_CLOSED_POSE_PROB if family == 'hard' else style.closed_pose_prob


def draw_pose(rng: np.random.Generator, style: SceneStyle,
              family: str) -> Tuple[str, np.ndarray]:
    """A hand's pose name and (5, 4) joint angles with the shares of closed
    and crossed hands of the style and family (:func:`.hand_model.sample_pose`)."""
    return sample_pose(rng, closed_pose_prob(style, family), style.crossed_pose_prob)


def skin_specular(rng: np.random.Generator) -> Tuple[float, float]:
    return (float(rng.uniform(*SKIN_SPECULAR_RANGE)),
            float(rng.uniform(*SKIN_SHININESS_RANGE)))


def view_rotation(rng: np.random.Generator, forearm_dir: np.ndarray,
                  style: SceneStyle,
                  distal: Optional[np.ndarray] = None,
                  family: str = 'train') -> np.ndarray:
    """Hand-frame-to-camera rotation of a view allowed by the style.

    Args:
        rng (np.random.Generator): Random source.
        forearm_dir (np.ndarray): Wrist-to-elbow direction (hand frame).
        style (SceneStyle): The scene style.
        distal (np.ndarray, optional): Wrist-to-middle-knuckle vector in the
            hand frame, for the in-plane prior; default hand-frame +y.
        family (str): Appearance family; ``'hard'`` adds side views and
            hands turned far from upright (HARD_SIDE_VIEW_PROB,
            HARD_TURNED_PROB), the other families the style's shares
            (``side_view_prob``, ``turned_prob``; no number is drawn for a
            share of 0).
    """
    # Views are redrawn while the forearm would cover the hand or, in styles
    # with a tilt limit, while the palm (hand-frame +z, either side) turns
    # further from the camera axis than the limit (or, for a hard side view,
    # is not between the limit and HARD_MAX_VIEW_TILT_DEG), or, with
    # arm_in_view, while the forearm runs steeply into or out of the image.
    min_facing = (np.cos(np.radians(style.max_view_tilt_deg))
                  if style.max_view_tilt_deg < 90 else None)
    max_facing = None
    hard = family == 'hard'
    side_view_prob = HARD_SIDE_VIEW_PROB if hard else style.side_view_prob
    turned_prob = HARD_TURNED_PROB if hard else style.turned_prob
    if (side_view_prob > 0 and style.max_view_tilt_deg < HARD_MAX_VIEW_TILT_DEG
            and rng.random() < side_view_prob):
        max_facing = min_facing
        min_facing = np.cos(np.radians(HARD_MAX_VIEW_TILT_DEG))
    for _ in range(VIEW_TRIES if min_facing is None else VIEW_TRIES_TILT_LIMIT):
        rotation = random_rotation(rng)
        if ((rotation @ forearm_dir)[2] > -MAX_ARM_TOWARDS_CAMERA
                and (min_facing is None or abs(rotation[2, 2]) >= min_facing)
                and (max_facing is None or abs(rotation[2, 2]) <= max_facing)
                and (not style.arm_in_view or abs((rotation @ forearm_dir)[2])
                     <= ARM_MAX_DEPTH_COMPONENT)):
            break
    distal = np.array([0.0, 1.0, 0.0]) if distal is None else distal
    if turned_prob > 0 and rng.random() < turned_prob:
        turn = rng.uniform(*HARD_TURN_RANGE_DEG) * rng.choice((-1.0, 1.0))
        rotation = _turn_in_plane(rotation, distal, UPRIGHT_ANGLE_DEG + turn)
    elif style.upright_sigma_deg is not None:
        rotation = _in_plane_prior(rng, rotation, distal,
                                   style.upright_sigma_deg)
    return rotation


def in_plane_angle_deg(rotation: np.ndarray, distal: np.ndarray) -> float:
    """Image angle (degrees) of the rotated ``distal`` (v grows downwards)."""
    d = rotation @ distal
    return float(np.degrees(np.arctan2(d[1], d[0])))


def _in_plane_prior(rng: np.random.Generator, rotation: np.ndarray,
                    distal: np.ndarray, sigma_deg: float) -> np.ndarray:
    """Turn a view about the camera axis to an angle drawn from the prior.

    The turn keeps the palm's tilt and the forearm's depth component, so the
    view stays allowed. The angle is Gaussian around UPRIGHT_ANGLE_DEG with
    ``sigma_deg`` (a share UPRIGHT_UNIFORM_PROB uniform); 2 draws.
    """
    if rng.random() < UPRIGHT_UNIFORM_PROB:
        target = rng.uniform(-180.0, 180.0)
    else:
        target = UPRIGHT_ANGLE_DEG + rng.normal(0.0, sigma_deg)
    return _turn_in_plane(rotation, distal, target)


def _turn_in_plane(rotation: np.ndarray, distal: np.ndarray,
                   target_deg: float) -> np.ndarray:
    """Turn a view about the camera axis so ``distal`` lies at ``target_deg``.

    The turn keeps the palm's tilt and the forearm's depth component.
    """
    turn = np.radians(target_deg - in_plane_angle_deg(rotation, distal))
    c, s = np.cos(turn), np.sin(turn)
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]]) @ rotation


def held_object_prob(style: SceneStyle) -> float:
    return (OCCLUDER_BEHIND_PROB if style.held_object_prob is None
            else style.held_object_prob)


def _finish_image(rng: np.random.Generator, scene: Scene,
                  buffers: RenderBuffers,
                  skin: Optional[Tuple[np.ndarray, np.ndarray]],
                  dorsal: np.ndarray, style: SceneStyle) -> np.ndarray:
    """Shade, put on a background and degrade; ``skin`` re-colours the hand."""
    height, width = buffers.label.shape
    materials = scene.material_table(skin)
    light = sample_light(rng)
    foreground = shade(buffers, materials, light, scene.palmar_dirs,
                       scene.nail_labels)
    background = random_background(rng, height, width,
                                   dorsal if skin is None else skin[0],
                                   clutter=style.clutter)
    shadow = None
    if rng.random() < SHADOW_PROB:
        offset = tuple(int(v) for v in rng.integers(*SHADOW_OFFSET_RANGE_PX, 2))
        shadow = (offset, float(rng.uniform(*SHADOW_STRENGTH_RANGE)),
                  float(rng.uniform(*SHADOW_SIGMA_RANGE_PX)))
    image = composite(foreground, buffers.label, background, shadow)
    return degrade(rng, colour_jitter(rng, image),
                   degradations=style.degradations)


def photo_scene_image(streams: Dict[str, np.random.Generator], scene: Scene,
                      buffers: RenderBuffers, K: np.ndarray,
                      style: SceneStyle,
                      appearance: Appearance) -> np.ndarray:
    """Shaded, textured scene on its background, before the camera.

    Args:
        streams (dict): Generators of :func:`feature_streams`.
        scene (Scene): The scene (skin re-coloured from ``appearance``).
        buffers (RenderBuffers): Its render buffers.
        K (np.ndarray): 3x3 intrinsics.
        style (SceneStyle): A style with appearance families.
        appearance (Appearance): The image's appearance.

    Returns:
        np.ndarray: (H, W, 3) float32 RGB.
    """
    height, width = buffers.label.shape
    skin = skin_albedos(appearance.skin_blend, appearance.skin_jitter)
    materials = scene.material_table(skin)
    hard = appearance.family == 'hard'
    light = (sample_photo_light(streams['light'], appearance.light_kelvin,
                                HARD_LIGHT_Z_RANGE, HARD_LIGHT_AMBIENT_RANGE,
                                HARD_LIGHT_DIFFUSE_RANGE) if hard
             else sample_photo_light(streams['light'], appearance.light_kelvin))
    foreground = shade(buffers, materials, light, scene.palmar_dirs,
                       scene.nail_labels)
    if style.skin_texture:
        foreground = apply_skin_texture(streams['skin_texture'], foreground,
                                        buffers, materials, scene, K, style.dorsal_detail)
    if appearance.background_is_photo:
        background = photo_background(streams['background'],
                                      appearance.background, height, width,
                                      skin[0])
    else:
        background = random_background(streams['background'], height, width,
                                       skin[0], bases=(appearance.background,))
    if hard:
        # Low contrast between hand and background: the room takes on the
        # skin's colour.
        pull = streams['background'].uniform(*HARD_BACKGROUND_SKIN_PULL_RANGE)
        background = (1 - pull) * background + pull * skin[0]
    # The room is lit by the hand's light (its colour; the camera's white
    # balance then acts on both).
    return composite(foreground, buffers.label, background * light.colour)


def finish_photo_image(rng: np.random.Generator, scene: Scene,
                       buffers: RenderBuffers, K: np.ndarray,
                       style: SceneStyle,
                       family: str) -> Tuple[np.ndarray, Appearance]:
    """An image of a style with appearance families, and its appearance."""
    streams = feature_streams(int(rng.integers(2 ** 63)))
    appearance = sample_appearance(streams['appearance'], family,
                                   style.photo_background_prob)
    image = photo_scene_image(streams, scene, buffers, K, style, appearance)
    camera = streams['camera']
    if style.photo_camera:
        if family == 'hard':
            return photo_camera(camera, image, appearance.camera_kelvin,
                                HARD_EXPOSURE_EV_RANGE,
                                HARD_CONTRAST_RANGE), appearance
        return photo_camera(camera, image, appearance.camera_kelvin), appearance
    return degrade(camera, colour_jitter(camera, image),
                   degradations=style.degradations), appearance


def _outside(uv: np.ndarray, size: int) -> np.ndarray:
    """(N,) bool: keypoints whose rounded pixel lies outside the image."""
    pixel = np.round(uv)
    return ((pixel < 0) | (pixel > size - 1)).any(axis=1)


def render_freihand_sample(seed: int, split: str, index: int,
                           versions: int = 1,
                           keep_buffers: bool = False,
                           style: Union[str, SceneStyle] = 'full',
                           family: str = 'train') -> FreiHandSample:
    """Render one FreiHAND-style sample.

    Version 0 is drawn from the sample's generator; versions 1.. re-draw the
    skin colour, light, background and effects from their own generators, so
    version 0 is the same whatever ``versions`` is.

    A hand moved partly out of the frame (``out_of_frame_prob``) keeps exact
    labels: ``xyz`` and ``uv`` are the true points (some outside the image)
    and their ``visible`` flags are False.

    Args:
        seed (int): Dataset seed (>= 0).
        split (str): ``'training'`` or ``'evaluation'``.
        index (int): Sample index (unique id) within the split.
        versions (int): Number of colour versions to render (1-4).
        keep_buffers (bool): Keep the render buffers (for tests and plots).
        style (str or SceneStyle): Scene style, see :mod:`.styles`. Defaults
            to 'full'.
        family (str): Appearance family, ``'train'`` (default),
            ``'heldout'`` or ``'hard'`` (styles with families only; ``hard``
            for validation and test data), see :mod:`.appearance`.
    """
    scene_style = check_style_family(style, family)
    rng = sample_rng(seed, split, index)
    shape = sample_hand_shape(rng)
    pose_name, angles = draw_pose(rng, scene_style, family)
    pose = forward_kinematics(shape, angles)
    forearm = sample_forearm_direction(rng)
    rotation = view_rotation(rng, forearm, scene_style, shape.roots[2], family)
    K = sample_intrinsics(rng, FREIHAND_CAMERA)
    box_size, box_centre = sample_hand_box(rng, FREIHAND_CAMERA)
    points = pose.joints @ rotation.T
    translation = place_in_view(points, K, FREIHAND_CAMERA, box_size,
                                box_centre)
    if (scene_style.out_of_frame_prob > 0
            and rng.random() < scene_style.out_of_frame_prob):
        translation = shift_out_of_frame(points, translation, K,
                                         (FREIHAND_CAMERA.image_size, ) * 2, rng)
    xyz = points + translation

    scene = Scene()
    if scene_style.families:
        # Every image re-colours the skin from its appearance.
        dorsal = palmar = PLACEHOLDER_SKIN
    else:
        dorsal, palmar = sample_skin(rng)
    skin = scene.add_material(dorsal, palmar, skin=True,
                              specular=skin_specular(rng))
    add_hand(scene, rng, shape, pose, 'right', rotation, translation, forearm,
             skin)
    if scene_style.person_prob > 0 and rng.random() < scene_style.person_prob:
        add_person(scene, rng, xyz, skin)
    if scene_style.occluders:
        add_occluders(scene, rng, xyz, shape.scale,
                      behind_prob=held_object_prob(scene_style))
    size = FREIHAND_CAMERA.image_size
    buffers = rasterize(scene.primitives, K, (size, size))
    radii = shape.keypoint_radii()
    visible = keypoint_visibility(buffers, xyz, K, keypoint_own_labels('right'),
                                  radii)
    # Keypoints outside the frame (out_of_frame_prob) do not count against
    # the occluders.
    outside = int(_outside(project(xyz, K), size).sum())
    if visible.sum() < MIN_VISIBLE_WITH_OCCLUDERS - outside:
        # FreiHAND shows the hand: objects that hide most of it are taken out.
        scene.primitives = [p for p in scene.primitives if p.label < LABEL_OCCLUDER]
        buffers = rasterize(scene.primitives, K, (size, size))
        visible = keypoint_visibility(buffers, xyz, K,
                                      keypoint_own_labels('right'), radii)
    images, qualities, appearances = [], [], []
    for version in range(versions):
        vrng = rng if version == 0 else sample_rng(seed, split, index, version)
        if scene_style.families:
            image, appearance = finish_photo_image(vrng, scene, buffers, K,
                                                   scene_style, family)
            images.append(image)
            qualities.append(appearance.jpeg_quality)
            appearances.append(appearance)
            continue
        recolour = None if version == 0 else sample_skin(vrng)
        images.append(_finish_image(vrng, scene, buffers, recolour, dorsal,
                                    scene_style))
        qualities.append(jpeg_quality(vrng))
    mask = hand_mask(buffers.label).astype(np.uint8) * 255
    return FreiHandSample(images, qualities, mask, K, xyz, project(xyz, K),
                          visible, radii, pose_name,
                          buffers if keep_buffers else None,
                          appearances if scene_style.families else None)


def render_rhd_sample(seed: int, split: str, index: int,
                      keep_buffers: bool = False,
                      style: Union[str, SceneStyle] = 'full',
                      family: str = 'train') -> RhdSample:
    """Render one RHD-style sample.

    Both hands always get coordinates (as in RHD). A hand that is not in the
    image is placed beside the frame at a plausible depth (z > 0): its points
    project outside the image and all its visible flags are 0.

    Args:
        seed (int): Dataset seed (>= 0).
        split (str): ``'training'`` or ``'evaluation'``.
        index (int): Sample id within the split.
        keep_buffers (bool): Keep the render buffers (for tests and plots).
        style (str or SceneStyle): Scene style, see :mod:`.styles`. Defaults
            to 'full'. ``out_of_frame_prob`` does not apply (RHD hands are
            wholly in or wholly out of the frame).
        family (str): Appearance family, ``'train'`` (default),
            ``'heldout'`` or ``'hard'`` (styles with families only; ``hard``
            for validation and test data), see :mod:`.appearance`.
    """
    scene_style = check_style_family(style, family)
    rng = sample_rng(seed, split, index)
    shape = sample_hand_shape(rng)
    K = sample_intrinsics(rng, RHD_CAMERA)
    if rng.random() < RHD_TWO_HANDS_PROB:
        present = set(HAND_SIDES)
    else:
        present = {HAND_SIDES[rng.integers(len(HAND_SIDES))]}
    scene = Scene()
    if scene_style.families:
        dorsal = palmar = PLACEHOLDER_SKIN
    else:
        dorsal, palmar = sample_skin(rng)
    skin = scene.add_material(dorsal, palmar, skin=True,
                              specular=skin_specular(rng))
    hands, poses, boxes = {}, [], []
    for side in HAND_SIDES:
        pose_name, angles = draw_pose(rng, scene_style, family)
        pose = forward_kinematics(shape, angles)
        forearm = sample_forearm_direction(rng)
        mirror = mirror_matrix(side)
        rotation = view_rotation(rng, mirror @ forearm, scene_style,
                                 mirror @ shape.roots[2], family)
        points = pose.joints @ (rotation @ mirror).T
        box_size, box_centre = sample_hand_box(rng, RHD_CAMERA)
        if side in present:
            # Keep two hands mostly apart (they may still overlap a little).
            for _ in range(RHD_SEPARATION_TRIES):
                if all(np.linalg.norm(box_centre - c)
                       > RHD_SEPARATION * (box_size + s) for s, c in boxes):
                    break
                box_size, box_centre = sample_hand_box(rng, RHD_CAMERA)
            boxes.append((box_size, box_centre))
            translation = place_in_view(points, K, RHD_CAMERA, box_size,
                                        box_centre)
        else:
            translation = place_out_of_view(points, K, RHD_CAMERA, box_size,
                                            rng)
        hands[side] = points + translation
        poses.append(pose_name)
        add_hand(scene, rng, shape, pose, side, rotation, translation, forearm,
                 skin)
    in_view = np.concatenate([hands[s] for s in HAND_SIDES if s in present])
    if scene_style.person_prob > 0:
        if rng.random() < scene_style.person_prob:
            add_person(scene, rng, in_view, skin)
    elif rng.random() < RHD_BODY_PROB:
        add_body(scene, rng, in_view, skin)
    if scene_style.occluders:
        add_occluders(scene, rng, in_view, shape.scale,
                      behind_prob=held_object_prob(scene_style))
    size = RHD_CAMERA.image_size
    buffers = rasterize(scene.primitives, K, (size, size))

    xyz = np.zeros((2 * NUM_KEYPOINTS, 3))
    uv_vis = np.zeros((2 * NUM_KEYPOINTS, 3))
    radii = shape.keypoint_radii()
    for h, side in enumerate(HAND_SIDES):
        visible = keypoint_visibility(buffers, hands[side], K,
                                      keypoint_own_labels(side), radii)
        rows = slice(h * NUM_KEYPOINTS, (h + 1) * NUM_KEYPOINTS)
        order = list(RHD_TO_FREIHAND)  # its own inverse
        xyz[rows] = hands[side][order]
        uv_vis[rows, :2] = project(hands[side], K)[order]
        uv_vis[rows, 2] = visible[order]
    depth = np.where(np.isfinite(buffers.depth), buffers.depth,
                     np.float32(rng.uniform(*RHD_BACKGROUND_DEPTH)))
    appearance = None
    if scene_style.families:
        # A webcam frame: always JPEG-compressed, at the family's quality.
        image, appearance = finish_photo_image(rng, scene, buffers, K,
                                               scene_style, family)
        image = jpeg_roundtrip(image, appearance.jpeg_quality)
    else:
        image = _finish_image(rng, scene, buffers, None, dorsal, scene_style)
        if rng.random() < RHD_JPEG_PROB:
            image = jpeg_roundtrip(image, jpeg_quality(rng))
    return RhdSample(image, rhd_mask(buffers.label),
                     np.minimum(depth, RHD_MAX_DEPTH_M).astype(np.float32), K,
                     xyz, uv_vis, radii, tuple(poses),
                     buffers if keep_buffers else None, appearance)

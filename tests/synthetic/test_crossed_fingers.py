"""Fingers crossing each other (issue 22): poses, bodies, depth order, styles."""
import dataclasses

import numpy as np
import pytest

from mmpose_mlehand.synthetic import hand_model as hm
from mmpose_mlehand.synthetic import renderer, scene
from mmpose_mlehand.synthetic.samples import render_freihand_sample
from mmpose_mlehand.synthetic.styles import STYLES, SceneStyle, get_style

SIZE = (224, 224)
K = np.array([[600.0, 0.0, 112.0], [0.0, 600.0, 112.0], [0.0, 0.0, 1.0]])
# Hand frame -> camera, fingers up: the palm towards the camera, or the back.
PALM_VIEW = np.array([[1.0, 0, 0], [0, -1, 0], [0, 0, -1]])
BACK_VIEW = np.array([[-1.0, 0, 0], [0, -1, 0], [0, 0, 1]])
# Points along a finger closer to its root than this (metres) are left out
# where two fingers are compared: neighbouring roots touch in every pose.
ROOT_ZONE = 0.02


def _finger_points(joints, radii, finger, per_segment=30):
    """Points along a finger's axis, their body radius and arc length."""
    chain = joints[1 + 4 * finger:5 + 4 * finger]
    points, radius, arc, length = [], [], [], 0.0
    for s in range(3):
        t = np.linspace(0.0, 1.0, per_segment, endpoint=False)
        points.append(chain[s] + t[:, None] * (chain[s + 1] - chain[s]))
        radius.append(radii[finger, s] + t * (radii[finger, s + 1] - radii[finger, s]))
        arc.append(length + t * np.linalg.norm(chain[s + 1] - chain[s]))
        length += np.linalg.norm(chain[s + 1] - chain[s])
    return np.concatenate(points), np.concatenate(radius), np.concatenate(arc)


def _closest_approach(joints, radii, over, under):
    """Gap between the two fingers' bodies (metres) where they come closest
    beyond ROOT_ZONE, and the two axis points there."""
    p1, r1, a1 = _finger_points(joints, radii, over)
    p2, r2, a2 = _finger_points(joints, radii, under)
    gap = np.linalg.norm(p1[:, None] - p2[None], axis=-1) - r1[:, None] - r2[None]
    gap[(a1[:, None] <= ROOT_ZONE) | (a2[None] <= ROOT_ZONE)] = np.inf
    i, j = np.unravel_index(gap.argmin(), gap.shape)
    return gap[i, j], p1[i], p2[j]


def test_crossed_poses_stay_in_limits_and_are_deterministic():
    names = set()
    for seed in range(60):
        name, angles = hm.sample_crossed_pose(np.random.default_rng(seed))
        names.add(name)
        assert np.all(angles >= hm.JOINT_LIMITS_DEG[..., 0])
        assert np.all(angles <= hm.JOINT_LIMITS_DEG[..., 1])
        again = hm.sample_crossed_pose(np.random.default_rng(seed))
        assert again[0] == name and np.array_equal(again[1], angles)
    assert names == set(hm.CROSSED_POSE_NAMES)


def test_crossed_fingers_cross_over_the_back_without_passing_through():
    worst_gap = worst_flat_gap = np.inf
    for seed in range(200):
        rng = np.random.default_rng(seed)
        shape = hm.sample_hand_shape(rng)
        name, angles = hm.sample_crossed_pose(rng)
        joints = hm.forward_kinematics(shape, angles).joints
        (over, under), *_ = hm.CROSSED_POSES[name]
        root = {f: joints[1 + 4 * f] for f in (over, under)}
        tip = {f: joints[4 + 4 * f] for f in (over, under)}
        # Seen along the palm's normal the pair swaps sides (+x is the thumb's):
        # the root of the finger over the other is on the little finger's
        # side, its tip on the thumb's.
        assert root[over][0] < root[under][0] and tip[over][0] > tip[under][0], (seed, name)
        gap, on_over, on_under = _closest_approach(joints, shape.radii, over, under)
        # Where they come closest the finger over the other is on the back
        # (+z is palmar), so the back view shows it in front.
        assert on_over[2] < on_under[2], (seed, name)
        worst_gap = min(worst_gap, gap)
        flat = hm.forward_kinematics(shape, hm.template_angles('flat')).joints
        worst_flat_gap = min(worst_flat_gap, _closest_approach(flat, shape.radii, over, under)[0])
    # Skin pressed together about as deep as straight neighbours are in this
    # model (2.5 mm for these hands), never one finger through the other.
    assert worst_gap > worst_flat_gap - 0.001 and worst_gap > -0.004


def _render_labels(angles, rotation):
    shape = hm.mean_hand_shape()
    posed = hm.forward_kinematics(shape, angles)
    # The same place for every pose: the middle finger's root at 0.6 m.
    translation = np.array([0.0, 0.0, 0.6]) - rotation @ hm.ROOT_POSITIONS[2]
    sc = scene.Scene()
    skin = sc.add_material(*scene.sample_skin(np.random.default_rng(0)), skin=True)
    scene.add_hand(sc, np.random.default_rng(0), shape, posed, 'right', rotation,
                   translation, np.array([0.0, -1.0, 0.0]), skin)
    buffers = renderer.rasterize(sc.primitives, K, SIZE)
    return buffers.label, posed.joints @ rotation.T + translation, shape


def _midpoint_crossing_angles():
    """'crossed_open' with every crossing range at its middle, no jitter."""
    (over, under), curl, fan, thumb = hm.CROSSED_POSES['crossed_open']
    angles = hm.curl_angles([curl] * 4, fan, thumb)
    angles[under, :2] = (np.mean(hm.CROSS_UNDER_MCP_DEG), np.mean(hm.CROSS_UNDER_SPREAD_DEG))
    angles[over, :2] = (np.mean(hm.CROSS_OVER_MCP_DEG), np.mean(hm.CROSS_OVER_SPREAD_DEG))
    angles[[under, over], 2:] = np.mean(hm.CROSS_DISTAL_FLEX_DEG)
    return angles, over, under


@pytest.mark.parametrize('rotation,front', [(BACK_VIEW, 'over'), (PALM_VIEW, 'under')])
def test_the_finger_nearer_the_camera_hides_the_other_where_they_cross(rotation, front):
    angles, over, under = _midpoint_crossing_angles()
    labels, xyz, shape = _render_labels(angles, rotation)
    _, on_over, on_under = _closest_approach(xyz, shape.radii, over, under)
    crossing = K @ ((on_over + on_under) / 2)
    col, row = np.round(crossing[:2] / crossing[2]).astype(int)
    finger = over if front == 'over' else under
    own = {scene.part_label('right', finger, s) for s in range(3)}
    assert labels[row, col] in own


def test_crossing_changes_only_the_pixels_of_the_crossed_pair():
    crossed, over, under = _midpoint_crossing_angles()
    uncrossed = crossed.copy()
    uncrossed[[over, under]] = hm.template_angles('open')[[over, under]]
    a, _, _ = _render_labels(crossed, BACK_VIEW)
    b, _, _ = _render_labels(uncrossed, BACK_VIEW)
    pair = [scene.part_label('right', f, s) for f in (over, under) for s in range(3)]
    changed = a != b
    assert changed.sum() > 500
    assert np.all(np.isin(a[changed], pair) | np.isin(b[changed], pair))


def test_crossed_share_is_drawn_only_when_asked():
    # Without crossed hands a style draws what it drew before they existed
    # (pose names and a keypoint of samples rendered before this change).
    poses = [render_freihand_sample(0, 'training', i, style='photo-varied').pose
             for i in range(12)]
    assert poses == ['relaxed', 'victory', 'random', 'ok', 'relaxed', 'fist', 'horns',
                     'grasp', 'pinch', 'random', 'grasp', 'ok']
    wrist = render_freihand_sample(0, 'training', 1, style='photo-varied').uv[0]
    np.testing.assert_allclose(wrist, [34.77, 186.55], atol=0.01)
    crossed = [render_freihand_sample(0, 'training', i, style='photo-crossed')
               for i in range(6)]
    assert all(s.pose in hm.CROSSED_POSE_NAMES + hm.CLOSED_POSE_NAMES for s in crossed)
    assert sum(s.pose in hm.CROSSED_POSE_NAMES for s in crossed) >= 3
    again = render_freihand_sample(0, 'training', 3, style='photo-crossed')
    assert np.array_equal(again.images[0], crossed[3].images[0])


def test_photo_crossed_is_photo_varied_with_every_open_hand_crossed():
    varied, crossed = get_style('photo-varied'), STYLES['photo-crossed']
    assert dataclasses.replace(varied, name='photo-crossed', crossed_pose_prob=1.0) == crossed
    assert all(style.crossed_pose_prob == 0.0 for name, style in STYLES.items()
               if name != 'photo-crossed')
    with pytest.raises(ValueError, match='crossed_pose_prob'):
        SceneStyle('bad', crossed_pose_prob=1.5)

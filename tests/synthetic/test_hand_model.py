"""Kinematic hand and camera of the synthetic generator: limits and geometry."""
import numpy as np
import pytest

from mmpose_mlehand.hand_format import FREIHAND_BONES
from mmpose_mlehand.synthetic import camera
from mmpose_mlehand.synthetic import hand_model as hm


def _bone_lengths(joints: np.ndarray) -> np.ndarray:
    return np.array([np.linalg.norm(joints[c] - joints[p])
                     for p, c in FREIHAND_BONES])


def _angle_deg(u: np.ndarray, v: np.ndarray) -> float:
    cos = u @ v / np.linalg.norm(u) / np.linalg.norm(v)
    return float(np.degrees(np.arccos(np.clip(cos, -1, 1))))


def test_declared_limits_are_anatomical():
    lo, hi = hm.JOINT_LIMITS_DEG[..., 0], hm.JOINT_LIMITS_DEG[..., 1]
    assert (lo < hi).all()
    # Finger MCP flexes to about 90 deg, PIP to about 105, DIP to about 80.
    assert np.allclose(hi[1:, 0], 90) and np.allclose(hi[1:, 2], 105)
    assert np.allclose(hi[1:, 3], 80) and (np.abs(hm.JOINT_LIMITS_DEG[1:, 1])
                                           <= 20).all()
    # Middle-finger proximal phalanx between 3.5 and 5.5 cm for every hand.
    assert 0.035 < hm.BONE_LENGTH_LIMITS[9, 0] < hm.BONE_LENGTH_LIMITS[9, 1] \
        < 0.06
    assert (hm.BONE_LENGTH_LIMITS[:, 0] > 0.015).all()


def test_sampled_poses_and_shapes_stay_in_limits():
    rng = np.random.default_rng(0)
    names = set()
    for _ in range(300):
        shape = hm.sample_hand_shape(rng)
        name, angles = hm.sample_pose(rng)
        names.add(name)
        assert (angles >= hm.JOINT_LIMITS_DEG[..., 0]).all()
        assert (angles <= hm.JOINT_LIMITS_DEG[..., 1]).all()
        joints = hm.forward_kinematics(shape, angles).joints
        lengths = _bone_lengths(joints)
        assert (lengths >= hm.BONE_LENGTH_LIMITS[:, 0] - 1e-12).all()
        assert (lengths <= hm.BONE_LENGTH_LIMITS[:, 1] + 1e-12).all()
    assert 'random' in names and len(names) >= 10


def test_kinematics_reproduces_the_joint_angles():
    rng = np.random.default_rng(1)
    for _ in range(50):
        shape = hm.sample_hand_shape(rng)
        _, angles = hm.sample_pose(rng)
        j = hm.forward_kinematics(shape, angles).joints
        for f in range(1, 5):
            mcp, pip, dip, tip = (j[1 + 4 * f + k] for k in range(4))
            proximal = (pip - mcp) / np.linalg.norm(pip - mcp)
            # Proximal direction = Rz(-(fan + spread)) Rx(flex) @ +y.
            assert np.degrees(np.arcsin(proximal[2])) == pytest.approx(
                angles[f, 0], abs=1e-6)
            if np.cos(np.radians(angles[f, 0])) > 0.05:  # else no azimuth
                fan = np.degrees(np.arctan2(proximal[0], proximal[1]))
                assert fan == pytest.approx(
                    hm.FINGER_FAN_DEG[f] + angles[f, 1], abs=1e-6)
            assert _angle_deg(pip - mcp, dip - pip) == pytest.approx(
                abs(angles[f, 2]), abs=1e-5)
            assert _angle_deg(dip - pip, tip - dip) == pytest.approx(
                abs(angles[f, 3]), abs=1e-5)
        t_mcp, t_ip, t_tip = j[2], j[3], j[4]
        assert _angle_deg(t_mcp - j[1], t_ip - t_mcp) == pytest.approx(
            abs(angles[0, 2]), abs=1e-5)
        assert _angle_deg(t_ip - t_mcp, t_tip - t_ip) == pytest.approx(
            abs(angles[0, 3]), abs=1e-5)


def test_open_hand_is_a_right_hand_and_thumb_opposes():
    shape = hm.mean_hand_shape()
    j = hm.forward_kinematics(shape, hm.template_angles('flat')).joints
    # Hand frame: +y distal, +x radial (the thumb side) for a right hand.
    assert j[12, 1] > 0.17 and j[4, 0] > j[8, 0] > j[20, 0]
    # Fingers are ordered radial to ulnar and do not cross.
    assert np.all(np.diff(j[[8, 12, 16, 20], 0]) < 0)
    # 'ok': the thumb tip meets the index tip; 'fist': fingertips near palm.
    ok = hm.forward_kinematics(shape, hm.template_angles('ok')).joints
    assert np.linalg.norm(ok[4] - ok[8]) < 0.02
    fist = hm.forward_kinematics(shape, hm.template_angles('fist')).joints
    assert all(0.0 < fist[t, 2] < 0.04 for t in (8, 12, 16, 20))
    assert all(fist[t, 1] < 0.08 for t in (8, 12, 16, 20))


def test_bad_arguments_are_rejected():
    with pytest.raises(ValueError, match='shape'):
        hm.forward_kinematics(hm.mean_hand_shape(), np.zeros((4, 4)))
    with pytest.raises(ValueError, match='unknown pose'):
        hm.template_angles('wave')
    with pytest.raises(ValueError, match='side'):
        hm.mirror_matrix('up')


@pytest.mark.parametrize('spec', [camera.FREIHAND_CAMERA, camera.RHD_CAMERA])
def test_placement_keeps_keypoints_in_view(spec):
    rng = np.random.default_rng(2)
    sizes = []
    for _ in range(100):
        shape = hm.sample_hand_shape(rng)
        _, angles = hm.sample_pose(rng)
        points = hm.forward_kinematics(shape, angles).joints @ \
            camera.random_rotation(rng).T
        K = camera.sample_intrinsics(rng, spec)
        size, centre = camera.sample_hand_box(rng, spec)
        xyz = points + camera.place_in_view(points, K, spec, size, centre)
        uv = camera.project(xyz, K)
        assert (xyz[:, 2] >= camera.MIN_DEPTH - 1e-9).all()
        assert (uv >= spec.margin - 1e-6).all()
        assert (uv <= spec.image_size - 1 - spec.margin + 1e-6).all()
        assert np.allclose(camera.lift(uv, xyz[:, 2], K), xyz)
        sizes.append(np.ptp(uv, axis=0).max() / spec.image_size)
        assert spec.focal_range[0] <= K[0, 0] <= spec.focal_range[1]
        assert abs(K[0, 2] - spec.image_size / 2) <= spec.principal_jitter
    # The hand box follows the declared size range (FreiHAND: 45-75 %).
    assert spec.hand_size_range[0] * 0.9 <= min(sizes)
    assert max(sizes) <= spec.hand_size_range[1] + 1e-6


def test_out_of_view_placement():
    rng = np.random.default_rng(3)
    spec = camera.RHD_CAMERA
    for _ in range(30):
        points = hm.forward_kinematics(
            hm.mean_hand_shape(), hm.sample_pose(rng)[1]).joints
        K = camera.sample_intrinsics(rng, spec)
        xyz = points + camera.place_out_of_view(points, K, spec, 80.0, rng)
        uv = camera.project(xyz, K)
        assert (xyz[:, 2] > 0).all() and np.isfinite(uv).all()
        assert ((uv < 0) | (uv > spec.image_size - 1)).any(axis=1).all()


def test_random_rotation_is_proper_and_uniform():
    rng = np.random.default_rng(4)
    rs = np.stack([camera.random_rotation(rng) for _ in range(2000)])
    assert np.allclose(rs @ rs.transpose(0, 2, 1), np.eye(3), atol=1e-9)
    assert np.allclose(np.linalg.det(rs), 1)
    # Uniform on SO(3): each column's mean is ~0.
    assert np.abs(rs.mean(axis=0)).max() < 0.05

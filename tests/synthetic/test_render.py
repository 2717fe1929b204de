"""Renderer of the synthetic generator: depth test, visibility, images, masks."""
import numpy as np
import pytest

from mmpose_mlehand.hand_format import (FREIHAND_IMAGE_SIZE, HAND_SIDES, NUM_KEYPOINTS,
                                        RHD_IMAGE_SIZE, RHD_MASK_RIGHT_RANGE, RHD_TO_FREIHAND)
from mmpose_mlehand.synthetic import camera
from mmpose_mlehand.synthetic import hand_model as hm
from mmpose_mlehand.synthetic import renderer, scene
from mmpose_mlehand.synthetic.samples import render_freihand_sample, render_rhd_sample

# A FreiHAND-sized image with the principal point at its centre pixel C.
SIZE = (FREIHAND_IMAGE_SIZE, FREIHAND_IMAGE_SIZE)
C = FREIHAND_IMAGE_SIZE // 2
K = np.array([[600.0, 0.0, C], [0.0, 600.0, C], [0.0, 0.0, 1.0]])
# Hand frame -> camera: palm facing the camera, fingers up (thumb on the right).
PALM_VIEW = np.array([[1.0, 0, 0], [0, -1, 0], [0, 0, -1]])
# Looking at the hand edge-on from the thumb side.
THUMB_SIDE_VIEW = np.array([[0.0, 0, -1], [0, -1, 0], [-1, 0, 0]])


def _render_hand(rotation, pose='flat', occluder=None):
    """The mean right hand at 0.8 m, optionally with a card in front."""
    shape = hm.mean_hand_shape()
    posed = hm.forward_kinematics(shape, hm.template_angles(pose))
    translation = np.array([0.0, 0.0, 0.8]) - rotation @ posed.joints.mean(0)
    sc = scene.Scene()
    skin = sc.add_material(*scene.sample_skin(np.random.default_rng(0)),
                           skin=True)
    scene.add_hand(sc, np.random.default_rng(0), shape, posed, 'right',
                   rotation, translation, np.array([0.0, -1.0, 0.0]), skin)
    if occluder is not None:
        sc.primitives.append(renderer.Polygon(occluder, scene.LABEL_OCCLUDER,
                                              skin))
    xyz = posed.joints @ rotation.T + translation
    buffers = renderer.rasterize(sc.primitives, K, SIZE)
    visible = renderer.keypoint_visibility(buffers, xyz, K,
                                           scene.keypoint_own_labels('right'),
                                           shape.keypoint_radii())
    return xyz, buffers, visible, shape


def _expected_visibility(buffers, xyz, K, own, radii):
    """The documented depth-test rule, one keypoint at a time."""
    out = []
    h, w = buffers.depth.shape
    for k, p in enumerate(xyz):
        u, v = (K @ p)[:2] / p[2]
        col, row = int(round(u)), int(round(v))
        if not (0 <= col < w and 0 <= row < h) or p[2] <= 0:
            out.append(False)
            continue
        label, depth = buffers.label[row, col], float(buffers.depth[row, col])
        factor = renderer.OWN_PART_DEPTH if own[k, label] else 1.0
        out.append(depth >= p[2] - factor * radii[k]
                   - renderer.VISIBILITY_TOLERANCE)
    return np.array(out)


def test_open_palm_facing_camera_is_fully_visible():
    xyz, buffers, visible, _ = _render_hand(PALM_VIEW)
    assert visible.all()
    uv = camera.project(xyz, K)
    # Every keypoint lies on the hand in the label buffer.
    labels = buffers.label[np.round(uv[:, 1]).astype(int),
                           np.round(uv[:, 0]).astype(int)]
    hand = np.arange(RHD_MASK_RIGHT_RANGE[0], RHD_MASK_RIGHT_RANGE[1] + 1)
    assert np.isin(labels[1:], hand).all()
    assert labels[0] in (*hand, scene.LABEL_ARM['right'])


def test_edge_on_view_hides_the_far_fingers():
    xyz, buffers, visible, _ = _render_hand(THUMB_SIDE_VIEW)
    # From the thumb side the index finger hides ring and pinky.
    assert visible[[5, 6, 7, 8]].all()
    assert not visible[[14, 15, 18, 19, 20]].any()
    # The hiding surface is another finger nearer by at least a finger width.
    uv = np.round(camera.project(xyz, K)).astype(int)
    for k in (14, 15, 18, 19, 20):
        assert buffers.depth[uv[k, 1], uv[k, 0]] < xyz[k, 2] - 0.02


def test_occluder_hides_exactly_what_it_covers():
    z = 0.72  # in front of the hand (about 0.8 m)
    xyz, _, _, _ = _render_hand(PALM_VIEW)
    # A card over the index finger's PIP, DIP and tip only.
    u0, u1 = camera.project(xyz[[6, 8]], K)[:, 0].min() - 6, \
        camera.project(xyz[[6, 8]], K)[:, 0].max() + 6
    v0, v1 = camera.project(xyz[[8]], K)[0, 1] - 15, \
        camera.project(xyz[[6]], K)[0, 1] + 5
    corners = np.array([[u0, v0], [u1, v0], [u1, v1], [u0, v1]])
    card = camera.lift(corners, np.full(4, z), K)
    xyz, buffers, visible, _ = _render_hand(PALM_VIEW, occluder=card)
    assert not visible[[6, 7, 8]].any()
    assert visible[[0, 1, 2, 3, 4, 9, 12, 13, 16, 17, 20]].all()
    uv = np.round(camera.project(xyz[[6, 7, 8]], K)).astype(int)
    assert (buffers.label[uv[:, 1], uv[:, 0]] == scene.LABEL_OCCLUDER).all()
    assert np.allclose(buffers.depth[uv[:, 1], uv[:, 0]], z, atol=1e-4)


def test_z_buffer_keeps_the_nearest_surface():
    buffers = renderer.rasterize([
        renderer.Ellipsoid(np.array([0.0, 0.0, 1.0]), np.eye(3) * 0.1, 7, 0),
        renderer.Capsule(np.array([-0.2, 0.0, 0.8]), np.array([0.2, 0.0, 0.8]),
                         0.02, 0.02, 9, 0),
    ], K, SIZE)
    # Capsule (z ~ 0.78) in front of the sphere (front z ~ 0.9) at the centre.
    assert buffers.label[C, C] == 9
    assert buffers.depth[C, C] == pytest.approx(0.78, abs=1e-3)
    # Above the capsule the sphere shows, with its analytic depth.
    v = C - 40
    y = (v - C) / 600
    t = 1.0 / (1 + y * y)  # ray (0, y, 1) meets the sphere at ~0.9
    assert buffers.label[v, C] == 7
    assert buffers.depth[v, C] == pytest.approx(
        t - np.sqrt(t * t - (1 - 0.01) / (1 + y * y)), abs=1e-3)
    assert buffers.label[0, 0] == 0 and np.isinf(buffers.depth[0, 0])
    # Unit normals facing the camera.
    n = buffers.normal[:, buffers.label > 0]
    assert np.allclose(np.linalg.norm(n, axis=0), 1, atol=1e-3)
    assert (n[2] <= 1e-6).all()


@pytest.fixture(scope='module')
def freihand_samples():
    return [render_freihand_sample(5, 'training', i, keep_buffers=True)
            for i in range(8)]


@pytest.fixture(scope='module')
def rhd_samples():
    return [render_rhd_sample(5, 'training', i, keep_buffers=True)
            for i in range(4)]


def test_freihand_visibility_follows_the_depth_test(freihand_samples):
    own = scene.keypoint_own_labels('right')
    total_hidden = 0
    for s in freihand_samples:
        radii = s.keypoint_radii
        expected = _expected_visibility(s.buffers, s.xyz, s.K, own, radii)
        assert (s.visible == expected).all()
        uv = np.round(s.uv).astype(int)
        for k in np.flatnonzero(~s.visible):
            # Hidden: a nearer surface that is not (close enough) its own.
            assert s.buffers.depth[uv[k, 1], uv[k, 0]] < s.xyz[k, 2] - radii[k]
        total_hidden += (~s.visible).sum()
    assert 0 < total_hidden < 0.6 * NUM_KEYPOINTS * len(freihand_samples)


def test_freihand_images_and_masks(freihand_samples):
    # Not blank: every image has texture, most have plenty.
    assert np.median([s.images[0].std() for s in freihand_samples]) > 25
    for s in freihand_samples:
        image = s.images[0]
        assert image.shape == (*SIZE, 3) and image.dtype == np.uint8
        assert image.std() > 8
        assert s.mask.dtype == np.uint8 and set(np.unique(s.mask)) <= {0, 255}
        assert (s.mask > 0).mean() > 0.03
        # The mask covers the keypoints' area: hand pixels near the visible
        # finger keypoints (the wrist may sit on the forearm, which is not
        # hand) and a mask box overlapping the keypoint box.
        uv = np.round(s.uv).astype(int)
        near = [s.mask[max(v - 3, 0):v + 4, max(u - 3, 0):u + 4].any()
                for u, v in uv[1:][s.visible[1:]]]
        assert np.mean(near) > 0.9
        rows, cols = np.nonzero(s.mask)
        mask_box = (cols.min(), rows.min(), cols.max(), rows.max())
        kp_box = (*s.uv.min(0), *s.uv.max(0))
        inter = max(0, min(mask_box[2], kp_box[2]) - max(mask_box[0],
                                                         kp_box[0])) * \
            max(0, min(mask_box[3], kp_box[3]) - max(mask_box[1], kp_box[1]))
        assert inter > 0.5 * (kp_box[2] - kp_box[0]) * (kp_box[3] - kp_box[1])


def test_rhd_samples(rhd_samples):
    for s in rhd_samples:
        assert s.image.shape == (RHD_IMAGE_SIZE, RHD_IMAGE_SIZE, 3)
        assert s.image.std() > 8
        assert s.mask.max() <= RHD_MASK_RIGHT_RANGE[1]
        assert np.allclose(s.K[:2, 2], RHD_IMAGE_SIZE / 2)
        assert 260 <= s.K[0, 0] <= 310
        assert (s.xyz[:, 2] > 0).all() and np.isfinite(s.uv_vis).all()
        assert np.allclose(camera.project(s.xyz, s.K), s.uv_vis[:, :2])
        for h, side in enumerate(HAND_SIDES):
            rows = slice(NUM_KEYPOINTS * h, NUM_KEYPOINTS * (h + 1))
            labels = np.arange(2 + 16 * h, 18 + 16 * h)
            xyz = s.xyz[rows][list(RHD_TO_FREIHAND)]
            uv = camera.project(xyz, s.K)
            in_view = ((uv >= 0) & (uv <= RHD_IMAGE_SIZE - 1)).all(axis=1)
            if not in_view.any():
                # An absent hand: beside the frame, all flags 0, no pixels.
                assert not s.uv_vis[rows, 2].any()
                assert not np.isin(s.mask, labels).any()
                continue
            assert in_view.all() and np.isin(s.mask, labels).sum() > 50
            own = scene.keypoint_own_labels(side)
            expected = _expected_visibility(s.buffers, xyz, s.K, own,
                                            s.keypoint_radii)
            assert (s.uv_vis[rows, 2][list(RHD_TO_FREIHAND)] == expected).all()

"""The ``photo`` scene style and the appearance families.

Each new feature is checked on numbers: what its parameter changes (and what
it leaves alone), that it is deterministic for a seed, and that the held-out
family never draws a training family's appearance.
"""
import dataclasses
import json
import os
import subprocess
import sys

import cv2
import numpy as np
import pytest

from mmpose_mlehand.converters import convert_freihand
from mmpose_mlehand.hand_format import NUM_KEYPOINTS
from mmpose_mlehand.synthetic import STYLES, generate_dataset, get_style, photos
from mmpose_mlehand.synthetic.appearance import (BAND_FAMILY, FAMILIES, JPEG_QUALITY_BANDS,
                                                 LIGHT_KELVIN_BANDS, PROCEDURAL_BACKGROUNDS,
                                                 SKIN_BLEND_BANDS, WHITE_BALANCE_MIRED_BANDS,
                                                 check_family, sample_appearance)
from mmpose_mlehand.synthetic.camera import (FREIHAND_CAMERA, OUT_OF_FRAME_CUT_RANGE, project,
                                             shift_out_of_frame)
from mmpose_mlehand.synthetic.colour_temperature import kelvin_rgb
from mmpose_mlehand.synthetic.effects import (photo_camera, sensor_noise, white_balance,
                                              white_balance_gains)
from mmpose_mlehand.synthetic.hand_model import (forward_kinematics, mean_hand_shape, rot_x,
                                                 sample_forearm_direction, template_angles)
from mmpose_mlehand.synthetic.renderer import Ellipsoid, rasterize, shade
from mmpose_mlehand.synthetic.samples import (ARM_MAX_DEPTH_COMPONENT, MAX_ARM_TOWARDS_CAMERA,
                                              UPRIGHT_ANGLE_DEG, feature_streams,
                                              in_plane_angle_deg, photo_scene_image,
                                              render_freihand_sample, render_rhd_sample,
                                              view_rotation)
from mmpose_mlehand.synthetic.scene import (LABEL_BODY, LABEL_OCCLUDER, OCCLUDER_BEHIND_PROB, Scene,
                                            add_hand, add_occluders, hand_mask, part_label,
                                            sample_light, skin_albedos)
from mmpose_mlehand.synthetic.skin_texture import CREASE_DARKEN_RANGE, apply_skin_texture

PHOTO = STYLES['photo']
# A photo style without the features a test does not look at.
BARE = dataclasses.replace(PHOTO, name='bare', skin_texture=False,
                           photo_camera=False, degradations=False,
                           photo_background_prob=0.0)
SIZE = 128
NEW_SWITCHES = {'upright_sigma_deg': None, 'arm_in_view': False,
                'out_of_frame_prob': 0.0, 'held_object_prob': None,
                'person_prob': 0.0, 'families': False,
                'photo_background_prob': 0.0, 'skin_texture': False,
                'photo_camera': False}


@pytest.fixture(scope='module')
def palm_scene():
    """An open right hand, palm to the camera, fingers up, and a ball beside it.

    Returns (scene, buffers, K).
    """
    rng = np.random.default_rng(5)
    shape = mean_hand_shape()
    pose = forward_kinematics(shape, template_angles('open'))
    rotation = rot_x(180.0)  # palmar +z to the camera, distal +y up
    translation = np.array([0.0, 0.05, 0.45])
    K = np.array([[200.0, 0, SIZE / 2], [0, 200.0, SIZE / 2], [0, 0, 1]])
    scene = Scene()
    skin = scene.add_material(*skin_albedos(3.0, (1.0, 1.0, 1.0)), skin=True)
    add_hand(scene, rng, shape, pose, 'right', rotation, translation,
             np.array([0.0, -1.0, 0.0]), skin)
    ball = scene.add_material(np.array([0.2, 0.4, 0.8], np.float32))
    scene.primitives.append(Ellipsoid(np.array([0.07, 0.0, 0.5]),
                                      np.eye(3) * 0.02, LABEL_OCCLUDER, ball))
    buffers = rasterize(scene.primitives, K, (SIZE, SIZE))
    return scene, buffers, K


def _skin_pixels(scene, buffers):
    materials = scene.material_table()
    return materials.skin[buffers.material] & (buffers.label > 0)


def _edge(label, width=1):
    """Pixels within ``width`` px of a label boundary (composite's anti-aliasing)."""
    grad = cv2.morphologyEx(label, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8)) > 0
    return cv2.dilate(grad.astype(np.uint8), np.ones((2 * width + 1,) * 2, np.uint8)) > 0


def _appearance(family='train', **changes):
    base = sample_appearance(np.random.default_rng(0), family, 0.0)
    return dataclasses.replace(base, **changes)


# -- styles ----------------------------------------------------------------


def test_full_and_clean_keep_every_new_switch_off():
    # Switches off means no new random draws: full and clean render exactly
    # as before the photo style existed.
    for name in ('full', 'clean'):
        style = STYLES[name]
        assert {k: getattr(style, k) for k in NEW_SWITCHES} == NEW_SWITCHES
    assert PHOTO.families and PHOTO.skin_texture and PHOTO.photo_camera
    assert get_style(PHOTO) is PHOTO
    with pytest.raises(ValueError, match='need families=True'):
        dataclasses.replace(STYLES['full'], skin_texture=True)


def test_heldout_family_needs_a_style_with_families():
    with pytest.raises(ValueError, match="family 'heldout' needs a style"):
        render_freihand_sample(0, 'training', 0, style='full', family='heldout')
    with pytest.raises(ValueError, match='family must be one of'):
        render_rhd_sample(0, 'training', 0, style='photo', family='test')


# -- in-plane orientation prior and arm ------------------------------------


def _view_angles(style, n=400, seed=4):
    rng = np.random.default_rng(seed)
    shape = mean_hand_shape()
    out = []
    for _ in range(n):
        forearm = sample_forearm_direction(rng)
        rotation = view_rotation(rng, forearm, style, shape.roots[2])
        out.append((forearm, rotation,
                    in_plane_angle_deg(rotation, shape.roots[2])))
    return out


def _from_upright(angles):
    return (np.asarray(angles) - UPRIGHT_ANGLE_DEG + 180.0) % 360.0 - 180.0


def test_upright_prior_spread_tilt_and_arm():
    views = _view_angles(PHOTO)
    offsets = _from_upright([a for _, _, a in views])
    # 90% Gaussian (sigma 25) + 10% uniform: P(|offset| <= 45) = 0.86.
    assert 0.80 < (np.abs(offsets) <= 45).mean() < 0.92
    q25, q50, q75 = np.percentile(offsets, [25, 50, 75])
    assert abs(q50) < 5 and 12 < q75 - q50 < 25 and 12 < q50 - q25 < 25
    # A few uniform ones point down.
    assert 0.005 < (np.abs(offsets) > 120).mean() < 0.08
    cos_limit = np.cos(np.radians(PHOTO.max_view_tilt_deg))
    for forearm, rotation, _ in views:
        assert abs(rotation[2, 2]) >= cos_limit - 1e-9
        depth = (rotation @ forearm)[2]
        assert -MAX_ARM_TOWARDS_CAMERA < depth <= ARM_MAX_DEPTH_COMPONENT + 1e-9
        assert np.allclose(rotation @ rotation.T, np.eye(3))
    # Without the prior the in-plane angle is uniform: a quarter within 45.
    uniform = _from_upright([a for _, _, a in _view_angles(STYLES['clean'])])
    assert 0.17 < (np.abs(uniform) <= 45).mean() < 0.33


def test_rendered_photo_hands_are_mostly_upright():
    angles = []
    for i in range(24):
        s = render_freihand_sample(6, 'training', i, style=BARE)
        d = s.uv[9] - s.uv[0]
        angles.append(np.degrees(np.arctan2(d[1], d[0])))
    assert (np.abs(_from_upright(angles)) <= 45).mean() >= 0.7


# -- hands partly outside the frame ----------------------------------------


def test_shift_out_of_frame_cuts_the_box_by_the_drawn_share():
    shape = mean_hand_shape()
    points = forward_kinematics(shape, template_angles('open')).joints @ rot_x(180.0).T
    K = np.array([[600.0, 0, 112], [0, 600.0, 112], [0, 0, 1]])
    t = np.array([0.0, 0.0, 0.6]) - points.mean(axis=0)
    size = FREIHAND_CAMERA.image_size
    for seed in range(12):
        moved = shift_out_of_frame(points, t, K, (size, size),
                                   np.random.default_rng(seed))
        assert moved[2] == t[2]
        uv = project(points + moved, K)
        lo, hi = uv.min(axis=0), uv.max(axis=0)
        beyond = max(-lo.min(), (hi - (size - 1)).max())
        share = beyond / (hi - lo).max()
        assert OUT_OF_FRAME_CUT_RANGE[0] - 0.03 < share < OUT_OF_FRAME_CUT_RANGE[1] + 0.03


def test_out_of_frame_samples_keep_exact_labels_and_hide_outside_points():
    style = dataclasses.replace(BARE, out_of_frame_prob=1.0, occluders=False)
    size = FREIHAND_CAMERA.image_size
    for i in range(6):
        s = render_freihand_sample(2, 'training', i, style=style)
        outside = ((s.uv < -0.5) | (s.uv > size - 0.5)).any(axis=1)
        assert 0 < outside.sum() < NUM_KEYPOINTS
        assert not s.visible[outside].any()
        assert np.allclose(project(s.xyz, s.K), s.uv)
        assert (s.xyz[:, 2] > 0).all() and (s.mask > 0).any()


# -- person, held objects --------------------------------------------------


def test_person_is_drawn_behind_the_hand_and_never_hides_it():
    with_person = dataclasses.replace(BARE, person_prob=1.0, occluders=False)
    without = dataclasses.replace(BARE, person_prob=0.0, occluders=False)
    bodies = 0
    for i in range(5):
        a = render_freihand_sample(3, 'training', i, keep_buffers=True,
                                   style=with_person)
        b = render_freihand_sample(3, 'training', i, keep_buffers=True,
                                   style=without)
        assert np.array_equal(a.xyz, b.xyz)
        assert not (b.buffers.label == LABEL_BODY).any()
        bodies += (a.buffers.label == LABEL_BODY).any()
        # The hand's pixels and visibility are the same with the person.
        assert np.array_equal(a.mask, b.mask)
        assert np.array_equal(a.visible, b.visible)
        body = a.buffers.label == LABEL_BODY
        assert (a.buffers.depth[body] > a.xyz[:, 2].max()).all()
    assert bodies >= 3


@pytest.mark.parametrize('behind_prob', [0.0, 1.0])
def test_held_object_share(behind_prob):
    anchor = np.array([[0.0, 0.0, 0.5]])
    depths = []
    for seed in range(40):
        scene = Scene()
        add_occluders(scene, np.random.default_rng(seed), anchor, 1.0,
                      behind_prob=behind_prob)
        for p in scene.primitives:
            centre = getattr(p, 'center', None)
            if centre is None:
                centre = ((p.a + p.b) / 2 if hasattr(p, 'a')
                          else p.vertices.mean(axis=0))
            depths.append(centre[2] - 0.5)
    depths = np.array(depths)
    assert len(depths) > 10
    if behind_prob:
        assert (depths >= -0.01 - 1e-9).all()   # among or behind the fingers
    else:
        assert (depths <= -0.025 + 1e-9).all()  # in front
    assert OCCLUDER_BEHIND_PROB == 0.3 and PHOTO.held_object_prob == 0.6


# -- skin texture ----------------------------------------------------------


def test_skin_texture_changes_only_skin_pixels(palm_scene):
    scene, buffers, K = palm_scene
    materials = scene.material_table()
    light = sample_light(np.random.default_rng(1))
    image = shade(buffers, materials, light, scene.palmar_dirs, scene.nail_labels)
    textured = apply_skin_texture(np.random.default_rng(2), image, buffers,
                                  materials, scene, K)
    again = apply_skin_texture(np.random.default_rng(2), image, buffers,
                               materials, scene, K)
    assert np.array_equal(textured, again)
    skin = _skin_pixels(scene, buffers)
    assert skin.sum() > 500 and (~skin & (buffers.label > 0)).sum() > 50
    assert np.array_equal(textured[~skin], image[~skin])
    lit = skin & (image.min(axis=2) > 0.05)
    ratio = textured[lit] / image[lit]
    # Blotches: every skin pixel changes, by a few percent...
    assert (np.abs(ratio - 1).max(axis=1) > 1e-4).mean() > 0.95
    assert np.median(np.abs(ratio[:, 1] - 1)) < 0.1
    # ...and creases darken thin lines, on the palm and the fingers.
    dark = ratio[:, 1] < 0.9
    assert 0.005 < dark.mean() < 0.15
    assert ratio[:, 1].min() < CREASE_DARKEN_RANGE[1] + 0.05
    labels = buffers.label[lit][dark]
    assert (labels == part_label('right', None)).any()
    assert (labels != part_label('right', None)).any()


def test_skin_texture_in_the_scene_image_touches_only_skin(palm_scene):
    scene, buffers, K = palm_scene
    appearance = _appearance()
    plain = photo_scene_image(feature_streams(7), scene, buffers, K, BARE,
                              appearance)
    textured_style = dataclasses.replace(BARE, skin_texture=True)
    textured = photo_scene_image(feature_streams(7), scene, buffers, K,
                                 textured_style, appearance)
    assert np.array_equal(textured, photo_scene_image(
        feature_streams(7), scene, buffers, K, textured_style, appearance))
    differ = np.abs(textured - plain).max(axis=2) > 0
    skin = _skin_pixels(scene, buffers)
    # Only skin pixels and the anti-aliased ring around them change.
    assert not (differ & ~skin & ~_edge(buffers.label)).any()
    assert differ[skin].mean() > 0.9


# -- backgrounds -----------------------------------------------------------


def test_photo_families_are_disjoint_and_installed():
    train = set(photos.PHOTO_FAMILIES['train'])
    heldout = set(photos.PHOTO_FAMILIES['heldout'])
    assert not train & heldout
    assert train | heldout <= set(photos.PHOTO_SOURCES)
    assert set(PROCEDURAL_BACKGROUNDS['train']).isdisjoint(PROCEDURAL_BACKGROUNDS['heldout'])
    for family in photos.PHOTO_FAMILIES:
        assert len(photos.available_photos(family)) >= 5
    assert 'grace_hopper' in photos.available_photos('heldout')  # matplotlib's


def test_photographs_decode_as_opencv_decodes_them(capfd):
    """load_photo reads with Pillow (no libpng warning flood); the pixels are
    OpenCV's, so data sets rendered before and after are the same."""
    for name in sorted(set(photos.available_photos('train') + photos.available_photos('heldout'))):
        photos.load_photo.cache_clear()
        image = photos.load_photo(name)
        expected = cv2.imread(photos.photo_path(name), cv2.IMREAD_COLOR)[..., ::-1]
        np.testing.assert_array_equal(image, expected, err_msg=name)
        assert image.dtype == np.uint8 and not image.flags.writeable
    capfd.readouterr()  # OpenCV's reads above warn
    photos.load_photo.cache_clear()
    photos.load_photo('page')
    assert 'libpng' not in capfd.readouterr().err


def test_photo_crop_is_deterministic_and_keeps_the_photo():
    a = photos.photo_crop(np.random.default_rng(3), 'camera', 40, 60)
    b = photos.photo_crop(np.random.default_rng(3), 'camera', 40, 60)
    assert a.shape == (40, 60, 3) and a.dtype == np.float32
    assert np.array_equal(a, b)
    assert 0 <= a.min() and a.max() <= 1 and a.std() > 0.02
    # A grey photograph keeps its channels proportional (small colour shift).
    ratio = a[..., 0].sum() / a[..., 1].sum()
    assert 0.8 < ratio < 1.25
    crops = [photos.photo_crop(np.random.default_rng(s), 'astronaut', 32, 32)
             for s in range(4)]
    assert all(np.abs(crops[0] - c).mean() > 0.01 for c in crops[1:])


def test_photo_background_changes_only_background_pixels(palm_scene):
    scene, buffers, K = palm_scene
    procedural = _appearance(background='gradient', background_is_photo=False)
    photo = dataclasses.replace(procedural, background='coins',
                                background_is_photo=True)
    a = photo_scene_image(feature_streams(11), scene, buffers, K, BARE, procedural)
    b = photo_scene_image(feature_streams(11), scene, buffers, K, BARE, photo)
    differ = np.abs(a - b).max(axis=2) > 0
    background = buffers.label == 0
    assert not (differ & ~background & ~_edge(buffers.label)).any()
    assert differ[background].mean() > 0.9


def test_missing_photo_packages_give_a_clear_error(monkeypatch):
    monkeypatch.setattr(photos, 'photo_path', lambda name: None)
    photos.available_photos.cache_clear()
    try:
        with pytest.raises(RuntimeError, match='scikit-image'):
            photos.available_photos('train')
        with pytest.raises(RuntimeError, match='matplotlib or scikit-image'):
            sample_appearance(np.random.default_rng(0), 'heldout', 1.0)
        # Without photo backgrounds nothing is looked up.
        assert not sample_appearance(np.random.default_rng(0), 'train',
                                     0.0).background_is_photo
    finally:
        photos.available_photos.cache_clear()


# -- light, white balance, camera ------------------------------------------


def test_colour_temperature():
    assert np.allclose(kelvin_rgb(6504), 1.0, atol=1e-6)
    warm, cold = kelvin_rgb(3000), kelvin_rgb(10000)
    assert warm[0] == 1 and warm[0] > warm[1] > warm[2] > 0.2
    assert cold[2] == 1 and cold[2] > cold[1] > cold[0]
    blue_red = [kelvin_rgb(k)[2] / kelvin_rgb(k)[0] for k in range(2500, 9001, 500)]
    assert np.all(np.diff(blue_red) > 0)
    with pytest.raises(ValueError, match='colour temperature'):
        kelvin_rgb(500)


def test_white_balance_gains_set_the_channel_ratios():
    image = np.random.default_rng(0).uniform(0.05, 0.5, (32, 32, 3)).astype(np.float32)
    gains = np.array([0.8, 1.0, 1.6], np.float32)
    balanced = white_balance(image, gains)
    ratio = balanced.reshape(-1, 3).mean(axis=0) / image.reshape(-1, 3).mean(axis=0)
    assert np.allclose(ratio, gains, rtol=1e-5)
    # The camera's white balance makes light of its assumed temperature white.
    for kelvin in (2800, 4500, 7500):
        assert np.allclose(white_balance(kelvin_rgb(kelvin), white_balance_gains(kelvin)), 1.0,
                           atol=1e-5)


def test_photo_camera_white_balance_shifts_the_channel_means():
    grey = np.full((48, 48, 3), 0.4, np.float32)
    gains = white_balance_gains(3500.0)
    assert gains[0] == 1 and 1.1 < gains[1] < gains[2]
    for seed in range(4):
        neutral = photo_camera(np.random.default_rng(seed), grey, 6504.0)
        warm = photo_camera(np.random.default_rng(seed), grey, 3500.0)
        assert np.array_equal(neutral, photo_camera(np.random.default_rng(seed), grey,
                                                    6504.0))
        n = neutral.reshape(-1, 3).mean(axis=0)
        w = warm.reshape(-1, 3).mean(axis=0)
        # White balanced for the light: grey stays grey.
        assert np.ptp(n) < 0.02 * n.mean()
        # Same draws, only the gains differ: assuming a warmer light than
        # the real one boosts green and blue (the exact ratios are bent by
        # the gamma curve, saturation and contrast; white_balance alone is
        # exact, see above).
        ratio = w / n
        assert 0.85 < ratio[0] < 1.15
        assert 1.1 < ratio[1] < ratio[2] and ratio[2] > 1.4


def test_sensor_noise_grows_with_the_signal():
    shot, read = 2e-3, 0.005
    stds = []
    for level in (0.05, 0.8):
        flat = np.full((200, 200, 3), level, np.float32)
        noisy = sensor_noise(flat, shot, read, 10, 20)
        stds.append(float((noisy - flat).std()))
        assert np.isclose(stds[-1], np.sqrt(shot * level + read ** 2), rtol=0.05)
    assert stds[1] > 3 * stds[0]


# -- appearance families ---------------------------------------------------


def _in_bands(value, bands, integer=False):
    return any(lo <= value <= hi if integer else lo <= value < hi for lo, hi in bands)


def test_heldout_appearance_is_disjoint_from_train():
    drawn = {f: [sample_appearance(np.random.default_rng(1000 * i + j), f, 0.7)
                 for j in range(50)] for i, f in enumerate(FAMILIES)}
    fields = (('skin_blend', SKIN_BLEND_BANDS, False),
              ('light_kelvin', LIGHT_KELVIN_BANDS, False),
              ('white_balance_mired', WHITE_BALANCE_MIRED_BANDS, False),
              ('jpeg_quality', JPEG_QUALITY_BANDS, True))
    for field, bands, integer in fields:
        for family, other in (('train', 'heldout'), ('heldout', 'train')):
            values = [getattr(a, field) for a in drawn[family]]
            assert all(_in_bands(v, bands[family], integer) for v in values)
            assert not any(_in_bands(v, bands[other], integer) for v in values), field
        # Interleaved bands: the families overlap in range, not in value.
        train = [getattr(a, field) for a in drawn['train']]
        held = [getattr(a, field) for a in drawn['heldout']]
        assert min(train) < max(held) and min(held) < max(train)
    backgrounds = {f: {a.background for a in drawn[f]} for f in FAMILIES}
    assert not backgrounds['train'] & backgrounds['heldout']
    for family in FAMILIES:
        assert any(a.background_is_photo for a in drawn[family])
        assert not all(a.background_is_photo for a in drawn[family])
        assert all(a.family == family for a in drawn[family])


def test_band_edges_never_meet():
    # The families with bands of their own (hard draws from heldout's).
    band_families = sorted(set(BAND_FAMILY.values()))
    assert band_families == ['heldout', 'train']
    for bands in (SKIN_BLEND_BANDS, LIGHT_KELVIN_BANDS, WHITE_BALANCE_MIRED_BANDS):
        edges = sorted(b for f in band_families for b in bands[f])
        assert all(a[1] <= b[0] for a, b in zip(edges, edges[1:]))
    qualities = [set(range(lo, hi + 1)) for f in band_families
                 for lo, hi in JPEG_QUALITY_BANDS[f]]
    assert sum(map(len, qualities)) == len(set().union(*qualities))
    assert check_family('heldout') == 'heldout'


def test_rendered_samples_carry_their_family_appearance():
    for family in FAMILIES:
        s = render_freihand_sample(8, 'training', 1, versions=2, style='photo',
                                   family=family)
        again = render_freihand_sample(8, 'training', 1, versions=2, style='photo',
                                       family=family)
        assert all(np.array_equal(a, b) for a, b in zip(s.images, again.images))
        assert s.appearances == again.appearances and len(s.appearances) == 2
        assert s.appearances[0] != s.appearances[1]
        for a, quality in zip(s.appearances, s.jpeg_qualities):
            assert a.family == family and a.jpeg_quality == quality
            assert _in_bands(a.skin_blend, SKIN_BLEND_BANDS[BAND_FAMILY[family]])
        assert s.images[0].shape == (224, 224, 3) and s.images[0].std() > 5
    # The same seed gives the same hand in both families; only looks differ.
    train = render_freihand_sample(8, 'training', 1, style='photo')
    held = render_freihand_sample(8, 'training', 1, style='photo', family='heldout')
    assert np.array_equal(train.xyz, held.xyz) and np.array_equal(train.mask, held.mask)
    assert np.abs(train.images[0].astype(int) - held.images[0].astype(int)).mean() > 5


def test_photo_rhd_sample():
    s = render_rhd_sample(4, 'training', 2, keep_buffers=True, style='photo',
                          family='heldout')
    assert s.appearance.family == 'heldout'
    assert np.allclose(project(s.xyz, s.K), s.uv_vis[:, :2])
    assert set(np.unique(s.uv_vis[:, 2])) <= {0.0, 1.0}
    assert hand_mask(s.buffers.label).any()
    again = render_rhd_sample(4, 'training', 2, style='photo', family='heldout')
    assert np.array_equal(s.image, again.image)


# -- data sets, converter, command line ------------------------------------


def test_photo_data_set_converts_with_the_freihand_converter(tmp_path):
    root = str(tmp_path / 'photo')
    generate_dataset(root, 'freihand', 8, seed=5, num_eval=2, versions=2,
                     progress=False, style='photo', family='heldout')
    with open(os.path.join(root, 'synthetic_meta.json'), encoding='utf-8') as f:
        meta = json.load(f)
    assert meta['style'] == 'photo' and meta['family'] == 'heldout'
    result = convert_freihand(root, progress=False)
    files = result.files
    assert sum(len(files[f'freihand_{s}.json']['images'])
               for s in ('train', 'val', 'test')) == 16
    with open(os.path.join(root, 'training_xyz.json')) as f:
        xyz = np.array(json.load(f))
    with open(os.path.join(root, 'training_K.json')) as f:
        K = np.array(json.load(f))
    for split in ('train', 'val', 'test'):
        for ann in files[f'freihand_{split}.json']['annotations']:
            uid = ann['image_id'] % 8
            kpts = np.array(ann['keypoints']).reshape(NUM_KEYPOINTS, 3)
            # Exact labels, also for keypoints outside the image.
            assert np.allclose(kpts[:, :2], project(xyz[uid], K[uid]))
            x, y, w, h = ann['bbox']
            assert w > 0 and h > 0


def test_generator_records_train_family_for_old_styles(tmp_path):
    out = str(tmp_path / 'clean')
    generate_dataset(out, 'freihand', 2, num_eval=0, progress=False, style='clean')
    with open(os.path.join(out, 'synthetic_meta.json'), encoding='utf-8') as f:
        meta = json.load(f)
    assert meta['style'] == 'clean' and meta['family'] == 'train'
    with pytest.raises(ValueError, match='needs a style with appearance families'):
        generate_dataset(str(tmp_path / 'x'), 'freihand', 2, progress=False,
                         style='full', family='heldout')
    assert not os.path.exists(str(tmp_path / 'x'))


def test_command_line_photo_heldout(tmp_path, repo_root):
    tool = os.path.join(repo_root, 'tools', 'make_synthetic_hands.py')
    out = str(tmp_path / 'cli')
    run = subprocess.run(
        [sys.executable, tool, '--format', 'freihand', '--num', '4', '--num-eval', '1',
         '--out', out, '--style', 'photo', '--family', 'heldout', '--quiet'],
        capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert 'wrote 4 training and 1 evaluation images' in run.stdout
    with open(os.path.join(out, 'synthetic_meta.json'), encoding='utf-8') as f:
        meta = json.load(f)
    assert (meta['style'], meta['family']) == ('photo', 'heldout')
    assert len(os.listdir(os.path.join(out, 'training', 'rgb'))) == 4
    image = cv2.imread(os.path.join(out, 'training', 'rgb', '00000000.jpg'))
    assert image.shape == (224, 224, 3) and image.std() > 5
    bad = subprocess.run(
        [sys.executable, tool, '--format', 'freihand', '--num', '2',
         '--out', str(tmp_path / 'bad'), '--style', 'full', '--family', 'heldout',
         '--quiet'], capture_output=True, text=True)
    assert bad.returncode == 2
    assert 'needs a style with appearance families' in bad.stderr


def test_photo_data_set_is_the_same_for_any_worker_count(tmp_path):
    roots = []
    for workers in (1, 2):
        root = str(tmp_path / f'w{workers}')
        generate_dataset(root, 'freihand', 4, seed=9, num_eval=1, versions=2,
                         workers=workers, progress=False, style='photo',
                         family='heldout')
        roots.append(root)
    names = sorted(os.path.relpath(os.path.join(d, f), roots[0])
                   for d, _, files in os.walk(roots[0]) for f in files)
    assert len(names) > 10
    for name in names:
        with open(os.path.join(roots[0], name), 'rb') as a, \
                open(os.path.join(roots[1], name), 'rb') as b:
            assert a.read() == b.read(), name

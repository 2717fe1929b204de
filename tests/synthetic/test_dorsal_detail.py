"""The back of the hand drawn so that it differs from the palm (style
photo-varied): tendons and knuckles lighten dorsal palm pixels only."""
import numpy as np
import pytest

from mmpose_mlehand.synthetic import get_style
from mmpose_mlehand.synthetic.hand_model import (forward_kinematics, mean_hand_shape, rot_x,
                                                 template_angles)
from mmpose_mlehand.synthetic.renderer import rasterize, shade
from mmpose_mlehand.synthetic.scene import Scene, add_hand, part_label, sample_light, skin_albedos
from mmpose_mlehand.synthetic.skin_texture import (CREASE_SIDE_COS, KNUCKLE_LIGHTEN_RANGE,
                                                   TENDON_LIGHTEN_RANGE, apply_skin_texture)
from mmpose_mlehand.synthetic.styles import SceneStyle

SIZE = 160


def open_hand(rotation):
    """An open right hand 0.4 m in front of the camera; (scene, buffers, K)."""
    shape = mean_hand_shape()
    pose = forward_kinematics(shape, template_angles('open'))
    K = np.array([[260.0, 0, SIZE / 2], [0, 260.0, SIZE / 2], [0, 0, 1]])
    scene = Scene()
    skin = scene.add_material(*skin_albedos(3.0, (1.0, 1.0, 1.0)), skin=True)
    add_hand(scene, np.random.default_rng(5), shape, pose, 'right', rotation,
             np.array([0.0, -0.04, 0.4]), np.array([0.0, -1.0, 0.0]), skin)
    return scene, rasterize(scene.primitives, K, (SIZE, SIZE)), K


def textures(scene, buffers, K):
    materials = scene.material_table()
    image = shade(buffers, materials, sample_light(np.random.default_rng(1)), scene.palmar_dirs,
                  scene.nail_labels)
    plain = apply_skin_texture(np.random.default_rng(3), image, buffers, materials, scene, K)
    detail = apply_skin_texture(np.random.default_rng(3), image, buffers, materials, scene, K,
                                dorsal_detail=True)
    again = apply_skin_texture(np.random.default_rng(3), image, buffers, materials, scene, K,
                               dorsal_detail=True)
    assert np.array_equal(detail, again)  # deterministic for a seed
    return plain, detail


def dorsal_palm_pixels(scene, buffers):
    label = buffers.label
    normal = buffers.normal.transpose(1, 2, 0)
    cos_palmar = np.einsum('hwc,hwc->hw', scene.palmar_dirs[label], normal)
    return (label == part_label('right', None)) & (cos_palmar < -CREASE_SIDE_COS)


def test_tendons_and_knuckles_lighten_the_back_of_the_palm_only():
    scene, buffers, K = open_hand(np.eye(3))  # palmar +z away: the back faces the camera
    plain, detail = textures(scene, buffers, K)
    back = dorsal_palm_pixels(scene, buffers)
    assert back.sum() > 300
    changed = np.abs(detail - plain).max(axis=2) > 1e-6
    assert not (changed & ~back).any()
    lit = changed & (plain.min(axis=2) > 0.02)
    ratio = detail[lit] / plain[lit]
    assert (ratio > 1).all()  # lighter, never darker
    assert 0.05 < lit.sum() / back.sum() < 0.8  # ridges and bumps, not the whole back
    most = TENDON_LIGHTEN_RANGE[1] * KNUCKLE_LIGHTEN_RANGE[1]
    assert ratio.max() <= most + 1e-5 and ratio.max() > TENDON_LIGHTEN_RANGE[0] - 0.02


def test_the_palm_side_is_untouched():
    scene, buffers, K = open_hand(rot_x(180.0))  # palm to the camera
    plain, detail = textures(scene, buffers, K)
    assert np.array_equal(plain, detail)


def test_only_photo_varied_draws_the_back_and_it_needs_skin_texture():
    assert get_style('photo-varied').dorsal_detail and not get_style('photo').dorsal_detail
    with pytest.raises(ValueError, match='dorsal_detail needs skin_texture'):
        SceneStyle('x', dorsal_detail=True)

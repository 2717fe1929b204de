"""Scene styles of the synthetic generator: what ``clean`` removes, and that
``full`` is the generator as it was."""
import json
import os

import cv2
import numpy as np
import pytest

from mmpose_mlehand.synthetic import STYLES, generate_dataset, get_style
from mmpose_mlehand.synthetic.camera import project, random_rotation
from mmpose_mlehand.synthetic.hand_model import sample_forearm_direction
from mmpose_mlehand.synthetic.samples import (MAX_ARM_TOWARDS_CAMERA, render_freihand_sample,
                                              render_rhd_sample, view_rotation)
from mmpose_mlehand.synthetic.scene import LABEL_OCCLUDER


def _rotations(style, n=300, seed=3):
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        forearm = sample_forearm_direction(rng)
        out.append((forearm, view_rotation(rng, forearm, get_style(style))))
    return out


def test_clean_views_face_the_camera_in_every_in_plane_direction():
    cos_limit = np.cos(np.radians(STYLES['clean'].max_view_tilt_deg))
    in_plane = []
    for forearm, rotation in _rotations('clean'):
        assert abs(rotation[2, 2]) >= cos_limit - 1e-12
        assert (rotation @ forearm)[2] > -MAX_ARM_TOWARDS_CAMERA
        distal = rotation[:2, 1]  # wrist -> middle finger in the image plane
        in_plane.append(np.degrees(np.arctan2(distal[1], distal[0])))
    # Palm and back both occur, and fingers point every which way.
    signs = np.sign([r[2, 2] for _, r in _rotations('clean')])
    assert 0.3 < (signs > 0).mean() < 0.7
    counts, _ = np.histogram(in_plane, bins=8, range=(-180, 180))
    assert counts.min() > 0.5 * counts.mean()


def test_full_views_are_the_unrestricted_draws():
    # 'full' draws exactly as before styles existed: the first uniform
    # rotation whose forearm does not point into the camera.
    rng = np.random.default_rng(3)
    tilts = []
    for forearm, rotation in _rotations('full'):
        expected_forearm = sample_forearm_direction(rng)
        assert np.array_equal(forearm, expected_forearm)
        for _ in range(20):
            expected = random_rotation(rng)
            if (expected @ forearm)[2] > -MAX_ARM_TOWARDS_CAMERA:
                break
        assert np.array_equal(rotation, expected)
        tilts.append(abs(rotation[2, 2]))
    # Edge-on views (palm normal near the image plane) are common here.
    assert (np.array(tilts) < 0.3).mean() > 0.15


def _background_roughness(image, label):
    """Mean |Laplacian| (grey levels) of background pixels far from the hand."""
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    lap = np.abs(cv2.Laplacian(grey, cv2.CV_32F))
    far = cv2.erode((label == 0).astype(np.uint8), np.ones((9, 9), np.uint8))
    return float(lap[far > 0].mean())


def test_clean_freihand_samples_have_plain_backgrounds_and_no_occluders():
    clean = [render_freihand_sample(11, 'training', i, keep_buffers=True,
                                    style='clean') for i in range(10)]
    full = [render_freihand_sample(11, 'training', i, keep_buffers=True)
            for i in range(10)]
    rough_clean = [_background_roughness(s.images[0], s.buffers.label)
                   for s in clean]
    rough_full = [_background_roughness(s.images[0], s.buffers.label)
                  for s in full]
    # A gradient after gamma and JPEG: under 1.5 grey levels per pixel.
    assert max(rough_clean) < 1.5
    assert np.median(rough_full) > 2 * np.median(rough_clean)
    for s in clean:
        assert (s.buffers.label < LABEL_OCCLUDER).all()
        assert np.allclose(project(s.xyz, s.K), s.uv)
        assert s.images[0].std() > 8 and (s.mask > 0).mean() > 0.03


def test_clean_rhd_samples_have_no_occluders():
    for i in range(3):
        s = render_rhd_sample(11, 'training', i, keep_buffers=True,
                              style='clean')
        assert (s.buffers.label < LABEL_OCCLUDER).all()
        assert np.allclose(project(s.xyz, s.K), s.uv_vis[:, :2])


def test_generator_records_the_style_and_rejects_unknown_ones(tmp_path):
    out = str(tmp_path / 'clean')
    generate_dataset(out, 'freihand', 3, num_eval=0, progress=False,
                     style='clean')
    with open(os.path.join(out, 'synthetic_meta.json'), encoding='utf-8') as f:
        assert json.load(f)['style'] == 'clean'
    with pytest.raises(ValueError, match="style must be one of .*'full'"):
        generate_dataset(str(tmp_path / 'x'), 'freihand', 2, progress=False,
                         style='easy')
    assert not os.path.exists(str(tmp_path / 'x'))
    with pytest.raises(ValueError, match='style must be one of'):
        render_freihand_sample(0, 'training', 0, style='easy')

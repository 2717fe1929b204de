"""The ``hard`` family: a validation-and-test proxy that does not flatter.

Checked on numbers: its appearance comes from the held-out bands (none of
``train``'s), its in-plane angles have the stated tail beyond 45 degrees, its
views the stated share of side views, its hands are more closed than
``train``'s, its images have less contrast, it is deterministic for a seed,
``train`` and ``heldout`` samples are what they were before it existed, and
training data refuse it.
"""
import dataclasses
import math
import os
import subprocess
import sys

import numpy as np
import pytest

from mmpose_mlehand.synthetic import generate_dataset, get_style
from mmpose_mlehand.synthetic.appearance import (BAND_FAMILY, EVAL_ONLY_FAMILIES,
                                                 JPEG_QUALITY_BANDS, LIGHT_KELVIN_BANDS,
                                                 PROCEDURAL_BACKGROUNDS, SKIN_BLEND_BANDS,
                                                 WHITE_BALANCE_MIRED_BANDS, check_training_family,
                                                 sample_appearance)
from mmpose_mlehand.synthetic.hand_model import (forward_kinematics, sample_forearm_direction,
                                                 sample_hand_shape, sample_pose)
from mmpose_mlehand.synthetic.hand_scenes import render_hand_scene
from mmpose_mlehand.synthetic.photos import PHOTO_FAMILIES
from mmpose_mlehand.synthetic.samples import (HARD_MAX_VIEW_TILT_DEG, HARD_SIDE_VIEW_PROB,
                                              HARD_TURNED_PROB, UPRIGHT_ANGLE_DEG,
                                              UPRIGHT_UNIFORM_PROB, check_style_family,
                                              closed_pose_prob, in_plane_angle_deg,
                                              render_freihand_sample, render_rhd_sample,
                                              view_rotation)
from mmpose_mlehand.synthetic.scene import hand_mask

PHOTO = get_style('photo')
DRAWS = 200
# Fingertips (thumb..pinky), wrist and middle-finger MCP in FreiHAND order.
TIPS, WRIST, MIDDLE_MCP = [4, 8, 12, 16, 20], 0, 9


def _in_bands(value, bands, integer=False):
    return any(lo <= value <= hi if integer else lo <= value < hi for lo, hi in bands)


def test_hard_appearance_draws_only_held_out_bands():
    assert BAND_FAMILY['hard'] == 'heldout' and EVAL_ONLY_FAMILIES == ('hard', )
    drawn = [sample_appearance(np.random.default_rng(5000 + j), 'hard', 0.7)
             for j in range(50)]
    fields = (('skin_blend', SKIN_BLEND_BANDS, False),
              ('light_kelvin', LIGHT_KELVIN_BANDS, False),
              ('white_balance_mired', WHITE_BALANCE_MIRED_BANDS, False),
              ('jpeg_quality', JPEG_QUALITY_BANDS, True))
    for field, bands, integer in fields:
        values = [getattr(a, field) for a in drawn]
        assert all(_in_bands(v, bands['heldout'], integer) for v in values), field
        assert not any(_in_bands(v, bands['train'], integer) for v in values), field
    backgrounds = {a.background for a in drawn}
    assert not backgrounds & (set(PHOTO_FAMILIES['train']) | set(PROCEDURAL_BACKGROUNDS['train']))
    assert any(a.background_is_photo for a in drawn)
    assert not all(a.background_is_photo for a in drawn)
    assert all(a.family == 'hard' for a in drawn)


def _views(family, style=PHOTO):
    """In-plane deviation from upright and tilt from palm-on (degrees)."""
    rng = np.random.default_rng(11)
    deviation, tilt = [], []
    for _ in range(DRAWS):
        shape = sample_hand_shape(rng)
        rotation = view_rotation(rng, sample_forearm_direction(rng), style,
                                 shape.roots[2], family)
        angle = in_plane_angle_deg(rotation, shape.roots[2]) - UPRIGHT_ANGLE_DEG
        deviation.append((angle + 180) % 360 - 180)
        tilt.append(np.degrees(np.arccos(min(abs(rotation[2, 2]), 1.0))))
    return np.abs(deviation), np.array(tilt)


def test_hard_views_have_the_stated_rotation_tail_and_side_views():
    # Beyond 45 degrees under the photo prior: its uniform share's 3/4 and
    # the Gaussian's two tails.
    prior = (UPRIGHT_UNIFORM_PROB * 0.75 + (1 - UPRIGHT_UNIFORM_PROB)
             * math.erfc(45 / PHOTO.upright_sigma_deg / math.sqrt(2)))
    expected = HARD_TURNED_PROB + (1 - HARD_TURNED_PROB) * prior  # 0.57
    deviation, tilt = _views('hard')
    assert abs((deviation > 45).mean() - expected) < 0.08
    # The turned half is spread to 180 degrees, not piled up at 45.
    assert (deviation > 135).mean() > 0.1
    side = (tilt > PHOTO.max_view_tilt_deg + 1e-6).mean()
    assert abs(side - HARD_SIDE_VIEW_PROB) < 0.08
    assert (tilt <= HARD_MAX_VIEW_TILT_DEG + 1e-6).all()
    train_deviation, train_tilt = _views('train')
    assert abs((train_deviation > 45).mean() - prior) < 0.06
    assert (train_tilt <= PHOTO.max_view_tilt_deg + 1e-6).all()


def _closedness(family, style=PHOTO):
    """Mean fingertip-to-wrist distance over the palm length, per pose."""
    rng = np.random.default_rng(12)
    values, pinches = [], []
    for _ in range(DRAWS):
        shape = sample_hand_shape(rng)
        angles = sample_pose(rng, closed_pose_prob(style, family))[1]
        joints = forward_kinematics(shape, angles).joints
        palm = np.linalg.norm(joints[MIDDLE_MCP] - joints[WRIST])
        values.append(np.linalg.norm(joints[TIPS] - joints[WRIST], axis=1).mean() / palm)
        pinches.append(np.linalg.norm(joints[4] - joints[8]) < 0.03)
    return np.array(values), np.mean(pinches)


def test_hard_hands_are_more_often_closed():
    train, train_pinches = _closedness('train')
    hard, hard_pinches = _closedness('hard')
    # Real photographs' closed hands: the third with the fingertips nearest
    # the wrist. The hard family puts about half its hands there.
    closest_third = np.quantile(train, 1 / 3)
    assert (hard < closest_third).mean() > 0.42
    assert hard.mean() < train.mean() - 0.08
    # Pinches: the thumb's tip within 3 cm of the index tip.
    assert hard_pinches > 1.5 * train_pinches


def test_hard_images_have_less_contrast_than_held_out_ones():
    gap, spread = {}, {}
    for family in ('heldout', 'hard'):
        gaps, spreads = [], []
        for index in range(4):
            s = render_freihand_sample(2, 'evaluation', index, keep_buffers=True,
                                       style='photo', family=family)
            image = s.images[0].astype(np.float64)
            hand = hand_mask(s.buffers.label)
            background = s.buffers.label == 0
            gaps.append(np.linalg.norm(image[hand].mean(0) - image[background].mean(0)))
            spreads.append(image.std())
        gap[family], spread[family] = np.mean(gaps), np.mean(spreads)
    assert gap['hard'] < 0.75 * gap['heldout']
    assert spread['hard'] < 0.85 * spread['heldout']


def test_hard_samples_are_deterministic_and_differ_from_held_out():
    a = render_freihand_sample(6, 'evaluation', 3, style='photo', family='hard')
    b = render_freihand_sample(6, 'evaluation', 3, style='photo', family='hard')
    assert np.array_equal(a.images[0], b.images[0]) and np.array_equal(a.xyz, b.xyz)
    assert a.appearances == b.appearances and a.appearances[0].family == 'hard'
    held = render_freihand_sample(6, 'evaluation', 3, style='photo', family='heldout')
    assert not np.allclose(a.xyz, held.xyz)
    rhd = render_rhd_sample(6, 'evaluation', 3, style='photo', family='hard')
    assert rhd.appearance.family == 'hard'


# Fingerprints of samples rendered at commit da76625, before the hard family
# existed: the mean of each image channel, the first keypoint, the sum of
# |xyz| and the mask's pixel count. train and heldout must draw the same.
BEFORE = {
    'photo_train': ((99.6979, 76.4294, 65.1205),
                    (0.06464209566045837, 0.07862444906605953, 0.4696404529167277),
                    11.103733363698773, 10245),
    'photo_heldout': ((66.4065, 49.5013, 79.3348),
                      (0.06464209566045837, 0.07862444906605953, 0.4696404529167277),
                      11.103733363698773, 10245),
    'full': ((71.4108, 60.1021, 91.5188),
             (0.08362785032710955, -0.08572939870795596, 0.8690667244961275),
             18.785896235412306, 6080),
    'rhd_heldout': ((68.023, 81.7396, 86.7861),
                    (0.26827640400920905, 0.9097373366649022, 0.6980275499895621),
                    50.7970730858946, 9487),
}


def _fingerprint(image, xyz, mask):
    return (image.reshape(-1, 3).mean(0), xyz[0], np.abs(xyz).sum(), int((mask > 0).sum()))


@pytest.mark.parametrize('name', sorted(BEFORE))
def test_train_and_heldout_samples_are_unchanged(name):
    if name.startswith('photo_'):
        s = render_freihand_sample(3, 'evaluation', 0, style='photo', family=name[6:])
        got = _fingerprint(s.images[0], s.xyz, s.mask)
    elif name == 'full':
        s = render_freihand_sample(3, 'training', 1, style='full')
        got = _fingerprint(s.images[0], s.xyz, s.mask)
    else:
        s = render_rhd_sample(3, 'training', 0, style='photo', family='heldout')
        got = _fingerprint(s.image, s.xyz, s.mask)
    means, first, total, pixels = BEFORE[name]
    # Exact draws give the same numbers; a tolerance only for platforms that
    # round floats differently.
    assert np.allclose(got[0], means, atol=0.05)
    assert np.allclose(got[1], first, rtol=0, atol=1e-9)
    assert got[2] == pytest.approx(total, abs=1e-8)
    assert got[3] == pixels


def test_training_data_refuse_the_hard_family(tmp_path, repo_root):
    with pytest.raises(ValueError, match="'hard' is for validation and test data only"):
        check_training_family('hard')
    assert check_training_family('heldout') == 'heldout'
    with pytest.raises(ValueError, match="'hard' is for validation and test data only"):
        render_hand_scene(0, 'train', 0, 'hard')
    assert render_hand_scene(0, 'test', 0, 'hard').appearance.family == 'hard'
    with pytest.raises(ValueError, match="family 'hard' needs a style"):
        check_style_family('full', 'hard')
    for options in (dict(label_noise='gaussian:2'), dict(versions=2)):
        out = str(tmp_path / 'refused')
        with pytest.raises(ValueError, match='validation and test data only'):
            generate_dataset(out, 'freihand', 4, num_eval=0, progress=False,
                             style='photo', family='hard', **options)
        assert not os.path.exists(out)
    tool = os.path.join(repo_root, 'tools', 'make_synthetic_hands.py')
    run = subprocess.run(
        [sys.executable, tool, '--format', 'freihand', '--num', '4', '--num-eval', '0',
         '--out', str(tmp_path / 'cli'), '--style', 'photo', '--family', 'hard',
         '--label-noise', 'gaussian:2', '--quiet'], capture_output=True, text=True)
    assert run.returncode == 2
    assert "family 'hard' is for validation and test data only" in run.stderr


def test_the_photo_varied_training_style_draws_its_stated_shares():
    varied = get_style('photo-varied')
    assert (varied.closed_pose_prob, varied.turned_prob, varied.side_view_prob) == (0.3, 0.25, 0.2)
    prior = (UPRIGHT_UNIFORM_PROB * 0.75 + (1 - UPRIGHT_UNIFORM_PROB)
             * math.erfc(45 / PHOTO.upright_sigma_deg / math.sqrt(2)))
    deviation, tilt = _views('train', varied)
    expected = varied.turned_prob + (1 - varied.turned_prob) * prior
    assert abs((deviation > 45).mean() - expected) < 0.08
    assert abs((tilt > PHOTO.max_view_tilt_deg + 1e-6).mean() - varied.side_view_prob) < 0.07
    train, _ = _closedness('train')
    closed, _ = _closedness('train', varied)
    assert (closed < np.quantile(train, 1 / 3)).mean() > 1 / 3 + 0.1
    # The hard family's shares replace the style's.
    assert closed_pose_prob(varied, 'hard') == closed_pose_prob(PHOTO, 'hard')
    with pytest.raises(ValueError, match='turned_prob'):
        dataclasses.replace(varied, turned_prob=1.5)
    # It renders training data (the photo style's appearance, train family).
    sample = render_freihand_sample(0, 'training', 0, style='photo-varied', family='train')
    assert sample.images[0].shape[:2] == (224, 224)

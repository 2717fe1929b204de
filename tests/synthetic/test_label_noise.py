"""Label-noise models: parsing and the declared statistics."""
import itertools
import json
import os
import pickle

import numpy as np
import pytest

from mmpose_mlehand.hand_format import NUM_KEYPOINTS, RHD_TO_FREIHAND
from mmpose_mlehand.synthetic import generate_dataset, parse_label_noise, perturb_uv, perturb_xyz
from mmpose_mlehand.synthetic.camera import project
from mmpose_mlehand.synthetic.label_noise import NoiseModel, format_label_noise

# FreiHAND order: wrist, then thumb, index, middle, ring, little (root to tip).
FINGERS = [list(range(1 + 4 * f, 5 + 4 * f)) for f in range(5)]
TIPS, BEFORE_TIPS = [4, 8, 12, 16, 20], [3, 7, 11, 15, 19]
RHD = list(RHD_TO_FREIHAND)


def _clean_uv(num_hands=200, seed=0):
    """Hand-like keypoint sets: NUM_KEYPOINTS points over a 60-120 px box."""
    rng = np.random.default_rng(seed)
    centre = rng.uniform(60, 160, (num_hands, 1, 2))
    return centre + rng.uniform(-1, 1, (num_hands, NUM_KEYPOINTS, 2)) * rng.uniform(
        30, 60, (num_hands, 1, 1))


def test_parse():
    assert parse_label_noise('none') == ()
    assert parse_label_noise(' None ') == ()
    assert parse_label_noise('gaussian:2.5+outliers:0.1+offset:3') == (
        NoiseModel('gaussian', 2.5), NoiseModel('outliers', 0.1),
        NoiseModel('offset', 3.0))
    assert format_label_noise(parse_label_noise('offset:3+gaussian:1')) == \
        'offset:3+gaussian:1'
    for bad, match in [('gauss:1', 'unknown'), ('gaussian', 'needs a value'),
                       ('gaussian:', 'needs a value'), ('offset:x', 'number'),
                       ('gaussian:-1', '>= 0'), ('outliers:1.5', r'\[0, 1\]'),
                       ('gaussian:1+gaussian:2', 'twice'),
                       ('offset:nan', 'finite')]:
        with pytest.raises(ValueError, match=match):
            parse_label_noise(bad)


def test_gaussian_statistics():
    uv = _clean_uv()
    noisy = perturb_uv(uv, parse_label_noise('gaussian:3'),
                       np.random.default_rng(1))
    d = (noisy - uv).reshape(-1, 2)  # every keypoint of every hand
    assert np.abs(d.mean(axis=0)).max() < 0.15
    assert d.std(axis=0) == pytest.approx([3, 3], rel=0.05)
    # About 68 % of |du| within one sigma.
    assert np.mean(np.abs(d[:, 0]) < 3) == pytest.approx(0.683, abs=0.03)


def test_outlier_statistics():
    uv = _clean_uv()
    noisy = perturb_uv(uv, parse_label_noise('outliers:0.2'),
                       np.random.default_rng(2))
    moved = np.any(noisy != uv, axis=2)
    assert moved.mean() == pytest.approx(0.2, abs=0.02)
    # Outliers land in the hand's 1.2x keypoint box, far on average.
    lo, hi = uv.min(axis=1), uv.max(axis=1)
    centre, half = (lo + hi) / 2, (hi - lo) * 0.6
    inside = np.abs(noisy - centre[:, None]) <= half[:, None] + 1e-9
    assert inside.all()
    dist = np.linalg.norm(noisy - uv, axis=2)[moved]
    assert np.median(dist) > 20
    assert np.all(noisy[~moved] == uv[~moved])


def test_offset_statistics():
    uv = _clean_uv()
    noisy = perturb_uv(uv, parse_label_noise('offset:4'),
                       np.random.default_rng(3))
    d = noisy - uv
    assert np.allclose(np.linalg.norm(d, axis=2), 4)
    # Systematic: the same vector for a joint in every sample.
    assert np.allclose(d, d[:1])
    # ...but joints point different ways.
    angles = np.arctan2(d[0, :, 1], d[0, :, 0])
    assert np.ptp(angles) > 1.0
    # RHD rows map to FreiHAND joints: the same joint gets the same offset.
    rhd = perturb_uv(uv[:, list(RHD_TO_FREIHAND)],
                     parse_label_noise('offset:4'), np.random.default_rng(3),
                     np.asarray(RHD_TO_FREIHAND))
    assert np.allclose(rhd - uv[:, list(RHD_TO_FREIHAND)],
                       d[:, list(RHD_TO_FREIHAND)])


def test_lifting_keeps_depth_and_projection():
    rng = np.random.default_rng(4)
    xyz = np.concatenate([rng.uniform(-0.1, 0.1, (50, NUM_KEYPOINTS, 2)),
                          rng.uniform(0.5, 1.0, (50, NUM_KEYPOINTS, 1))], axis=2)
    K = np.tile(np.array([[600.0, 0, 110], [0, 610.0, 115], [0, 0, 1]]),
                (50, 1, 1))
    noisy_xyz, noisy_uv = perturb_xyz(xyz, K, parse_label_noise('gaussian:2'),
                                      rng)
    assert np.allclose(noisy_xyz[..., 2], xyz[..., 2])
    for p, q, k in zip(noisy_xyz, noisy_uv, K):
        assert np.allclose(project(p, k), q)
    shift = noisy_uv - np.stack([project(p, k) for p, k in zip(xyz, K)])
    assert shift.std() == pytest.approx(2, rel=0.1)


def test_noise_touches_only_training_labels(tmp_path):
    kwargs = dict(num=6, seed=3, num_eval=3, progress=False)
    clean, noisy = str(tmp_path / 'clean'), str(tmp_path / 'noisy')
    generate_dataset(clean, 'freihand', **kwargs)
    generate_dataset(noisy, 'freihand', label_noise='gaussian:2+outliers:0.1',
                     **kwargs)

    def load(root, name):
        with open(os.path.join(root, name)) as f:
            return np.array(json.load(f))

    assert np.array_equal(load(noisy, 'training_xyz_clean.json'),
                          load(clean, 'training_xyz.json'))
    assert not os.path.exists(os.path.join(clean, 'training_xyz_clean.json'))
    for name in ('evaluation_xyz.json', 'evaluation_K.json',
                 'training_K.json'):
        assert np.array_equal(load(noisy, name), load(clean, name))
    xyz, ref = load(noisy, 'training_xyz.json'), load(clean, 'training_xyz.json')
    assert np.allclose(xyz[..., 2], ref[..., 2]) and not np.allclose(xyz, ref)
    # Images are the same: only the labels change.
    for name in ('training/rgb/00000000.jpg', 'evaluation/rgb/00000002.jpg'):
        with open(os.path.join(clean, name), 'rb') as a, \
                open(os.path.join(noisy, name), 'rb') as b:
            assert a.read() == b.read()

    rhd_clean, rhd_noisy = str(tmp_path / 'rc'), str(tmp_path / 'rn')
    kwargs = dict(num=3, seed=3, num_eval=2, progress=False)
    generate_dataset(rhd_clean, 'rhd', **kwargs)
    generate_dataset(rhd_noisy, 'rhd', label_noise='offset:3', **kwargs)

    def anno(root, split, suffix=''):
        with open(os.path.join(root, split, f'anno_{split}{suffix}.pickle'),
                  'rb') as f:
            return pickle.load(f, encoding='latin1')

    ref, out = anno(rhd_clean, 'training'), anno(rhd_noisy, 'training')
    kept = anno(rhd_noisy, 'training', '_clean')
    for i in ref:
        assert np.array_equal(kept[i]['uv_vis'], ref[i]['uv_vis'])
        assert np.array_equal(out[i]['uv_vis'][:, 2], ref[i]['uv_vis'][:, 2])
        shift = np.linalg.norm(out[i]['uv_vis'][:, :2] - ref[i]['uv_vis'][:, :2],
                               axis=1)
        assert np.allclose(shift, 3)
        assert np.allclose(project(out[i]['xyz'], out[i]['K']),
                           out[i]['uv_vis'][:, :2])
    ref, out = anno(rhd_clean, 'evaluation'), anno(rhd_noisy, 'evaluation')
    for i in ref:
        for key in ('uv_vis', 'xyz', 'K'):
            assert np.array_equal(out[i][key], ref[i][key])


# --- systematic noise: short fingertips, swapped neighbouring fingers ---------


def test_parse_systematic_models():
    assert parse_label_noise('tipshort:0.3+swap:0.1') == (
        NoiseModel('tipshort', 0.3), NoiseModel('swap', 0.1))
    assert format_label_noise(parse_label_noise('swap:0.10+tipshort:1')) == \
        'swap:0.1+tipshort:1'
    assert parse_label_noise('tipshort:0+swap:1') == (NoiseModel('tipshort', 0.0),
                                                      NoiseModel('swap', 1.0))
    for bad, match in [('tipshort:1.2', r'tipshort fraction must be in \[0, 1\]'),
                       ('swap:2', r'swap rate must be in \[0, 1\]'),
                       ('swap:-0.1', '>= 0'), ('tipshort', 'needs a value'),
                       ('swap:inf', 'finite'), ('swap:0.1+swap:0.2', 'twice'),
                       ('swaps:0.1', 'unknown.*tipshort, swap')]:
        with pytest.raises(ValueError, match=match):
            parse_label_noise(bad)


def test_tipshort_by_hand():
    uv = np.zeros((1, NUM_KEYPOINTS, 2))
    uv[0, 3], uv[0, 4] = (2, 4), (10, 20)  # thumb IP and tip: bone (-8, -16)
    uv[0, 19], uv[0, 20] = (50, 50), (50, 40)  # little DIP and tip: bone (0, 10)
    noisy = perturb_uv(uv, parse_label_noise('tipshort:0.25'), np.random.default_rng(0))
    expected = uv.copy()
    expected[0, 4], expected[0, 20] = (8, 16), (50, 42.5)
    assert np.allclose(noisy, expected, rtol=0, atol=1e-12)


def test_tipshort_moves_exactly_the_tips_by_the_fraction():
    uv = _clean_uv(50)
    rng = np.random.default_rng(5)
    state = rng.bit_generator.state
    noisy = perturb_uv(uv, parse_label_noise('tipshort:0.3'), rng)
    assert rng.bit_generator.state == state  # deterministic: draws nothing
    others = [j for j in range(NUM_KEYPOINTS) if j not in TIPS]
    assert np.array_equal(noisy[:, others], uv[:, others])
    bone = uv[:, BEFORE_TIPS] - uv[:, TIPS]  # tip -> previous joint
    assert np.allclose(noisy[:, TIPS] - uv[:, TIPS], 0.3 * bone, rtol=0, atol=1e-12)
    length = np.linalg.norm(bone, axis=2)
    assert np.allclose(np.linalg.norm(noisy[:, TIPS] - uv[:, TIPS], axis=2), 0.3 * length)
    assert np.allclose(np.linalg.norm(uv[:, BEFORE_TIPS] - noisy[:, TIPS], axis=2),
                       0.7 * length)
    # Fraction 0 keeps every label, 1 puts each tip on its previous joint.
    rng = np.random.default_rng(0)
    assert np.array_equal(perturb_uv(uv, parse_label_noise('tipshort:0'), rng), uv)
    full = perturb_uv(uv, parse_label_noise('tipshort:1'), rng)
    assert np.allclose(full[:, TIPS], uv[:, BEFORE_TIPS], rtol=0, atol=1e-12)


def test_tipshort_follows_joint_ids():
    uv = _clean_uv(20)
    models = parse_label_noise('tipshort:0.4')
    noisy = perturb_uv(uv, models, np.random.default_rng(0))
    rhd = perturb_uv(uv[:, RHD], models, np.random.default_rng(0), np.asarray(RHD))
    assert np.array_equal(rhd, noisy[:, RHD])
    # Columns without tips: nothing to move.
    some = [0, 3, 7, 11]
    assert np.array_equal(perturb_uv(uv[:, some], models, np.random.default_rng(0),
                                     np.asarray(some)), uv[:, some])
    with pytest.raises(ValueError, match=r"'tipshort' needs FreiHAND joint 3 .* does not"):
        perturb_uv(uv[:, [0, 4, 8]], models, np.random.default_rng(0), np.array([0, 4, 8]))


def _finger_labels(noisy, uv):
    """(M, 5): which clean finger's labels each finger's columns hold (-1: none)."""
    held = np.full((len(uv), 5), -1)
    for f, g in itertools.product(range(5), repeat=2):
        held[np.all(noisy[:, FINGERS[f]] == uv[:, FINGERS[g]], axis=(1, 2)), f] = g
    return held


def _held_after(swaps):
    """Reference: the finger labels held after the swaps (one 0/1 per pair
    thumb-index .. ring-little), applied in that order to the current labels."""
    held = list(range(5))
    for pair, swapped in enumerate(swaps):
        if swapped:
            held[pair], held[pair + 1] = held[pair + 1], held[pair]
    return tuple(held)


def test_swap_rate_one_and_zero():
    uv = _clean_uv(30)
    noisy = perturb_uv(uv, parse_label_noise('swap:1'), np.random.default_rng(0))
    # The four swaps chain: each finger takes the next one's labels, the
    # little finger the thumb's.
    assert np.array_equal(noisy[:, 0], uv[:, 0])
    assert np.array_equal(noisy[:, 1:5], uv[:, 5:9])  # thumb <- index
    assert np.array_equal(noisy[:, 5:9], uv[:, 9:13])  # index <- middle
    assert np.array_equal(noisy[:, 9:13], uv[:, 13:17])  # middle <- ring
    assert np.array_equal(noisy[:, 13:17], uv[:, 17:21])  # ring <- little
    assert np.array_equal(noisy[:, 17:21], uv[:, 1:5])  # little <- thumb
    assert (_finger_labels(noisy, uv) == _held_after((1, 1, 1, 1))).all()
    assert np.array_equal(perturb_uv(uv, parse_label_noise('swap:0'),
                                     np.random.default_rng(0)), uv)


def test_swap_empirical_rate():
    uv = _clean_uv(20000, seed=6)
    noisy = perturb_uv(uv, parse_label_noise('swap:0.1'), np.random.default_rng(7))
    assert np.array_equal(noisy[:, 0], uv[:, 0])
    patterns = {_held_after(s): s for s in itertools.product((0, 1), repeat=4)}
    assert len(patterns) == 16  # the outcome tells which pairs were swapped
    swaps = np.array([patterns[tuple(held)] for held in _finger_labels(noisy, uv)])
    # Each pair with probability 0.1 (sd of the rate 0.002), independently.
    assert swaps.mean(axis=0) == pytest.approx([0.1] * 4, abs=0.008)
    assert (swaps[:, 0] & swaps[:, 1]).mean() == pytest.approx(0.01, abs=0.003)
    assert swaps.any(axis=1).mean() == pytest.approx(1 - 0.9**4, abs=0.015)


def test_swap_follows_joint_ids():
    uv = _clean_uv(200)
    models = parse_label_noise('swap:0.5')
    noisy = perturb_uv(uv, models, np.random.default_rng(8))
    assert not np.array_equal(noisy, uv)
    rhd = perturb_uv(uv[:, RHD], models, np.random.default_rng(8), np.asarray(RHD))
    assert np.array_equal(rhd, noisy[:, RHD])
    with pytest.raises(ValueError, match=r"'swap' needs FreiHAND joint 17 .* does not"):
        perturb_uv(uv[:, :17], models, np.random.default_rng(8), np.arange(17))


def _tipshort3_then_swap1(uv):
    """``tipshort:0.3+swap:1`` by hand, on (M, 21, 2) FreiHAND-order labels."""
    out = uv.copy()
    out[:, TIPS] += 0.3 * (uv[:, BEFORE_TIPS] - uv[:, TIPS])
    return np.concatenate([out[:, :1]] + [out[:, FINGERS[(f + 1) % 5]] for f in range(5)],
                          axis=1)


def test_systematic_noise_touches_only_training_labels(tmp_path):
    kwargs = dict(num=4, seed=2, num_eval=2, style='clean', progress=False)
    clean, noisy = str(tmp_path / 'clean'), str(tmp_path / 'noisy')
    generate_dataset(clean, 'freihand', **kwargs)
    generate_dataset(noisy, 'freihand', label_noise='tipshort:0.3+swap:1', **kwargs)

    def load(root, name):
        with open(os.path.join(root, name)) as f:
            return np.array(json.load(f))

    for name in ('evaluation_xyz.json', 'evaluation_K.json', 'training_K.json'):
        assert np.array_equal(load(noisy, name), load(clean, name))
    ref = load(clean, 'training_xyz.json')
    assert np.array_equal(load(noisy, 'training_xyz_clean.json'), ref)
    K, xyz = load(clean, 'training_K.json'), load(noisy, 'training_xyz.json')
    assert np.allclose(xyz[..., 2], ref[..., 2])  # each column keeps its depth
    uv = np.stack([project(p, k) for p, k in zip(ref, K)])
    noisy_uv = np.stack([project(p, k) for p, k in zip(xyz, K)])
    assert np.allclose(noisy_uv, _tipshort3_then_swap1(uv), rtol=0, atol=1e-6)

    rhd_clean, rhd_noisy = str(tmp_path / 'rc'), str(tmp_path / 'rn')
    kwargs = dict(num=2, seed=2, num_eval=2, style='clean', progress=False)
    generate_dataset(rhd_clean, 'rhd', **kwargs)
    generate_dataset(rhd_noisy, 'rhd', label_noise='tipshort:0.3+swap:1', **kwargs)

    def anno(root, split, suffix=''):
        with open(os.path.join(root, split, f'anno_{split}{suffix}.pickle'), 'rb') as f:
            return pickle.load(f, encoding='latin1')

    ref, out = anno(rhd_clean, 'evaluation'), anno(rhd_noisy, 'evaluation')
    for i in ref:
        for key in ('uv_vis', 'xyz', 'K'):
            assert np.array_equal(out[i][key], ref[i][key])
    ref, out = anno(rhd_clean, 'training'), anno(rhd_noisy, 'training')
    kept = anno(rhd_noisy, 'training', '_clean')
    for i in ref:
        assert np.array_equal(kept[i]['uv_vis'], ref[i]['uv_vis'])
        assert np.array_equal(out[i]['uv_vis'][:, 2], ref[i]['uv_vis'][:, 2])
        for hand in range(2):  # rows 0-20 and 21-41, RHD order
            rows = np.arange(NUM_KEYPOINTS * hand, NUM_KEYPOINTS * (hand + 1))[RHD]
            expected = _tipshort3_then_swap1(ref[i]['uv_vis'][None, rows, :2])[0]
            assert np.allclose(out[i]['uv_vis'][rows, :2], expected, rtol=0, atol=1e-4)

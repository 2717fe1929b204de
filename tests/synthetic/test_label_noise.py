"""Label-noise models: parsing and the declared statistics."""
import json
import os
import pickle

import numpy as np
import pytest

from mmpose_mlehand.hand_format import NUM_KEYPOINTS, RHD_TO_FREIHAND
from mmpose_mlehand.synthetic import generate_dataset, parse_label_noise, perturb_uv, perturb_xyz
from mmpose_mlehand.synthetic.camera import project
from mmpose_mlehand.synthetic.label_noise import NoiseModel, format_label_noise


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

"""Synthetic data sets in the raw FreiHAND and RHD layouts."""
import filecmp
import json
import os
import pickle

import cv2
import numpy as np
import pytest

from mmpose_mlehand.hand_format import (FREIHAND_BONES, FREIHAND_IMAGE_SIZE, HAND_SIDES,
                                        NUM_KEYPOINTS, RHD_IMAGE_SIZE, RHD_MAX_DEPTH_M,
                                        RHD_TO_FREIHAND)
from mmpose_mlehand.synthetic import generate_dataset
from mmpose_mlehand.synthetic.camera import project
from mmpose_mlehand.synthetic.hand_model import BONE_LENGTH_LIMITS
from mmpose_mlehand.synthetic.writers import decode_rhd_depth, encode_rhd_depth

FREIHAND = dict(num=6, num_eval=2, versions=2, progress=False)
RHD = dict(num=4, num_eval=2, progress=False)
# Keypoint rows of an RHD sample (both hands).
RHD_POINTS = len(HAND_SIDES) * NUM_KEYPOINTS


def _files(root):
    return sorted(os.path.relpath(os.path.join(d, f), root)
                  for d, _, names in os.walk(root) for f in names)


def _same_tree(a, b):
    files = _files(a)
    assert files == _files(b)
    _, mismatch, errors = filecmp.cmpfiles(a, b, files, shallow=False)
    return not mismatch and not errors


@pytest.fixture(scope='module')
def freihand_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('fh') / 'data')
    generate_dataset(root, 'freihand', seed=7, workers=1, **FREIHAND)
    return root


@pytest.fixture(scope='module')
def rhd_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('rhd') / 'data')
    generate_dataset(root, 'rhd', seed=7, workers=1, **RHD)
    return root


def _json(root, name):
    with open(os.path.join(root, name)) as f:
        return json.load(f)


def _pickle(root, split):
    with open(os.path.join(root, split, f'anno_{split}.pickle'), 'rb') as f:
        return pickle.load(f, encoding='latin1')


def test_freihand_layout(freihand_root):
    files = _files(freihand_root)
    assert [f for f in files if f.startswith('training/rgb/')] == [
        f'training/rgb/{i:08d}.jpg' for i in range(12)]
    assert [f for f in files if f.startswith('training/mask/')] == [
        f'training/mask/{i:08d}.jpg' for i in range(6)]
    assert [f for f in files if f.startswith('evaluation/')] == [
        f'evaluation/rgb/{i:08d}.jpg' for i in range(2)]
    for split, n in (('training', 6), ('evaluation', 2)):
        K = np.array(_json(freihand_root, f'{split}_K.json'))
        xyz = np.array(_json(freihand_root, f'{split}_xyz.json'))
        scale = np.array(_json(freihand_root, f'{split}_scale.json'))
        assert K.shape == (n, 3, 3) and xyz.shape == (n, NUM_KEYPOINTS, 3)
        assert np.allclose(scale, np.linalg.norm(xyz[:, 9] - xyz[:, 10],
                                                 axis=1))
        for k, p in zip(K, xyz):
            uv = project(p, k)
            assert (uv > 0).all() and (uv < FREIHAND_IMAGE_SIZE - 1).all()
            assert (p[:, 2] > 0).all()
            lengths = np.array([np.linalg.norm(p[c] - p[q])
                                for q, c in FREIHAND_BONES])
            assert (lengths >= BONE_LENGTH_LIMITS[:, 0] - 1e-9).all()
            assert (lengths <= BONE_LENGTH_LIMITS[:, 1] + 1e-9).all()
    image = cv2.imread(os.path.join(freihand_root, 'training/rgb/00000007.jpg'))
    assert image.shape == (FREIHAND_IMAGE_SIZE, FREIHAND_IMAGE_SIZE, 3)
    assert image.std() > 8
    mask = cv2.imread(os.path.join(freihand_root, 'training/mask/00000001.jpg'),
                      cv2.IMREAD_GRAYSCALE)
    assert mask.shape == (FREIHAND_IMAGE_SIZE, FREIHAND_IMAGE_SIZE)
    assert (mask > 127).mean() > 0.03
    # Version 1 of sample 1 shares its mask and annotation but not its colours.
    v0 = cv2.imread(os.path.join(freihand_root, 'training/rgb/00000001.jpg'))
    assert np.abs(v0.astype(int) - image.astype(int)).mean() > 5
    meta = _json(freihand_root, 'synthetic_meta.json')
    assert meta['format'] == 'freihand' and meta['versions'] == 2


def test_rhd_layout(rhd_root):
    for split, n in (('training', 4), ('evaluation', 2)):
        for folder in ('color', 'mask', 'depth'):
            assert sorted(os.listdir(os.path.join(rhd_root, split, folder))) \
                == [f'{i:05d}.png' for i in range(n)]
        anno = _pickle(rhd_root, split)
        assert sorted(anno) == list(range(n))
        assert all(isinstance(i, int) for i in anno)
        for i, a in anno.items():
            assert a['uv_vis'].shape == (RHD_POINTS, 3)
            assert a['xyz'].shape == (RHD_POINTS, 3)
            assert a['K'].shape == (3, 3)
            assert np.allclose(project(a['xyz'], a['K']), a['uv_vis'][:, :2])
            assert (a['xyz'][:, 2] > 0).all()
            assert set(np.unique(a['uv_vis'][:, 2])) <= {0.0, 1.0}
            vis = a['uv_vis'][:, 2] > 0
            assert vis.any()
            assert ((a['uv_vis'][vis, :2] >= 0)
                    & (a['uv_vis'][vis, :2] <= RHD_IMAGE_SIZE - 1)).all()
            mask = cv2.imread(os.path.join(rhd_root, split, 'mask',
                                           f'{i:05d}.png'), cv2.IMREAD_UNCHANGED)
            assert mask.shape == (RHD_IMAGE_SIZE, RHD_IMAGE_SIZE)
            assert mask.max() <= 33
            for h in range(len(HAND_SIDES)):
                hand = slice(NUM_KEYPOINTS * h, NUM_KEYPOINTS * (h + 1))
                labels = (mask >= 2 + 16 * h) & (mask <= 17 + 16 * h)
                if a['uv_vis'][hand, 2].any():
                    assert labels.sum() > 50
                # RHD order: wrist, then each finger tip -> root; bone lengths
                # in FreiHAND order stay anatomical.
                fh = a['xyz'][hand][list(RHD_TO_FREIHAND)]
                lengths = np.array([np.linalg.norm(fh[c] - fh[q])
                                    for q, c in FREIHAND_BONES])
                assert (lengths >= BONE_LENGTH_LIMITS[:, 0] - 1e-9).all()
                assert (lengths <= BONE_LENGTH_LIMITS[:, 1] + 1e-9).all()
            color = cv2.imread(os.path.join(rhd_root, split, 'color',
                                            f'{i:05d}.png'))
            assert color.shape == (RHD_IMAGE_SIZE, RHD_IMAGE_SIZE, 3)
            assert color.std() > 8
            depth = decode_rhd_depth(cv2.imread(
                os.path.join(rhd_root, split, 'depth', f'{i:05d}.png'))[..., ::-1])
            hand_pixels = mask >= 2
            assert 0.1 < np.median(depth[hand_pixels]) < RHD_MAX_DEPTH_M


def test_depth_coding_round_trip():
    depth = np.array([[0.0, 0.4119, 1.5], [2.99, 4.999, 7.0]])
    decoded = decode_rhd_depth(encode_rhd_depth(depth))
    assert np.allclose(decoded, np.minimum(depth, RHD_MAX_DEPTH_M),
                       atol=RHD_MAX_DEPTH_M / 65535)


def test_same_seed_same_bytes_any_worker_count(freihand_root, rhd_root,
                                               tmp_path):
    again = str(tmp_path / 'fh2')
    generate_dataset(again, 'freihand', seed=7, workers=2, **FREIHAND)
    assert _same_tree(freihand_root, again)
    other = str(tmp_path / 'fh3')
    generate_dataset(other, 'freihand', seed=8, workers=1, **FREIHAND)
    assert _json(other, 'training_xyz.json') != _json(freihand_root,
                                                      'training_xyz.json')
    rhd_again = str(tmp_path / 'rhd2')
    generate_dataset(rhd_again, 'rhd', seed=7, workers=2, **RHD)
    assert _same_tree(rhd_root, rhd_again)


def test_bad_arguments(tmp_path, freihand_root):
    out = str(tmp_path / 'x')
    for kwargs, error in [
            (dict(fmt='coco', num=2), ValueError),
            (dict(fmt='freihand', num=0), ValueError),
            (dict(fmt='freihand', num=2.5), TypeError),
            (dict(fmt='freihand', num=2, seed=-1), ValueError),
            (dict(fmt='freihand', num=2, versions=5), ValueError),
            (dict(fmt='rhd', num=2, versions=2), ValueError),
            (dict(fmt='freihand', num=2, workers=0), ValueError),
            (dict(fmt='freihand', num=2, label_noise='blur:2'), ValueError)]:
        with pytest.raises(error):
            generate_dataset(out, progress=False, **kwargs)
    with pytest.raises(FileExistsError, match='overwrite'):
        generate_dataset(freihand_root, 'freihand', 2, progress=False)


def test_overwrite_replaces_an_earlier_run(tmp_path):
    out = str(tmp_path / 'data')
    generate_dataset(out, 'freihand', 4, num_eval=1, versions=3,
                     progress=False)
    keep = os.path.join(out, 'notes.txt')
    with open(keep, 'w') as f:
        f.write('mine')
    generate_dataset(out, 'freihand', 2, num_eval=1, overwrite=True,
                     progress=False)
    assert len(os.listdir(os.path.join(out, 'training', 'rgb'))) == 2
    assert os.path.exists(keep)

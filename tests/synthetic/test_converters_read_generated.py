"""The synthetic raw layouts convert unchanged with the FreiHAND/RHD converters."""
import json
import os

import numpy as np

from mmpose_mlehand.converters import convert_freihand, convert_rhd
from mmpose_mlehand.hand_format import NUM_KEYPOINTS, RHD_IMAGE_SIZE
from mmpose_mlehand.synthetic import generate_dataset
from mmpose_mlehand.synthetic.camera import project


def test_freihand_output_converts(tmp_path):
    root = str(tmp_path / 'freihand')
    generate_dataset(root, 'freihand', 10, seed=2, num_eval=3, versions=2,
                     progress=False)
    result = convert_freihand(root, progress=False)
    files = result.files
    assert sum(len(files[f'freihand_{s}.json']['images'])
               for s in ('train', 'val', 'test')) == 20
    assert len(files['freihand_eval.json']['images']) == 3
    with open(os.path.join(root, 'training_xyz.json')) as f:
        xyz = np.array(json.load(f))
    with open(os.path.join(root, 'training_K.json')) as f:
        K = np.array(json.load(f))
    for split in ('train', 'val', 'test'):
        for ann in files[f'freihand_{split}.json']['annotations']:
            uid = ann['image_id'] % 10
            kpts = np.array(ann['keypoints']).reshape(NUM_KEYPOINTS, 3)
            assert np.allclose(kpts[:, :2], project(xyz[uid], K[uid]))
            x, y, w, h = ann['bbox']
            # The mask box holds most keypoints (the wrist may be on the arm).
            inside = ((kpts[:, 0] >= x - 2) & (kpts[:, 0] <= x + w + 2)
                      & (kpts[:, 1] >= y - 2) & (kpts[:, 1] <= y + h + 2))
            assert inside.mean() > 0.8


def test_rhd_output_converts(tmp_path):
    root = str(tmp_path / 'rhd')
    generate_dataset(root, 'rhd', 6, seed=2, num_eval=2, progress=False)
    for protocol in ('paper', 'mmpose'):
        result = convert_rhd(root, protocol=protocol, min_visible=5,
                             progress=False)
        anns = [a for f in result.files.values() for a in f['annotations']]
        assert anns
        for ann in anns:
            kpts = np.array(ann['keypoints']).reshape(NUM_KEYPOINTS, 3)
            assert kpts[:, 2].sum() >= 1
            visible = kpts[kpts[:, 2] > 0, :2]
            assert ((visible >= 0) & (visible <= RHD_IMAGE_SIZE - 1)).all()


def _max_error(annotations, reference, hand_rows):
    """Largest |keypoint - reference| over annotations; reference(ann) -> (NUM_KEYPOINTS, 2)."""
    return max(np.abs(np.array(a['keypoints']).reshape(NUM_KEYPOINTS, 3)[:, :2] -
                      reference(a)[hand_rows(a)]).max() for a in annotations)


def test_label_noise_stays_in_the_train_split(tmp_path):
    """Val/test carved from noisy training data are given the clean labels."""
    root = str(tmp_path / 'noisy_freihand')
    generate_dataset(root, 'freihand', 40, seed=1, num_eval=0,
                     label_noise='gaussian:5', progress=False)
    assert not os.path.exists(os.path.join(root, 'evaluation_xyz.json'))
    result = convert_freihand(root, progress=False)
    assert 'freihand_eval.json' not in result.files
    K = np.array(json.load(open(os.path.join(root, 'training_K.json'))))
    uv = {name: np.stack([project(x, k) for x, k in zip(
        np.array(json.load(open(os.path.join(root, name)))), K)])
        for name in ('training_xyz.json', 'training_xyz_clean.json')}
    every = slice(None)
    for split, name in (('train', 'training_xyz.json'), ('val', 'training_xyz_clean.json'),
                        ('test', 'training_xyz_clean.json')):
        anns = result.files[f'freihand_{split}.json']['annotations']
        assert _max_error(anns, lambda a: uv[name][a['image_id'] % 40],
                          lambda a: every) < 1e-6
    # ...and the noise is real: train differs from the clean labels.
    train = result.files['freihand_train.json']['annotations']
    assert _max_error(train, lambda a: uv['training_xyz_clean.json'][a['image_id'] % 40],
                      lambda a: every) > 1.0

    root = str(tmp_path / 'noisy_rhd')
    generate_dataset(root, 'rhd', 30, seed=1, num_eval=4, label_noise='gaussian:5',
                     progress=False)
    result = convert_rhd(root, progress=False, val_fraction=0.3)
    from mmpose_mlehand.converters import load_rhd_pickle
    annos = {kind: load_rhd_pickle(os.path.join(root, 'training', f'anno_training{kind}.pickle'))
             for kind in ('', '_clean')}
    side_rows = lambda a: slice(NUM_KEYPOINTS * (a['id'] % 2),  # noqa: E731
                                NUM_KEYPOINTS * (a['id'] % 2 + 1))
    for split, kind in (('train', ''), ('val', '_clean')):
        anns = result.files[f'rhd_{split}.json']['annotations']
        assert anns
        assert _max_error(anns, lambda a: annos[kind][a['image_id']]['uv_vis'][:, :2],
                          side_rows) < 1e-6

"""Helpers shared by several test modules: tiny generated hand data sets and
the quick-start config shrunk to seconds.

The "dot hands" here are deliberately simple (21 coloured discs on a grey
background, one per keypoint) so that a small model learns them in a few dozen
iterations on a CPU; realistic synthetic hands live in
:mod:`mmpose_mlehand.synthetic` and have their own tests.
"""
import json
import os
import os.path as osp
from typing import Dict, Tuple

import cv2
import numpy as np
import torch
from mmengine.config import Config
from mmengine.structures import InstanceData
from mmpose.structures import PoseDataSample

from mmpose_mlehand.hand_format import FREIHAND_IMAGE_SIZE, NUM_KEYPOINTS

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
QUICKSTART_CFG = 'configs/quickstart/mlehand_res18-half_synthetic-freihand-96x96.py'


def keypoint_colours(num_keypoints: int = NUM_KEYPOINTS) -> np.ndarray:
    """Distinct BGR colours, one per keypoint (hue wheel)."""
    hsv = np.stack([
        np.linspace(0, 179, num_keypoints, endpoint=False),
        np.full(num_keypoints, 255),
        np.full(num_keypoints, 230)
    ], axis=-1).astype(np.uint8)[None]
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2BGR)[0].astype(int)


def draw_dot_hand(keypoints: np.ndarray, size: Tuple[int, int],
                  radius: int = 5) -> np.ndarray:
    """Render keypoints (K, 2) as coloured discs on a grey (H, W, 3) image."""
    w, h = size
    img = np.full((h, w, 3), 110, np.uint8)
    for (x, y), colour in zip(keypoints, keypoint_colours(len(keypoints))):
        cv2.circle(img, (int(round(x)), int(round(y))), radius,
                   tuple(int(c) for c in colour), -1, lineType=cv2.LINE_AA)
    return img


def random_keypoints(rng: np.random.Generator, num: int, size: int,
                     margin: float) -> np.ndarray:
    """(num, K, 2) keypoints uniformly inside ``[margin, size - margin]``."""
    return rng.uniform(margin, size - margin, size=(num, NUM_KEYPOINTS, 2))


def write_dot_freihand(root: str, splits: Dict[str, int], seed: int = 0) -> str:
    """Write a FreiHAND-style MMPose data set of dot hands.

    Args:
        root (str): Output folder; images go to ``images/``, annotation files
            to ``annotations/freihand_<split>.json``.
        splits (dict): Number of images per split name.
        seed (int): Random seed.

    Returns:
        str: ``root``.
    """
    size = FREIHAND_IMAGE_SIZE
    rng = np.random.default_rng(seed)
    os.makedirs(osp.join(root, 'images'), exist_ok=True)
    os.makedirs(osp.join(root, 'annotations'), exist_ok=True)
    image_id = 0
    for split, num in splits.items():
        images, annotations = [], []
        for kpts in random_keypoints(rng, num, size, margin=40):
            file_name = f'images/{image_id:05d}.png'
            cv2.imwrite(osp.join(root, file_name), draw_dot_hand(kpts, (size, size)))
            images.append(dict(id=image_id, file_name=file_name, width=size, height=size))
            flat = np.concatenate([kpts, np.ones((NUM_KEYPOINTS, 1))], axis=1)
            annotations.append(dict(
                id=image_id, image_id=image_id, category_id=1, iscrowd=0,
                bbox=[0, 0, size, size], area=size ** 2, segmentation=[],
                keypoints=flat.reshape(-1).tolist(), num_keypoints=NUM_KEYPOINTS))
            image_id += 1
        with open(osp.join(root, 'annotations', f'freihand_{split}.json'), 'w') as f:
            json.dump(dict(images=images, annotations=annotations,
                           categories=[dict(id=1, name='hand')]), f)
    return root


def dot_batch(num: int, seed: int = 0, size: int = 128):
    """Packed inputs of ``num`` dot hands of ``size`` x ``size`` (crop = image)
    and their keypoints in pixels, (num, K, 2)."""
    keypoints = random_keypoints(np.random.default_rng(seed), num, size, margin=16)
    inputs, samples = [], []
    for kpts in keypoints:
        inputs.append(torch.from_numpy(draw_dot_hand(kpts, (size, size), radius=3))
                      .permute(2, 0, 1).contiguous())
        sample = PoseDataSample(metainfo=dict(input_size=(size, size), flip_indices=list(
            range(NUM_KEYPOINTS))))
        sample.gt_instance_labels = InstanceData(
            keypoint_labels=torch.tensor(kpts[None] / size, dtype=torch.float32),
            keypoint_weights=torch.ones(1, NUM_KEYPOINTS))
        samples.append(sample)
    labels = torch.tensor(keypoints, dtype=torch.float32)
    return dict(inputs=inputs, data_samples=samples), labels


def tiny_config_options(data_root: str, work_dir: str) -> Dict[str, object]:
    """Overrides that make the CPU quick-start recipe run in seconds on dot hands."""
    options: Dict[str, object] = {'work_dir': work_dir}
    for split in ('train', 'val', 'test'):
        options.update({
            f'{split}_dataloader.dataset.data_root': data_root,
            f'{split}_dataloader.batch_size': 4,
            f'{split}_dataloader.num_workers': 0,
            f'{split}_dataloader.persistent_workers': False,
        })
    return options


def tiny_cfg(data_root: str, work_dir: str, max_epochs: int) -> Config:
    """The CPU quick-start recipe on dot hands: batch 4, no validation, a
    checkpoint every epoch."""
    cfg = Config.fromfile(osp.join(REPO_ROOT, QUICKSTART_CFG))
    cfg.merge_from_dict(tiny_config_options(data_root, work_dir))
    cfg.merge_from_dict({
        'train_cfg.max_epochs': max_epochs,
        'train_cfg.val_interval': 100,
        'default_hooks.checkpoint': dict(type='CheckpointHook', interval=1),
        'param_scheduler': [dict(type='ConstantLR', factor=1.0)],
        'randomness': dict(seed=0),
        'visualizer.vis_backends': [dict(type='LocalVisBackend')],
    })
    return cfg


def flatten(obj, prefix: str = '') -> Dict[str, object]:
    """{'a.b.0.c': leaf} for nested dicts and lists (configs compared key by key)."""
    if isinstance(obj, dict):
        items = obj.items()
    elif isinstance(obj, (list, tuple)):
        items = enumerate(obj)
    else:
        return {prefix: obj}
    out = {}
    for key, value in items:
        out.update(flatten(value, f'{prefix}.{key}' if prefix else str(key)))
    return out or {prefix: obj}


def load_config(path: str) -> Config:
    """A config by its path relative to the repository root."""
    return Config.fromfile(osp.join(REPO_ROOT, path))

"""Shared fixtures: tiny generated hand data sets and a tiny model config.

The "dot hands" here are deliberately simple (21 coloured discs on a grey
background, one per keypoint) so that a small model learns them in a few dozen
iterations on a CPU; realistic synthetic hands live in
``mmpose_mlehand.datasets.synthetic`` and have their own tests.
"""
import json
import os
import os.path as osp
from typing import Dict, Tuple

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner
from mmpose.utils import register_all_modules

import mmpose_mlehand  # noqa: F401  (registers the plugin)

# Build through MMPose's registries as its runner does (default scope 'mmpose').
register_all_modules(init_default_scope=True)
torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
NUM_KEYPOINTS = 21
QUICKSTART_CFG = 'configs/quickstart/mlehand_res18-half_synthetic-freihand-96.py'
FREIHAND_SIZE = 224  # MMPose's FreiHandDataset assumes 224x224 images


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
    rng = np.random.default_rng(seed)
    os.makedirs(osp.join(root, 'images'), exist_ok=True)
    os.makedirs(osp.join(root, 'annotations'), exist_ok=True)
    image_id = 0
    for split, num in splits.items():
        images, annotations = [], []
        for kpts in random_keypoints(rng, num, FREIHAND_SIZE, margin=40):
            file_name = f'images/{image_id:05d}.png'
            cv2.imwrite(osp.join(root, file_name),
                        draw_dot_hand(kpts, (FREIHAND_SIZE, FREIHAND_SIZE)))
            images.append(dict(id=image_id, file_name=file_name,
                               width=FREIHAND_SIZE, height=FREIHAND_SIZE))
            flat = np.concatenate([kpts, np.ones((NUM_KEYPOINTS, 1))], axis=1)
            annotations.append(dict(
                id=image_id, image_id=image_id, category_id=1, iscrowd=0,
                bbox=[0, 0, FREIHAND_SIZE, FREIHAND_SIZE],
                area=FREIHAND_SIZE ** 2, segmentation=[],
                keypoints=flat.reshape(-1).tolist(), num_keypoints=NUM_KEYPOINTS))
            image_id += 1
        with open(osp.join(root, 'annotations', f'freihand_{split}.json'), 'w') as f:
            json.dump(dict(images=images, annotations=annotations,
                           categories=[dict(id=1, name='hand')]), f)
    return root


@pytest.fixture(scope='session')
def dot_freihand_root(tmp_path_factory) -> str:
    """A tiny FreiHAND-style data set: 16 train, 8 val, 8 test images."""
    root = str(tmp_path_factory.mktemp('dot_freihand'))
    return write_dot_freihand(root, dict(train=16, val=8, test=8))


def tiny_config_options(data_root: str, work_dir: str) -> Dict[str, object]:
    """Overrides that make the CPU quick-start recipe run in seconds on dot hands."""
    return {
        'work_dir': work_dir,
        'train_dataloader.dataset.data_root': data_root,
        'val_dataloader.dataset.data_root': data_root,
        'test_dataloader.dataset.data_root': data_root,
        'train_dataloader.batch_size': 4,
        'val_dataloader.batch_size': 4,
        'test_dataloader.batch_size': 4,
        'train_dataloader.num_workers': 0,
        'val_dataloader.num_workers': 0,
        'test_dataloader.num_workers': 0,
        'train_dataloader.persistent_workers': False,
        'val_dataloader.persistent_workers': False,
        'test_dataloader.persistent_workers': False,
    }


@pytest.fixture(scope='session')
def repo_root() -> str:
    """The repository's root folder (configs/, tools/ live there)."""
    return REPO_ROOT


def tiny_cfg(repo_root, data_root, work_dir, max_epochs):
    """The CPU quick-start recipe on dot hands: batch 4, no validation, a
    checkpoint every epoch."""
    cfg = Config.fromfile(osp.join(repo_root, QUICKSTART_CFG))
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


@pytest.fixture(scope='session')
def trained_checkpoint(repo_root, dot_freihand_root, tmp_path_factory):
    """One epoch (4 iterations) of the quick-start model: (work_dir, epoch_1.pth)."""
    work_dir = str(tmp_path_factory.mktemp('ckpt_run'))
    runner = Runner.from_cfg(tiny_cfg(repo_root, dot_freihand_root, work_dir, max_epochs=1))
    runner.train()
    return work_dir, osp.join(work_dir, 'epoch_1.pth')

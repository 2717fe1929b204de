"""Tiny FreiHAND and RHD trees in the official raw layouts, for converter
tests.

Each writer returns the ground truth it wrote (intrinsics, joints, mask
extents, visibility), so tests can compute the expected annotations on their
own.
"""
import importlib.util
import io
import json
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from PIL import Image

from mmpose_mlehand.hand_format import (FREIHAND_IMAGE_SIZE, HAND_SIDES, NUM_KEYPOINTS,
                                        RHD_IMAGE_SIZE)
from tests.helpers import REPO_ROOT as HELPERS_REPO_ROOT

# Keypoint rows of an RHD sample (both hands).
RHD_POINTS = len(HAND_SIDES) * NUM_KEYPOINTS

# MMPose's published RHD annotation of sample 111 (tests/data/rhd/
# test_rhd.json): left hand, keypoints (u, v) in RHD order, joints in mm, its
# focal length and its bbox.
MMPOSE_RHD_111_UV = (
    (245.8, 73.98), (170.4, 115.0), (180.4, 103.7), (194.1, 89.17),
    (220.0, 82.51), (193.0, 163.6), (194.5, 154.2), (196.7, 144.4),
    (202.4, 123.7), (208.4, 175.2), (210.7, 164.3), (211.6, 152.1),
    (215.6, 131.5), (228.1, 167.2), (228.7, 159.0), (228.2, 151.1),
    (228.7, 132.2), (248.7, 143.7), (247.7, 148.3), (246.4, 148.1),
    (244.4, 129.2))
MMPOSE_RHD_111_JOINT_CAM = (
    (117.9, -118.2, 411.0), (17.09, -73.71, 489.5), (32.54, -89.89, 477.2),
    (52.96, -110.0, 464.4), (87.96, -113.7, 438.7), (56.71, 6.141, 514.1),
    (56.76, -9.583, 492.1), (57.98, -24.7, 472.8), (64.52, -55.34, 455.5),
    (81.2, 25.46, 501.7), (81.88, 6.907, 483.4), (80.06, -12.22, 464.1),
    (83.37, -42.7, 448.0), (113.2, 11.96, 496.7), (109.1, -1.517, 475.2),
    (103.2, -13.48, 452.7), (102.0, -41.33, 443.8), (143.1, -26.25, 482.3),
    (137.0, -18.23, 467.3), (130.6, -18.05, 452.0), (124.9, -45.51, 442.1))
MMPOSE_RHD_111_FOCAL = 299.0
MMPOSE_RHD_111_BBOX = (162.5699920654297, 63.858001708984375,
                       93.96000671386719, 121.4639892578125)


def _encode(array: np.ndarray, fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format=fmt, quality=95)
    return buffer.getvalue()


def _camera(rng: np.random.Generator, focal: float, centre: float,
            num_points: int) -> Tuple[np.ndarray, np.ndarray]:
    """Intrinsics and a point cloud about 0.5 m in front of the camera."""
    K = np.array([[focal, 0, centre], [0, focal, centre], [0, 0, 1]])
    middle = np.array([rng.uniform(-0.03, 0.03), rng.uniform(-0.03, 0.03),
                       rng.uniform(0.45, 0.6)])
    return K, middle + rng.uniform(-0.04, 0.04, (num_points, 3))


def project(K: np.ndarray, xyz: np.ndarray) -> np.ndarray:
    """(N, 2) pixel coordinates of camera-frame points, one point at a time."""
    uv = []
    for point in xyz:
        u, v, w = K @ point
        uv.append((u / w, v / w))
    return np.array(uv)


@dataclass
class FreiHandTree:
    """What :func:`write_freihand` wrote.

    Attributes:
        root (Path): The FreiHAND root.
        K (np.ndarray): (n, 3, 3) training intrinsics.
        xyz (np.ndarray): (n, 21, 3) training joints.
        mask_boxes (np.ndarray): (n, 4) drawn mask extent ``x0, y0, x1, y1``
            (inclusive pixel indices).
        num_versions (int): Images per sample in ``training/rgb``.
        eval_K (np.ndarray): (m, 3, 3) evaluation intrinsics (m may be 0).
        eval_xyz (np.ndarray): (m, 21, 3) evaluation joints.
    """
    root: Path
    K: np.ndarray
    xyz: np.ndarray
    mask_boxes: np.ndarray
    num_versions: int
    eval_K: np.ndarray
    eval_xyz: np.ndarray

    @property
    def n(self) -> int:
        return len(self.xyz)


def write_freihand(root: Path,
                   n: int = 10,
                   num_versions: int = 4,
                   num_eval: int = 3,
                   seed: int = 0) -> FreiHandTree:
    """Write a FreiHAND v2 tree of FREIHAND_IMAGE_SIZE square JPEGs.

    Masks are black with one white rectangle of random extent (and faint
    background noise below the threshold); ``num_eval = 0`` writes no
    evaluation files at all.
    """
    rng = np.random.default_rng(seed)
    root = Path(root)

    def cameras(count: int) -> Tuple[np.ndarray, np.ndarray]:
        pairs = [_camera(rng, rng.uniform(450, 550), FREIHAND_IMAGE_SIZE / 2,
                         NUM_KEYPOINTS) for _ in range(count)]
        return (np.array([K for K, _ in pairs]).reshape(count, 3, 3),
                np.array([xyz for _, xyz in pairs]).reshape(count, NUM_KEYPOINTS, 3))

    K, xyz = cameras(n)
    rgb = _encode(np.full((FREIHAND_IMAGE_SIZE, FREIHAND_IMAGE_SIZE, 3), (90, 140, 60),
                          np.uint8), 'JPEG')
    (root / 'training' / 'rgb').mkdir(parents=True)
    (root / 'training' / 'mask').mkdir(parents=True)
    for i in range(n * num_versions):
        (root / 'training' / 'rgb' / f'{i:08d}.jpg').write_bytes(rgb)
    boxes = []
    for s in range(n):
        x0, y0 = rng.integers(10, 100, 2)
        x1, y1 = x0 + rng.integers(20, 110), y0 + rng.integers(20, 110)
        mask = rng.integers(0, 60, (FREIHAND_IMAGE_SIZE, FREIHAND_IMAGE_SIZE)).astype(np.uint8)
        mask[y0:y1 + 1, x0:x1 + 1] = 255
        (root / 'training' / 'mask' / f'{s:08d}.jpg').write_bytes(
            _encode(mask, 'JPEG'))
        boxes.append((x0, y0, x1, y1))
    (root / 'training_K.json').write_text(json.dumps(K.tolist()))
    (root / 'training_xyz.json').write_text(json.dumps(xyz.tolist()))
    eval_K, eval_xyz = cameras(num_eval)
    if num_eval:
        (root / 'evaluation' / 'rgb').mkdir(parents=True)
        for i in range(num_eval):
            (root / 'evaluation' / 'rgb' / f'{i:08d}.jpg').write_bytes(rgb)
        (root / 'evaluation_K.json').write_text(json.dumps(eval_K.tolist()))
        (root / 'evaluation_xyz.json').write_text(
            json.dumps(eval_xyz.tolist()))
    return FreiHandTree(root, K, xyz, np.array(boxes), num_versions, eval_K,
                        eval_xyz)


@dataclass
class RhdSpec:
    """One RHD sample to write.

    Attributes:
        left_visible (int): Visible keypoints of the left hand.
        right_visible (int): Visible keypoints of the right hand.
        left_pixels (int): Mask pixels with left-hand labels (2..17).
        right_pixels (int): Mask pixels with right-hand labels (18..33).
        size (tuple): ``(width, height)`` of the color image and mask.
        left_uv (sequence, optional): Fixed left-hand (u, v) (else projected).
        left_xyz_mm (sequence, optional): Fixed left-hand joints in mm.
        focal (float, optional): Fixed focal length.
    """
    left_visible: int
    right_visible: int
    left_pixels: int
    right_pixels: int
    size: Tuple[int, int] = (RHD_IMAGE_SIZE, RHD_IMAGE_SIZE)
    left_uv: Optional[Sequence] = None
    left_xyz_mm: Optional[Sequence] = None
    focal: Optional[float] = None


# sample id -> spec; the comments give what each protocol keeps
# (paper with min_visible 10 / mmpose).
RHD_TRAINING = {
    0: RhdSpec(NUM_KEYPOINTS, 15, 500, 300),  # both / left
    1: RhdSpec(9, 10, 100, 800),  # right / right
    2: RhdSpec(5, 3, 0, 0),  # none / left (pixel tie, more visible)
    3: RhdSpec(12, 12, 200, 200),  # both / left (full tie)
    4: RhdSpec(0, NUM_KEYPOINTS, 900, 50),  # right / none (dominant left not visible)
    5: RhdSpec(10, 11, 30, 40),  # both / right
    6: RhdSpec(3, NUM_KEYPOINTS, 0, 0),  # right / right (pixel tie, more visible)
    7: RhdSpec(20, 20, 60, 59),  # both / left
    8: RhdSpec(0, 0, 10, 20),  # none / none
    111: RhdSpec(NUM_KEYPOINTS, 12, 700, 100, left_uv=MMPOSE_RHD_111_UV,
                 left_xyz_mm=MMPOSE_RHD_111_JOINT_CAM,
                 focal=MMPOSE_RHD_111_FOCAL),  # both / left
}
RHD_EVALUATION = {
    0: RhdSpec(NUM_KEYPOINTS, 0, 400, 0),  # left / left
    1: RhdSpec(15, 15, 10, 300),  # both / right
    2: RhdSpec(2, 11, 5, 5, size=(256, 240)),  # right / right
}


@dataclass
class RhdTree:
    """What :func:`write_rhd` wrote: per split, sample id -> annotation
    (``uv_vis``, ``xyz``, ``K`` as float32 arrays) and spec."""
    root: Path
    annos: Dict[str, Dict[int, dict]] = field(default_factory=dict)
    specs: Dict[str, Dict[int, RhdSpec]] = field(default_factory=dict)


def _rhd_mask(spec: RhdSpec) -> np.ndarray:
    """Label mask with exactly the spec's left and right pixel counts."""
    width, height = spec.size
    mask = np.zeros(height * width, np.uint8)
    mask[width * 20:width * 40] = 1  # person
    left = np.arange(spec.left_pixels)
    mask[left] = 2 + left % 16
    right = width * (height // 2) + np.arange(spec.right_pixels)
    mask[right] = 18 + np.arange(spec.right_pixels) % 16
    return mask.reshape(height, width)


def _rhd_anno(rng: np.random.Generator, spec: RhdSpec) -> dict:
    """Annotation dict of one sample as the RHD pickle stores it."""
    K, xyz = _camera(rng, spec.focal or rng.uniform(260, 310), RHD_IMAGE_SIZE / 2,
                     RHD_POINTS)
    uv = project(K, xyz)
    if spec.left_uv is not None:
        uv[:NUM_KEYPOINTS] = spec.left_uv
        xyz[:NUM_KEYPOINTS] = np.array(spec.left_xyz_mm) / 1000
    visible = np.zeros(RHD_POINTS)
    for side, count in enumerate((spec.left_visible, spec.right_visible)):
        visible[NUM_KEYPOINTS * side + rng.permutation(NUM_KEYPOINTS)[:count]] = 1
    return {
        'uv_vis': np.concatenate([uv, visible[:, None]], 1).astype(np.float32),
        'xyz': xyz.astype(np.float32),
        'K': K.astype(np.float32),
    }


def write_rhd(root: Path,
              training: Optional[Dict[int, RhdSpec]] = None,
              evaluation: Optional[Dict[int, RhdSpec]] = None,
              seed: int = 0,
              protocol: int = 2) -> RhdTree:
    """Write an RHD v1.1 tree (color PNGs, label-mask PNGs, anno pickles).

    Args:
        root (Path): Where to write.
        training (dict, optional): Specs of ``training/``
            (default ``RHD_TRAINING``).
        evaluation (dict, optional): Specs of ``evaluation/``
            (default ``RHD_EVALUATION``).
        seed (int): Seed of the generated joints and visibility.
        protocol (int): Pickle protocol (2 like the Python-2 release).
    """
    rng = np.random.default_rng(seed)
    tree = RhdTree(Path(root))
    for split, specs in (('training', training or RHD_TRAINING),
                         ('evaluation', evaluation or RHD_EVALUATION)):
        folder = tree.root / split
        for sub in ('color', 'mask', 'depth'):
            (folder / sub).mkdir(parents=True)
        annos = {}
        for sample_id, spec in specs.items():
            width, height = spec.size
            color = np.full((height, width, 3), (200, 170, 150), np.uint8)
            (folder / 'color' / f'{sample_id:05d}.png').write_bytes(
                _encode(color, 'PNG'))
            (folder / 'mask' / f'{sample_id:05d}.png').write_bytes(
                _encode(_rhd_mask(spec), 'PNG'))
            annos[sample_id] = _rhd_anno(rng, spec)
        with open(folder / f'anno_{split}.pickle', 'wb') as f:
            pickle.dump(annos, f, protocol=protocol)
        tree.annos[split] = annos
        tree.specs[split] = dict(specs)
    return tree


REPO_ROOT = Path(HELPERS_REPO_ROOT)


def load_tool(name: str) -> ModuleType:
    """Import ``tools/{name}.py`` as a module (to call its ``main``)."""
    spec = importlib.util.spec_from_file_location(
        f'tool_{name}', REPO_ROOT / 'tools' / f'{name}.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def json_files(folder: Path) -> List[str]:
    """Names of the JSON files in ``folder`` (empty if it does not exist)."""
    folder = Path(folder)
    return sorted(p.name for p in folder.glob('*.json')) if folder.is_dir() \
        else []

"""Writers for the official raw FreiHAND v2 and RHD v1.1 layouts.

FreiHAND (``out_dir``)::

    training/rgb/%08d.jpg     N * versions images; image i shows sample i % N
    training/mask/%08d.jpg    N masks (255 hand, 0 elsewhere)
    training_K.json           list[N] of 3x3
    training_xyz.json         list[N] of 21x3, metres (noisy if label noise)
    training_xyz_clean.json   clean xyz, only written with label noise
    training_scale.json       list[N] of |xyz[9] - xyz[10]| (clean labels)
    evaluation/rgb/%08d.jpg   M images (one version; no masks, as released)
    evaluation_K.json, evaluation_xyz.json, evaluation_scale.json

RHD (``out_dir``)::

    {training,evaluation}/color/%05d.png   RGB
    {training,evaluation}/mask/%05d.png    uint8 part labels
    {training,evaluation}/depth/%05d.png   depth_m = (R*256 + G) / 65535
                                           * RHD_MAX_DEPTH_M (see hand_format)
    training/anno_training.pickle          {id: {'uv_vis', 'xyz', 'K'}}
    training/anno_training_clean.pickle    clean labels, only with label noise
    evaluation/anno_evaluation.pickle

Both layouts also get ``synthetic_meta.json`` (the generator's settings).
Annotation files are written atomically, after the images.
"""
import os
import pickle
import shutil
from typing import Any, Dict, Optional

import cv2
import numpy as np

from ..hand_format import RHD_MAX_DEPTH_M
from ..utils.atomic_io import atomic_open, atomic_write_json

META_FILE = 'synthetic_meta.json'
# Everything a generator run may create, per format (removed on overwrite).
LAYOUT_ENTRIES = {
    'freihand': ('training', 'evaluation', 'training_K.json',
                 'training_xyz.json', 'training_xyz_clean.json',
                 'training_scale.json', 'evaluation_K.json',
                 'evaluation_xyz.json', 'evaluation_scale.json', META_FILE),
    'rhd': ('training', 'evaluation', META_FILE),
}
PICKLE_PROTOCOL = 2  # readable by the official Python 2 scripts too


def prepare_output(out_dir: str, fmt: str, overwrite: bool = False) -> None:
    """Create the folders of a layout; refuse to mix with an earlier run.

    Args:
        out_dir (str): Dataset root.
        fmt (str): ``'freihand'`` or ``'rhd'``.
        overwrite (bool): Delete this layout's entries from ``out_dir`` first
            (only those; other files are left alone).

    Raises:
        FileExistsError: if ``out_dir`` already holds entries of the layout and
            ``overwrite`` is False (stale images would mix with new ones).
    """
    if fmt not in LAYOUT_ENTRIES:
        raise ValueError(f'format must be one of {tuple(LAYOUT_ENTRIES)}, '
                         f'got {fmt!r}')
    existing = [e for e in LAYOUT_ENTRIES[fmt]
                if os.path.lexists(os.path.join(out_dir, e))]
    if existing and not overwrite:
        raise FileExistsError(
            f'{out_dir} already contains {", ".join(existing)}; choose an '
            'empty folder or pass overwrite')
    for entry in existing:
        path = os.path.join(out_dir, entry)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        else:
            os.remove(path)
    folders = (('rgb', 'mask') if fmt == 'freihand' else
               ('color', 'mask', 'depth'))
    for split in ('training', 'evaluation'):
        for folder in folders:
            if fmt == 'freihand' and split == 'evaluation' and folder == 'mask':
                continue
            os.makedirs(os.path.join(out_dir, split, folder), exist_ok=True)


def _imwrite(path: str, image: np.ndarray, params=()) -> None:
    bgr = image[..., ::-1] if image.ndim == 3 else image
    if not cv2.imwrite(path, np.ascontiguousarray(bgr), list(params)):
        raise OSError(f'could not write {path}')


def write_freihand_images(out_dir: str, split: str, index: int,
                          num_samples: int, images, qualities,
                          mask: Optional[np.ndarray]) -> None:
    """Write the versions of one sample (and its mask for training).

    Args:
        out_dir (str): Dataset root.
        split (str): ``'training'`` or ``'evaluation'``.
        index (int): Unique sample id.
        num_samples (int): Unique samples in the split (version stride).
        images (list): RGB uint8 images, one per version.
        qualities (list): JPEG quality per version.
        mask (np.ndarray, optional): uint8 mask (0/255), training only.
    """
    for version, (image, quality) in enumerate(zip(images, qualities)):
        name = f'{index + version * num_samples:08d}.jpg'
        _imwrite(os.path.join(out_dir, split, 'rgb', name), image,
                 (cv2.IMWRITE_JPEG_QUALITY, int(quality)))
    if mask is not None:
        _imwrite(os.path.join(out_dir, split, 'mask', f'{index:08d}.jpg'), mask,
                 (cv2.IMWRITE_JPEG_QUALITY, 95))


def _freihand_scale(xyz: np.ndarray) -> list:
    # Length of the middle-finger proximal phalanx, as in training_scale.json.
    return [float(np.linalg.norm(p[9] - p[10])) for p in xyz]


def write_freihand_annotations(out_dir: str, split: str, K: np.ndarray,
                               xyz: np.ndarray,
                               clean_xyz: Optional[np.ndarray] = None) -> None:
    """Write ``{split}_K.json``, ``{split}_xyz.json`` and ``{split}_scale.json``.

    Args:
        out_dir (str): Dataset root.
        split (str): ``'training'`` or ``'evaluation'``.
        K (np.ndarray): (N, 3, 3) intrinsics.
        xyz (np.ndarray): (N, 21, 3) keypoints to publish (noisy or clean).
        clean_xyz (np.ndarray, optional): Clean keypoints when ``xyz`` is
            noisy; written as ``{split}_xyz_clean.json``.
    """
    clean = xyz if clean_xyz is None else clean_xyz
    atomic_write_json(os.path.join(out_dir, f'{split}_K.json'),
                      np.asarray(K, np.float64).tolist())
    atomic_write_json(os.path.join(out_dir, f'{split}_xyz.json'),
                      np.asarray(xyz, np.float64).tolist())
    if clean_xyz is not None:
        atomic_write_json(os.path.join(out_dir, f'{split}_xyz_clean.json'),
                          np.asarray(clean_xyz, np.float64).tolist())
    atomic_write_json(os.path.join(out_dir, f'{split}_scale.json'),
                      _freihand_scale(np.asarray(clean, np.float64)))


def encode_rhd_depth(depth_m: np.ndarray) -> np.ndarray:
    """Depth in metres to RHD's RGB coding (R high byte, G low byte, B 0).

    Depths beyond ``hand_format.RHD_MAX_DEPTH_M`` are clipped to it.
    """
    code = np.round(np.clip(depth_m, 0, RHD_MAX_DEPTH_M) / RHD_MAX_DEPTH_M
                    * 65535).astype(np.uint32)
    rgb = np.zeros((*code.shape, 3), np.uint8)
    rgb[..., 0] = code >> 8
    rgb[..., 1] = code & 255
    return rgb


def decode_rhd_depth(rgb: np.ndarray) -> np.ndarray:
    """RHD's official decoding: ``(R * 256 + G) / 65535 * RHD_MAX_DEPTH_M`` metres."""
    rgb = np.asarray(rgb, np.float64)
    return (rgb[..., 0] * 256 + rgb[..., 1]) / 65535 * RHD_MAX_DEPTH_M


def write_rhd_images(out_dir: str, split: str, index: int, image: np.ndarray,
                     mask: np.ndarray, depth_m: np.ndarray) -> None:
    """Write ``color``, ``mask`` and ``depth`` PNGs of one sample."""
    name = f'{index:05d}.png'
    _imwrite(os.path.join(out_dir, split, 'color', name), image)
    _imwrite(os.path.join(out_dir, split, 'mask', name), mask)
    _imwrite(os.path.join(out_dir, split, 'depth', name),
             encode_rhd_depth(depth_m))


def rhd_annotation_dict(K: np.ndarray, xyz: np.ndarray,
                        uv_vis: np.ndarray) -> Dict[int, Dict[str, np.ndarray]]:
    """RHD's ``anno_all``: {sample id: {'uv_vis', 'xyz', 'K'}} of arrays."""
    return {
        i: {'uv_vis': np.asarray(uv_vis[i], np.float64),
            'xyz': np.asarray(xyz[i], np.float64),
            'K': np.asarray(K[i], np.float64)}
        for i in range(len(K))
    }


def _write_pickle(path: str, obj: Any) -> None:
    with atomic_open(path, 'wb') as f:
        pickle.dump(obj, f, protocol=PICKLE_PROTOCOL)


def write_rhd_annotations(out_dir: str, split: str, K: np.ndarray,
                          xyz: np.ndarray, uv_vis: np.ndarray,
                          clean: Optional[Dict[int, Dict[str, np.ndarray]]]
                          = None) -> None:
    """Write ``{split}/anno_{split}.pickle`` (and the clean labels if given).

    Args:
        out_dir (str): Dataset root.
        split (str): ``'training'`` or ``'evaluation'``.
        K (np.ndarray): (N, 3, 3) intrinsics.
        xyz (np.ndarray): (N, 42, 3) keypoints (noisy or clean).
        uv_vis (np.ndarray): (N, 42, 3) u, v, visible.
        clean (dict, optional): Clean annotation dict when the labels are
            noisy; written as ``anno_{split}_clean.pickle``.
    """
    _write_pickle(os.path.join(out_dir, split, f'anno_{split}.pickle'),
                  rhd_annotation_dict(K, xyz, uv_vis))
    if clean is not None:
        _write_pickle(
            os.path.join(out_dir, split, f'anno_{split}_clean.pickle'), clean)


def write_meta(out_dir: str, meta: Dict[str, Any]) -> None:
    """Write the generator settings to ``synthetic_meta.json``."""
    atomic_write_json(os.path.join(out_dir, META_FILE), meta, indent=2,
                      sort_keys=True)

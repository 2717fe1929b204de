"""FreiHAND v2 raw release -> MMPose ``FreiHandDataset`` annotation dicts.

Input (``root``)::

    training/rgb/%08d.jpg     n, 2n, 3n or 4n images (versions of the samples)
    training/mask/%08d.jpg    n masks (needed for ``bbox='mask'`` only)
    training_K.json           n 3x3 intrinsics
    training_xyz.json         n 21x3 camera-frame joints (metres)
    evaluation/rgb/%08d.jpg   optional: m images
    evaluation_K.json         optional: m 3x3
    evaluation_xyz.json       optional: m 21x3 (its presence enables the
                              evaluation output)

``n`` is the length of ``training_xyz.json`` (32,560 in the release). Image
``i`` of ``training/rgb`` shows unique sample ``i % n``.

Output (file name -> COCO dict): ``freihand_train.json``,
``freihand_val.json``, ``freihand_test.json`` and, when the evaluation ground
truth is present, ``freihand_eval.json``.

- Keypoints: ``uvw = K @ xyz.T``, ``(u, v) = uvw[:2] / uvw[2]`` in FreiHAND
  order, all marked visible (v = 1; FreiHAND has no visibility).
- Ids: image id = annotation id = image index ``i`` (index into
  ``evaluation/rgb`` for the evaluation file); ``file_name`` is
  ``training/rgb/%08d.jpg`` or ``evaluation/rgb/%08d.jpg``; width and height
  come from the image header.
- Boxes: ``'mask'`` is the tight integer box ``[x_min, y_min, x_max - x_min
  + 1, y_max - y_min + 1]`` of the pixels > 127 of ``training/mask/%08d.jpg``
  of the sample (as in MMPose's files); ``'keypoints'`` (and always for
  evaluation images, which have no mask) is the keypoint extent scaled 1.2x
  about its centre (float). ``area = w * h``; ``segmentation`` is MMPose's
  8-point rectangle polygon of the box. MMPose's ``FreiHandDataset`` itself
  uses the whole image as the box.
- Label-noise experiments: when ``training_xyz_clean.json`` exists (written
  by the synthetic generator next to its noisy ``training_xyz.json``), the
  val and test files take their keypoints from it; train keeps the noisy ones.
"""
import os
from typing import Dict, List, Optional, Tuple

import numpy as np

from ..hand_format import (FREIHAND_BONES, FREIHAND_CLEAN_TRAINING_XYZ, FREIHAND_KEYPOINT_NAMES,
                           FREIHAND_NUM_VERSIONS, MASK_THRESHOLD, NUM_KEYPOINTS, keypoint_bbox,
                           rectangle_segmentation)
from ..utils.progress import progress_bar
from .common import (HAND_CATEGORY_ID, ConversionError, ConversionResult, as_array, check_in_front,
                     coco_dataset, image_size, load_json, numbered_files, read_image, require_dir,
                     seeded_split)

BBOX_MODES = ('mask', 'keypoints')
VAL_FRACTION = 0.1
TEST_FRACTION = 0.1

SPLIT_RULE = (
    'Split: the n unique samples are shuffled with '
    'numpy.random.default_rng(seed).permutation(n); n_val = n_test = '
    'int(round(0.1 * n)) (Python round, half to even), n_train = n - n_val - '
    'n_test; train takes the first n_train permuted samples, val the next '
    'n_val, test the last n_test. All versions of a sample (images i with '
    'i % n = sample) go to the sample\'s split; each file lists its images by '
    'ascending index.')

_ImageAnn = Tuple[dict, dict]


def _load_stack(path: str, shape: Tuple[int, ...], what: str) -> np.ndarray:
    """Load a JSON list of per-sample arrays as one (N, *shape) array."""
    data = load_json(path, what)
    if not isinstance(data, list):
        raise ConversionError(f'{path}: expected a JSON list with one '
                              f'{"x".join(map(str, shape))} entry per sample, '
                              f'got {type(data).__name__}')
    return np.stack([
        as_array(item, shape, path, f'sample {i}')
        for i, item in enumerate(data)
    ]) if data else np.zeros((0, ) + shape)


def _load_keypoints(root: str, prefix: str,
                    xyz_name: Optional[str] = None) -> np.ndarray:
    """(N, 21, 2) keypoints projected from ``{prefix}_xyz.json`` (or
    ``xyz_name``) with ``{prefix}_K.json``, checked for shape, finiteness,
    depth and counts."""
    k_path = os.path.join(root, f'{prefix}_K.json')
    xyz_path = os.path.join(root, xyz_name or f'{prefix}_xyz.json')
    xyz = _load_stack(xyz_path, (NUM_KEYPOINTS, 3),
                      'per-sample 21x3 camera-frame joints')
    K = _load_stack(k_path, (3, 3), 'per-sample 3x3 intrinsics')
    if len(K) != len(xyz):
        raise ConversionError(
            f'{k_path}: {len(K)} samples but {xyz_path} has {len(xyz)}; '
            f'expected one K per sample')
    if not len(xyz):
        raise ConversionError(f'{xyz_path}: no samples')
    for i, points in enumerate(xyz):
        check_in_front(points, xyz_path, f'sample {i}')
    uvw = np.matmul(K, xyz.transpose(0, 2, 1)).transpose(0, 2, 1)
    bad = np.argwhere(uvw[..., 2] <= 0)
    if bad.size:
        i, j = bad[0]
        raise ConversionError(
            f'{k_path}: sample {i}: K maps keypoint {j} to depth '
            f'{uvw[i, j, 2]} <= 0; expected a camera matrix with last row '
            f'[0, 0, 1]')
    return uvw[..., :2] / uvw[..., 2:3]


def _image_count(folder: str, n: int) -> int:
    """Number of images in ``training/rgb``: all of ``0..count-1`` present,
    ``count`` one of n, 2n, 3n, 4n."""
    indices = numbered_files(folder, 8, 'jpg')
    if not indices:
        raise ConversionError(f'{folder}: no %08d.jpg images')
    missing = sorted(set(range(indices[-1] + 1)) - set(indices))
    if missing:
        i = missing[0]
        raise ConversionError(
            f'{os.path.join(folder, f"{i:08d}.jpg")}: missing image (sample '
            f'{i % n}, version {i // n}); images up to '
            f'{indices[-1]:08d}.jpg exist')
    count = len(indices)
    if count % n or count // n > FREIHAND_NUM_VERSIONS:
        raise ConversionError(
            f'{folder}: holds {count} images but the annotations have n = {n} '
            f'samples; expected n, 2n, 3n or 4n images')
    return count


def _mask_bbox(path: str, sample: int) -> List[int]:
    """Tight integer box of the mask pixels above ``MASK_THRESHOLD``."""
    mask = read_image(path, f'mask of sample {sample}', mode='L')
    hand = mask > MASK_THRESHOLD
    cols = np.flatnonzero(hand.any(axis=0))
    rows = np.flatnonzero(hand.any(axis=1))
    if not cols.size:
        raise ConversionError(
            f'{path}: mask of sample {sample} has no pixel > '
            f'{MASK_THRESHOLD}; expected the hand silhouette (or use '
            f'bbox="keypoints")')
    x0, x1, y0, y1 = int(cols[0]), int(cols[-1]), int(rows[0]), int(rows[-1])
    return [x0, y0, x1 - x0 + 1, y1 - y0 + 1]


def _instance(index: int, file_name: str, size: Tuple[int, int],
              uv: np.ndarray, bbox: list) -> _ImageAnn:
    """Image entry and annotation of one FreiHAND image."""
    image = {
        'id': index,
        'file_name': file_name,
        'width': size[0],
        'height': size[1],
    }
    ann = {
        'id': index,
        'image_id': index,
        'category_id': HAND_CATEGORY_ID,
        'iscrowd': 0,
        'bbox': bbox,
        'area': bbox[2] * bbox[3],
        'segmentation': rectangle_segmentation(bbox),
        'keypoints': [c for x, y in uv.tolist() for c in (x, y, 1)],
        'num_keypoints': len(uv),
    }
    return image, ann


def _dataset(info: dict, pairs: List[_ImageAnn]) -> dict:
    """COCO dict of (image, annotation) pairs in FreiHAND order."""
    return coco_dataset(info, FREIHAND_KEYPOINT_NAMES, FREIHAND_BONES,
                        [image for image, _ in pairs],
                        [ann for _, ann in pairs])


def _convert_training(root: str, bbox: str, show: bool
                      ) -> Tuple[int, List[_ImageAnn], List[_ImageAnn]]:
    """Unique-sample count and (image, annotation) of every training image,
    with the published labels and with the clean labels (the same pairs when
    there is no ``training_xyz_clean.json``)."""
    rgb_dir = os.path.join(root, 'training', 'rgb')
    require_dir(rgb_dir, 'training images %08d.jpg')
    uv = _load_keypoints(root, 'training')
    n = len(uv)
    clean_uv = uv
    if os.path.isfile(os.path.join(root, FREIHAND_CLEAN_TRAINING_XYZ)):
        clean_uv = _load_keypoints(root, 'training', FREIHAND_CLEAN_TRAINING_XYZ)
        if len(clean_uv) != n:
            raise ConversionError(
                f'{os.path.join(root, FREIHAND_CLEAN_TRAINING_XYZ)}: {len(clean_uv)} '
                f'samples, expected {n} as in training_xyz.json')
    count = _image_count(rgb_dir, n)
    if bbox == 'mask':
        mask_dir = os.path.join(root, 'training', 'mask')
        require_dir(mask_dir,
                    'training masks %08d.jpg, needed for bbox="mask"')
        boxes = clean_boxes = []
        with progress_bar('freihand training', n, show, unit='masks') as advance:
            for s in range(n):
                boxes.append(_mask_bbox(os.path.join(mask_dir, f'{s:08d}.jpg'), s))
                advance(1)
    else:
        boxes = [list(keypoint_bbox(points)) for points in uv]
        clean_boxes = [list(keypoint_bbox(points)) for points in clean_uv]
    pairs, clean_pairs = [], []
    with progress_bar('freihand training', count, show, unit='images') as advance:
        for i in range(count):
            file_name = f'training/rgb/{i:08d}.jpg'
            size = image_size(
                os.path.join(root, file_name), f'sample {i % n}, version {i // n}')
            pairs.append(_instance(i, file_name, size, uv[i % n], boxes[i % n]))
            if clean_uv is not uv:
                clean_pairs.append(_instance(i, file_name, size, clean_uv[i % n],
                                             clean_boxes[i % n]))
            advance(1)
    return n, pairs, (clean_pairs if clean_uv is not uv else pairs)


def _convert_evaluation(root: str, show: bool) -> List[_ImageAnn]:
    """(image, annotation) of every official evaluation image."""
    rgb_dir = os.path.join(root, 'evaluation', 'rgb')
    require_dir(rgb_dir, 'evaluation images %08d.jpg')
    uv = _load_keypoints(root, 'evaluation')
    count = len(numbered_files(rgb_dir, 8, 'jpg'))
    pairs = []
    with progress_bar('freihand evaluation', len(uv), show, unit='images') as advance:
        for i in range(len(uv)):
            file_name = f'evaluation/rgb/{i:08d}.jpg'
            size = image_size(os.path.join(root, file_name), f'evaluation sample {i}')
            pairs.append(_instance(i, file_name, size, uv[i], list(keypoint_bbox(uv[i]))))
            advance(1)
    if count != len(uv):
        raise ConversionError(
            f'{rgb_dir}: holds {count} images but '
            f'{os.path.join(root, "evaluation_xyz.json")} has {len(uv)} '
            f'samples; expected one image per sample')
    return pairs


def convert_freihand(root: str,
                     seed: int = 0,
                     bbox: str = 'mask',
                     progress: bool = True) -> ConversionResult:
    """Convert a FreiHAND v2 tree into MMPose annotation dicts (in memory).

    Everything is read and checked before anything is returned, so a caller
    that writes only on success writes nothing for bad input.

    Args:
        root (str): Folder holding ``training/``, ``training_K.json``,
            ``training_xyz.json`` and optionally the evaluation files.
        seed (int): Seed of the 8:1:1 split (see ``SPLIT_RULE``).
        bbox (str): ``'mask'`` or ``'keypoints'`` for training images.
        progress (bool): Print progress lines to stderr.

    Returns:
        ConversionResult: ``files`` maps ``freihand_{train,val,test}.json``
        (and ``freihand_eval.json`` when ``evaluation_xyz.json`` exists) to
        COCO dicts.

    Raises:
        ConversionError: For any bad input; the message names the file and
            the sample.
    """
    if bbox not in BBOX_MODES:
        raise ConversionError(
            f'bbox must be one of {BBOX_MODES}, got {bbox!r}')
    require_dir(root, 'FreiHAND root with training/ and training_*.json')
    n, pairs, clean_pairs = _convert_training(root, bbox, progress)
    info = {'description': 'FreiHAND v2', 'seed': seed, 'bbox': bbox,
            'num_samples': n, 'num_versions': len(pairs) // n}
    files: Dict[str, dict] = {}
    for split, samples in zip(('train', 'val', 'test'),
                              seeded_split(n, seed, VAL_FRACTION,
                                           TEST_FRACTION)):
        in_split = np.zeros(n, dtype=bool)
        in_split[samples] = True
        # Model selection and testing measure against clean labels.
        source = pairs if split == 'train' else clean_pairs
        files[f'freihand_{split}.json'] = _dataset(
            dict(info, split=split),
            [pair for i, pair in enumerate(source) if in_split[i % n]])
    result = ConversionResult(files)
    if clean_pairs is not pairs:
        result.notes.append(f'val and test keypoints from {FREIHAND_CLEAN_TRAINING_XYZ} '
                            '(clean labels of a label-noise experiment)')
    if os.path.isfile(os.path.join(root, 'evaluation_xyz.json')):
        files['freihand_eval.json'] = _dataset(
            {'description': 'FreiHAND v2 official evaluation set',
             'split': 'evaluation', 'bbox': 'keypoints'},
            _convert_evaluation(root, progress))
    else:
        result.notes.append('no evaluation ground truth (evaluation_xyz.json):'
                            ' freihand_eval.json not written')
    return result

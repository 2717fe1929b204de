"""RHD v1.1 raw release -> MMPose ``Rhd2DDataset`` annotation dicts.

Input (``root``)::

    training/color/%05d.png           one image per pickle entry
    training/mask/%05d.png            label masks (needed for 'mmpose' only)
    training/anno_training.pickle     {sample_id: {'uv_vis': 42x3,
                                                   'xyz': 42x3, 'K': 3x3}}
    evaluation/color|mask/%05d.png, evaluation/anno_evaluation.pickle

Rows 0-20 of ``uv_vis``/``xyz`` are the left hand, 21-41 the right hand.

Output (file name -> COCO dict): ``rhd_train.json`` and ``rhd_val.json``
(from ``training/``) and ``rhd_test.json`` (from ``evaluation/``).

Protocols:

- ``'paper'``: one instance per hand with at least ``min_visible`` visible
  keypoints (both hands of an image may be kept); annotation id
  ``2 * sample_id + side`` (side 0 left, 1 right).
- ``'mmpose'``: one instance per image, the dominant hand by mask pixels
  (left labels 2..17, right 18..33; ties: more visible keypoints, then left);
  annotation id = sample id; the image is dropped if that hand has no visible
  keypoint.

Both: image id = sample id; keypoints in RHD's own order (not reordered),
``v = 1`` where ``uv_vis[:, 2] == 1`` else 0; ``bbox`` = ``keypoint_bbox`` of
all 21 keypoints of the hand (float, not clipped), ``area = w * h``;
``hand_type``, ``joint_cam`` (xyz in mm) and the image's ``cam_param``
(``focal``, ``princpt``) as in MMPose's files; width and height from the
image. Images without a kept hand are left out of the files.

Label-noise experiments: when ``training/anno_training_clean.pickle`` exists
(written by the synthetic generator next to its noisy labels), ``rhd_val.json``
takes its keypoints from it; ``rhd_train.json`` keeps the noisy ones.

The pickles are read with :func:`load_rhd_pickle`, which refuses anything but
numpy arrays (a pickle can run code when loaded).
"""
import io
import os
import pickle
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Tuple

import numpy as np

from ..hand_format import (FREIHAND_BONES, FREIHAND_KEYPOINT_NAMES, HAND_SIDES, NUM_KEYPOINTS,
                           RHD_CLEAN_TRAINING_ANNO, RHD_MASK_LEFT_RANGE, RHD_MASK_RIGHT_RANGE,
                           RHD_TO_FREIHAND, keypoint_bbox)
from ..utils.progress import progress_bar
from .common import (HAND_CATEGORY_ID, ConversionError, ConversionResult, as_array, check_in_front,
                     coco_dataset, image_size, numbered_files, read_image, require_dir,
                     require_file, seeded_split)

PROTOCOLS = ('paper', 'mmpose')

SPLIT_RULE = (
    'Validation split: the training sample ids, sorted, are shuffled with '
    'numpy.random.default_rng(seed).permutation(N); n_val = '
    'int(round(val_fraction * N)) (Python round, half to even); the last '
    'n_val permuted images form rhd_val.json, the rest rhd_train.json (both '
    'hands of an image stay together; images without a kept hand are left '
    'out). rhd_test.json is the official evaluation set.')

# RHD keypoint i is FreiHAND keypoint RHD_TO_FREIHAND[i] (the map is its own
# inverse), so names and bones follow from the FreiHAND ones.
RHD_KEYPOINT_NAMES = tuple(FREIHAND_KEYPOINT_NAMES[j] for j in RHD_TO_FREIHAND)
RHD_BONES = tuple(
    (RHD_TO_FREIHAND[a], RHD_TO_FREIHAND[b]) for a, b in FREIHAND_BONES)

# Per-sample fields of the pickles: both hands' keypoints, then K.
_ANNO_FIELDS = {'uv_vis': (len(HAND_SIDES) * NUM_KEYPOINTS, 3),
                'xyz': (len(HAND_SIDES) * NUM_KEYPOINTS, 3),
                'K': (3, 3)}


def _latin1_encode(text: str, encoding: str) -> bytes:
    """``_codecs.encode`` restricted to what pickle protocols 0-2 use for
    bytes (``encode(str, 'latin1')``)."""
    if not isinstance(text, str) or encoding not in ('latin1', 'latin-1'):
        raise pickle.UnpicklingError(
            f'_codecs.encode is allowed only as encode(str, "latin1"), got '
            f'encoding {encoding!r}')
    return text.encode('latin1')


def _allowed_globals() -> Dict[Tuple[str, str], Callable]:
    """What unpickling numpy arrays and scalars needs, under the module names
    of numpy 1.x (``numpy.core``) and 2.x (``numpy._core``)."""
    try:
        from numpy._core import multiarray, numeric  # numpy >= 2
    except ImportError:
        from numpy.core import multiarray, numeric  # numpy 1.x
    allowed = {
        ('numpy', 'ndarray'): np.ndarray,
        ('numpy', 'dtype'): np.dtype,
        ('_codecs', 'encode'): _latin1_encode,
    }
    for core in ('numpy.core', 'numpy._core'):
        allowed[(f'{core}.multiarray', '_reconstruct')] = \
            multiarray._reconstruct
        allowed[(f'{core}.multiarray', 'scalar')] = multiarray.scalar
        # protocol 5 pickles arrays through _frombuffer
        allowed[(f'{core}.numeric', '_frombuffer')] = numeric._frombuffer
    return allowed


class _NumpyOnlyUnpickler(pickle.Unpickler):
    """Unpickler that resolves only the globals numpy arrays need.

    Any other global (``os.system``, ``builtins.eval``, ...) is refused before
    it can be called, so a malicious pickle cannot run code.
    """

    def __init__(self, file: io.BufferedReader, path: str) -> None:
        super().__init__(file, encoding='latin1')
        self._path = path
        self._allowed = _allowed_globals()

    def find_class(self, module: str, name: str) -> Any:
        try:
            return self._allowed[(module, name)]
        except KeyError:
            raise ConversionError(
                f'{self._path}: refused to unpickle {module}.{name}: an RHD '
                f'annotation pickle may only hold dicts, numbers and numpy '
                f'arrays (the file is malicious or not an RHD pickle)'
            ) from None


def load_rhd_pickle(path: str) -> Dict[int, dict]:
    """Load an RHD annotation pickle safely.

    Only numpy arrays, numbers and builtin containers can be unpickled; the
    bytes are decoded as latin1 (the release was written by Python 2).

    Args:
        path (str): ``anno_training.pickle`` or ``anno_evaluation.pickle``.

    Returns:
        dict: ``{sample_id: {'uv_vis', 'xyz', 'K'}}`` as stored (not yet
        validated beyond the top-level type).

    Raises:
        ConversionError: Missing, truncated or malformed file, a refused
            global, or a top level that is not a dict keyed by sample id.
    """
    require_file(path, 'RHD annotation pickle')
    try:
        with open(path, 'rb') as f:
            data = _NumpyOnlyUnpickler(f, path).load()
    except ConversionError:
        raise
    # A truncated or malformed pickle raises many exception types
    # (EOFError, UnpicklingError, ValueError, TypeError, IndexError, ...).
    except Exception as exc:
        raise ConversionError(
            f'{path}: truncated or malformed pickle: '
            f'{type(exc).__name__}: {exc}') from exc
    if not isinstance(data, dict):
        raise ConversionError(f'{path}: expected a dict keyed by sample id, '
                              f'got {type(data).__name__}')
    for key in data:
        if isinstance(key, bool) or not isinstance(key, (int, np.integer)) \
                or key < 0:
            raise ConversionError(
                f'{path}: expected non-negative integer sample ids as keys, '
                f'got {key!r}')
    return {int(key): value for key, value in data.items()}


@dataclass
class _Sample:
    """Converted image of one sample and why hands or the image were left
    out."""
    image: dict
    annotations: List[dict]
    dropped: Dict[str, int] = field(default_factory=dict)


def _hand_pixels(mask: np.ndarray) -> Tuple[int, int]:
    """Mask pixel counts of the left and right hand labels."""
    return tuple(
        int(np.count_nonzero((mask >= low) & (mask <= high)))
        for low, high in (RHD_MASK_LEFT_RANGE, RHD_MASK_RIGHT_RANGE))


def _annotation(sample_id: int, side: int, ann_id: int, uv_vis: np.ndarray,
                xyz: np.ndarray) -> dict:
    """One hand instance in MMPose's RHD layout."""
    rows = slice(side * NUM_KEYPOINTS, (side + 1) * NUM_KEYPOINTS)
    hand = uv_vis[rows]
    visible = hand[:, 2] == 1
    bbox = list(keypoint_bbox(hand[:, :2]))
    return {
        'id': ann_id,
        'image_id': sample_id,
        'category_id': HAND_CATEGORY_ID,
        'iscrowd': 0,
        'bbox': bbox,
        'area': bbox[2] * bbox[3],
        'keypoints': [
            c for (x, y), v in zip(hand[:, :2].tolist(), visible.tolist())
            for c in (x, y, int(v))
        ],
        'num_keypoints': int(visible.sum()),
        'hand_type': HAND_SIDES[side],
        'joint_cam': (xyz[rows] * 1000).tolist(),
    }


def _convert_sample(root: str, split: str, anno_path: str, sample_id: int,
                    anno: Any, protocol: str, min_visible: int) -> _Sample:
    """Check one sample's annotation and images and build its instances."""
    what = f'sample {sample_id}'
    if not isinstance(anno, dict):
        raise ConversionError(f'{anno_path}: {what}: expected a dict with '
                              f'{sorted(_ANNO_FIELDS)}, got '
                              f'{type(anno).__name__}')
    fields = {}
    for key, shape in _ANNO_FIELDS.items():
        if key not in anno:
            raise ConversionError(f'{anno_path}: {what}: missing {key!r}')
        fields[key] = as_array(anno[key], shape, anno_path, f'{what} {key!r}')
    uv_vis, xyz, K = fields['uv_vis'], fields['xyz'], fields['K']
    check_in_front(xyz, anno_path, f'{what} \'xyz\'')
    file_name = f'{split}/color/{sample_id:05d}.png'
    width, height = image_size(os.path.join(root, file_name), what)
    image = {
        'id': sample_id,
        'file_name': file_name,
        'width': width,
        'height': height,
        'cam_param': {
            'focal': [float(K[0, 0]), float(K[1, 1])],
            'princpt': [float(K[0, 2]), float(K[1, 2])],
        },
    }
    num_visible = [
        int((uv_vis[side * NUM_KEYPOINTS:(side + 1) * NUM_KEYPOINTS, 2] == 1)
            .sum()) for side in range(len(HAND_SIDES))
    ]
    sample = _Sample(image, [])
    if protocol == 'paper':
        for side, count in enumerate(num_visible):
            if count >= min_visible:
                sample.annotations.append(
                    _annotation(sample_id, side, 2 * sample_id + side, uv_vis,
                                xyz))
            else:
                reason = f'hands with < {min_visible} visible keypoints'
                sample.dropped[reason] = sample.dropped.get(reason, 0) + 1
        if not sample.annotations:
            sample.dropped['images with no hand kept'] = 1
        return sample
    mask_path = os.path.join(root, split, 'mask', f'{sample_id:05d}.png')
    mask = read_image(mask_path, f'mask of {what}')
    if mask.shape != (height, width):
        raise ConversionError(
            f'{mask_path}: mask of {what} has shape {mask.shape}; expected a '
            f'single-channel label image of {height}x{width} like its color '
            f'image')
    pixels = _hand_pixels(mask)
    # dominant hand: more mask pixels, then more visible keypoints, then left
    side = max(range(len(HAND_SIDES)),
               key=lambda s: (pixels[s], num_visible[s], -s))
    if num_visible[side]:
        sample.annotations.append(
            _annotation(sample_id, side, sample_id, uv_vis, xyz))
    else:
        sample.dropped[
            'images whose dominant hand has no visible keypoint'] = 1
    return sample


def _convert_split(root: str, split: str, protocol: str, min_visible: int,
                   show: bool, anno_name: Optional[str] = None
                   ) -> Dict[int, _Sample]:
    """Every sample of ``training`` or ``evaluation``, by sample id, with the
    labels of ``anno_<split>.pickle`` (or ``anno_name``)."""
    folder = os.path.join(root, split)
    require_dir(folder, f'RHD {split} split')
    color_dir = os.path.join(folder, 'color')
    require_dir(color_dir, 'color images %05d.png')
    if protocol == 'mmpose':
        require_dir(os.path.join(folder, 'mask'),
                    'label masks %05d.png, needed for protocol "mmpose"')
    anno_path = os.path.join(folder, anno_name or f'anno_{split}.pickle')
    annos = load_rhd_pickle(anno_path)
    samples = {}
    with progress_bar(f'rhd {split}', len(annos), show, unit='samples') as advance:
        for sample_id in sorted(annos):
            samples[sample_id] = _convert_sample(root, split, anno_path, sample_id,
                                                 annos[sample_id], protocol, min_visible)
            advance(1)
    count = len(numbered_files(color_dir, 5, 'png'))
    if count != len(annos):
        raise ConversionError(
            f'{color_dir}: holds {count} images but {anno_path} has '
            f'{len(annos)} samples; expected one image per sample')
    return samples


def _dataset(info: dict, samples: List[_Sample]) -> Tuple[dict, dict]:
    """COCO dict of the samples with a kept hand, and the summed drops."""
    dropped: Dict[str, int] = {}
    for sample in samples:
        for reason, count in sample.dropped.items():
            dropped[reason] = dropped.get(reason, 0) + count
    kept = [sample for sample in samples if sample.annotations]
    data = coco_dataset(info, RHD_KEYPOINT_NAMES, RHD_BONES,
                        [sample.image for sample in kept],
                        [ann for sample in kept for ann in sample.annotations])
    return data, dropped


def convert_rhd(root: str,
                protocol: str = 'paper',
                min_visible: int = 10,
                val_fraction: float = 0.1,
                seed: int = 0,
                progress: bool = True) -> ConversionResult:
    """Convert an RHD v1.1 tree into MMPose annotation dicts (in memory).

    Everything is read and checked before anything is returned, so a caller
    that writes only on success writes nothing for bad input.

    Args:
        root (str): Folder holding ``training/`` and ``evaluation/``.
        protocol (str): ``'paper'`` or ``'mmpose'`` (see the module doc).
        min_visible (int): Visible keypoints a hand needs under ``'paper'``
            (1..21).
        val_fraction (float): Fraction of training images for
            ``rhd_val.json``, in [0, 1) (see ``SPLIT_RULE``).
        seed (int): Seed of the validation split.
        progress (bool): Print progress lines to stderr.

    Returns:
        ConversionResult: ``files`` maps ``rhd_train.json``, ``rhd_val.json``
        and ``rhd_test.json`` to COCO dicts; ``dropped`` says what was left
        out of each and why.

    Raises:
        ConversionError: For any bad input; the message names the file and
            the sample.
    """
    if protocol not in PROTOCOLS:
        raise ConversionError(
            f'protocol must be one of {PROTOCOLS}, got {protocol!r}')
    if not 1 <= min_visible <= NUM_KEYPOINTS:
        raise ConversionError(
            f'min_visible must be in 1..{NUM_KEYPOINTS}, got {min_visible}')
    if not 0 <= val_fraction < 1:  # checked before the long read
        raise ConversionError(
            f'val_fraction must be in [0, 1), got {val_fraction}')
    require_dir(root, 'RHD root with training/ and evaluation/')
    training = _convert_split(root, 'training', protocol, min_visible,
                              progress)
    evaluation = _convert_split(root, 'evaluation', protocol, min_visible,
                                progress)
    # Label-noise experiments: select models on the clean labels.
    clean_path = os.path.join(root, 'training', RHD_CLEAN_TRAINING_ANNO)
    validation = training
    if os.path.isfile(clean_path):
        validation = _convert_split(root, 'training', protocol, min_visible,
                                    progress, RHD_CLEAN_TRAINING_ANNO)
        if sorted(validation) != sorted(training):
            raise ConversionError(f'{clean_path}: holds other sample ids than '
                                  'anno_training.pickle; expected the same samples')
    ids = sorted(training)
    train_pos, val_pos, _ = seeded_split(len(ids), seed, val_fraction)
    info = {'description': 'RHD v1.1', 'protocol': protocol, 'seed': seed,
            'val_fraction': val_fraction}
    if protocol == 'paper':
        info['min_visible'] = min_visible
    result = ConversionResult({})
    for name, split, samples in (
            ('rhd_train.json', 'train', [training[ids[p]] for p in train_pos]),
            ('rhd_val.json', 'val', [validation[ids[p]] for p in val_pos]),
            ('rhd_test.json', 'test',
             [evaluation[i] for i in sorted(evaluation)])):
        data, dropped = _dataset(dict(info, split=split), samples)
        result.files[name] = data
        result.dropped[name] = dropped
    if validation is not training:
        result.notes.append(f'val keypoints from training/{RHD_CLEAN_TRAINING_ANNO} '
                            '(clean labels of a label-noise experiment)')
    return result

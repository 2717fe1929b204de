"""Pieces shared by the FreiHAND and RHD converters.

The COCO-style skeleton of MMPose's annotation files, the error class, input
readers that turn every kind of bad input into a :class:`ConversionError`
naming the file and sample, a tiny progress printer, the seeded split and the
writer that writes all outputs only at the end. Plain data code: numpy,
Pillow and the standard library only (no torch, no MMPose).
"""
import json
import os
import re
import sys
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
from PIL import Image

from ..hand_format import HAND_SIDES
from ..utils.atomic_io import atomic_write_json

HAND_CATEGORY_ID = 1


class ConversionError(Exception):
    """Bad raw input (or an unwritable output): the message names the file,
    the sample and what was expected."""


@dataclass
class ConversionResult:
    """What a converter produced, held in memory until it is written.

    Attributes:
        files (dict): Output file name (e.g. ``'freihand_train.json'``) to its
            COCO-style dict, in writing order.
        dropped (dict): Output file name to ``{reason: count}`` of the
            instances or images left out of that file.
        notes (list): Further lines for the summary (e.g. an output that was
            not produced and why).
    """
    files: Dict[str, dict]
    dropped: Dict[str, Dict[str, int]] = field(default_factory=dict)
    notes: List[str] = field(default_factory=list)

    def summary(self) -> str:
        """Counts per output file (images, instances, hands, dropped)."""
        lines = []
        for name, data in self.files.items():
            anns = data['annotations']
            line = (f'{name}: {len(data["images"])} images, '
                    f'{len(anns)} instances')
            hand_types = [a['hand_type'] for a in anns if 'hand_type' in a]
            if hand_types:
                line += ' (' + ', '.join(f'{side} {hand_types.count(side)}'
                                         for side in HAND_SIDES) + ')'
            dropped = self.dropped.get(name, {})
            line += '; dropped: ' + (', '.join(
                f'{count} {reason}' for reason, count in dropped.items())
                                     if dropped else 'none')
            lines.append(line)
        return '\n'.join(lines + self.notes)


def coco_dataset(info: dict, keypoint_names: Sequence[str],
                 bones: Sequence[Tuple[int, int]], images: List[dict],
                 annotations: List[dict]) -> dict:
    """The COCO-style dict that MMPose's hand datasets load.

    Args:
        info (dict): The ``info`` block (description, split, options).
        keypoint_names (Sequence[str]): Names in the file's keypoint order.
        bones (Sequence[tuple]): 0-based (parent, child) pairs in that order;
            written 1-based as COCO's ``skeleton``.
        images (list): Image entries.
        annotations (list): Instance entries.

    Returns:
        dict: With keys ``info``, ``licenses``, ``images``, ``annotations``
        and ``categories`` (one category, id 1, ``'hand'``).
    """
    return {
        'info': info,
        'licenses': [],
        'images': images,
        'annotations': annotations,
        'categories': [{
            'id': HAND_CATEGORY_ID,
            'name': 'hand',
            'supercategory': 'hand',
            'keypoints': list(keypoint_names),
            'skeleton': [[a + 1, b + 1] for a, b in bones],
        }],
    }


def seeded_split(n: int,
                 seed: int,
                 val_fraction: float,
                 test_fraction: float = 0.0
                 ) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split positions ``0..n-1`` into train, val and test by a seeded shuffle.

    ``perm = numpy.random.default_rng(seed).permutation(n)``;
    ``n_val = int(round(n * val_fraction))`` and
    ``n_test = int(round(n * test_fraction))`` (Python's ``round``, half to
    even); train is ``perm[:n - n_val - n_test]``, val the next ``n_val``
    entries and test the last ``n_test``.

    Args:
        n (int): Number of items.
        seed (int): Seed of the shuffle.
        val_fraction (float): Fraction for val, in [0, 1).
        test_fraction (float): Fraction for test, in [0, 1).

    Returns:
        tuple: ``(train, val, test)`` positions, each sorted ascending.
    """
    for name, fraction in (('val_fraction', val_fraction),
                           ('test_fraction', test_fraction)):
        if not 0 <= fraction < 1:
            raise ConversionError(f'{name} must be in [0, 1), got {fraction}')
    n_val = int(round(n * val_fraction))
    n_test = int(round(n * test_fraction))
    n_train = n - n_val - n_test
    if n_train < 0:
        raise ConversionError(
            f'cannot split {n} items into {n_val} val and {n_test} test items')
    perm = np.random.default_rng(seed).permutation(n)
    return (np.sort(perm[:n_train]), np.sort(perm[n_train:n_train + n_val]),
            np.sort(perm[n_train + n_val:]))


def require_dir(path: str, what: str) -> None:
    """Raise unless ``path`` is a folder; ``what`` says what it should hold."""
    if not os.path.isdir(path):
        raise ConversionError(f'{path}: missing folder ({what})')


def require_file(path: str, what: str) -> None:
    """Raise unless ``path`` is a file; ``what`` says what it should hold."""
    if not os.path.isfile(path):
        raise ConversionError(f'{path}: missing file ({what})')


def numbered_files(folder: str, digits: int, ext: str) -> List[int]:
    """Sorted indices of the files named like ``%0{digits}d.{ext}`` in a
    folder; other names are ignored."""
    pattern = re.compile(rf'(\d{{{digits}}})\.{re.escape(ext)}')
    return sorted(
        int(match.group(1)) for match in map(pattern.fullmatch,
                                             os.listdir(folder)) if match)


def load_json(path: str, what: str) -> Any:
    """Parse a JSON file; missing, unreadable or malformed files raise."""
    require_file(path, what)
    try:
        with open(path, 'rb') as f:
            return json.load(f)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ConversionError(
            f'{path}: malformed or truncated JSON ({what}): {exc}') from exc
    except OSError as exc:
        raise ConversionError(f'{path}: cannot read ({what}): {exc}') from exc


def as_array(value: Any, shape: Tuple[int, ...], path: str,
             what: str) -> np.ndarray:
    """A finite float64 array of ``shape`` made from ``value``.

    Args:
        value: Nested lists or an array.
        shape (tuple): Expected shape.
        path (str): File the value came from (for the error message).
        what (str): The sample and field (for the error message).

    Returns:
        np.ndarray: float64 array of ``shape``.
    """
    expected = 'x'.join(map(str, shape))
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError):  # ragged nested lists
        arr = None
    if arr is None or arr.dtype.kind not in 'iuf':
        raise ConversionError(
            f'{path}: {what}: expected a {expected} array of numbers, got a '
            f'ragged or non-numeric value')
    if arr.shape != shape:
        raise ConversionError(f'{path}: {what}: expected shape {expected}, '
                              f'got {"x".join(map(str, arr.shape))}')
    arr = arr.astype(np.float64)
    if not np.isfinite(arr).all():
        raise ConversionError(
            f'{path}: {what}: non-finite value (NaN or inf); expected finite '
            f'numbers')
    return arr


def check_in_front(xyz: np.ndarray, path: str, what: str) -> None:
    """Raise if a camera-frame point has ``z <= 0`` (behind the camera).

    Args:
        xyz (np.ndarray): (..., 3) points.
        path (str): File the points came from.
        what (str): The sample and field.
    """
    bad = np.flatnonzero(xyz[..., 2].ravel() <= 0)
    if bad.size:
        j = int(bad[0])
        raise ConversionError(
            f'{path}: {what}: keypoint {j} has z = {xyz[..., 2].ravel()[j]} '
            f'(behind the camera); expected z > 0')


def image_size(path: str, what: str) -> Tuple[int, int]:
    """Width and height of an image, read from its header.

    Pillow's ``verify`` also checks PNG chunk checksums (cheap, no decoding).

    Args:
        path (str): Image file.
        what (str): The sample, for the error message.

    Returns:
        tuple: ``(width, height)``.
    """
    if not os.path.isfile(path):
        raise ConversionError(f'{path}: missing image ({what})')
    try:
        with Image.open(path) as img:
            size = img.size
            img.verify()
    # Pillow reports broken files with many exception types (OSError,
    # SyntaxError for bad PNG chunks, struct.error, ValueError, ...).
    except Exception as exc:
        raise ConversionError(
            f'{path}: unreadable image ({what}): {exc}') from exc
    return size


def read_image(path: str, what: str, mode: Optional[str] = None) -> np.ndarray:
    """Decode a whole image into an array.

    Args:
        path (str): Image file.
        what (str): The sample, for the error message.
        mode (str, optional): Pillow mode to convert to (e.g. ``'L'``); None
            keeps the stored values (label masks).

    Returns:
        np.ndarray: (H, W) or (H, W, C) array.
    """
    if not os.path.isfile(path):
        raise ConversionError(f'{path}: missing image ({what})')
    try:
        with Image.open(path) as img:
            return np.asarray(img.convert(mode) if mode else img)
    except Exception as exc:  # see image_size
        raise ConversionError(
            f'{path}: unreadable image ({what}): {exc}') from exc


def write_outputs(files: Dict[str, dict], out_dir: str) -> List[str]:
    """Write every output file atomically; all or nothing.

    If writing one file fails, the files already written by this call are
    removed again.

    Args:
        files (dict): File name to JSON-serialisable dict.
        out_dir (str): Output folder; created if missing.

    Returns:
        list: The written paths.
    """
    written: List[str] = []
    path = out_dir
    try:
        os.makedirs(out_dir, exist_ok=True)
        for name, data in files.items():
            path = os.path.join(out_dir, name)
            atomic_write_json(path, data)
            written.append(path)
    except BaseException as exc:
        for done in written:
            with suppress(OSError):
                os.remove(done)
        if isinstance(exc, OSError):
            raise ConversionError(
                f'{path}: cannot write: {exc}; removed the {len(written)} '
                f'file(s) already written') from exc
        raise
    return written


def run_conversion(convert: Callable[[], 'ConversionResult'], out_dir: str) -> int:
    """Body of a converter's command line: convert, write all or nothing, report.

    Args:
        convert (callable): Runs the conversion and returns its result.
        out_dir (str): Output folder.

    Returns:
        int: Exit status: 0, or 2 after printing ``error: ...`` to stderr.
    """
    try:
        result = convert()
        paths = write_outputs(result.files, out_dir)
    except ConversionError as exc:
        print(f'error: {exc}', file=sys.stderr)
        return 2
    print(result.summary())
    for path in paths:
        print(f'wrote {path}')
    return 0

"""Crops of real photographs shipped inside installed packages (no download).

scikit-image's wheel carries a few dozen test photographs in ``skimage/data``
and matplotlib's carries ``mpl-data/sample_data/grace_hopper.jpg``. The files
are found through the packages' import specs (the packages are not imported,
and no ``skimage.data`` function is called: some of those download), read
once per process with OpenCV and cut into random crops: scale, position,
rotation by a multiple of 90 degrees, mirror and a small colour shift.

Each appearance family (:mod:`.appearance`) has its own, disjoint set of
photographs (:data:`PHOTO_FAMILIES`).
"""
import functools
import importlib.util
import os
from typing import Dict, Optional, Tuple

import cv2
import numpy as np
from PIL import Image

# Photograph name -> (package, path of the file inside the package folder).
PHOTO_SOURCES: Dict[str, Tuple[str, str]] = {
    **{name: ('skimage', f'data/{name}.png') for name in (
        'astronaut', 'brick', 'camera', 'cell', 'chelsea', 'clock_motion',
        'coffee', 'coins', 'color', 'grass', 'gravel', 'horse', 'ihc', 'logo',
        'moon', 'motorcycle_left', 'motorcycle_right', 'page', 'text')},
    **{name: ('skimage', f'data/{name}.jpg') for name in (
        'hubble_deep_field', 'retina', 'rocket')},
    'grace_hopper': ('matplotlib', 'mpl-data/sample_data/grace_hopper.jpg'),
}
# Disjoint photo sets of the appearance families. Each has a person
# (astronaut, grace_hopper), an indoor scene, textures, documents and
# skin-coloured hard negatives (ihc, retina); the stereo pair
# motorcycle_left/right stays in one family.
PHOTO_FAMILIES: Dict[str, Tuple[str, ...]] = {
    'train': ('astronaut', 'brick', 'camera', 'cell', 'coins', 'color',
              'grass', 'gravel', 'hubble_deep_field', 'ihc', 'motorcycle_left',
              'motorcycle_right', 'page', 'rocket'),
    'heldout': ('chelsea', 'clock_motion', 'coffee', 'grace_hopper', 'horse',
                'logo', 'moon', 'retina', 'text'),
}
# Crop side as a fraction of the photo's shorter side (uniform).
CROP_SCALE_RANGE = (0.25, 1.0)
# Share of crops that are mirrored left-right (the rotation by 0, 90, 180 or
# 270 degrees is uniform).
CROP_FLIP_PROB = 0.5
# Colour shift: a brightness factor and a per-channel gain (uniform).
CROP_BRIGHTNESS_RANGE = (0.7, 1.15)
CROP_CHANNEL_GAIN_RANGE = (0.9, 1.1)


@functools.lru_cache(maxsize=None)
def _package_dir(package: str) -> Optional[str]:
    """Folder of an installed package, found without importing it."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return list(spec.submodule_search_locations)[0]


def photo_path(name: str) -> Optional[str]:
    """Path of photograph ``name`` (a key of PHOTO_SOURCES); None if absent."""
    package, relative = PHOTO_SOURCES[name]
    folder = _package_dir(package)
    if folder is None:
        return None
    path = os.path.join(folder, *relative.split('/'))
    return path if os.path.isfile(path) else None


@functools.lru_cache(maxsize=None)
def available_photos(family: str) -> Tuple[str, ...]:
    """Names of the family's photographs that are installed.

    Raises:
        ValueError: for an unknown family.
        RuntimeError: when none is installed; the message names the packages
            that would provide them.
    """
    if family not in PHOTO_FAMILIES:
        raise ValueError(f'family must be one of {tuple(PHOTO_FAMILIES)}, '
                         f'got {family!r}')
    names = tuple(n for n in PHOTO_FAMILIES[family] if photo_path(n))
    if not names:
        packages = sorted({PHOTO_SOURCES[n][0] for n in PHOTO_FAMILIES[family]})
        pip_names = {'skimage': 'scikit-image'}
        raise RuntimeError(
            f'photo backgrounds of the {family!r} family need the photographs '
            f'shipped with {" or ".join(pip_names.get(p, p) for p in packages)}'
            f', and none is installed: pip install '
            f'{" ".join(pip_names.get(p, p) for p in packages)} (or use a '
            'style without photo backgrounds)')
    return names


@functools.lru_cache(maxsize=None)
def load_photo(name: str) -> np.ndarray:
    """Photograph ``name`` as RGB uint8 (grey ones repeated on 3 channels)."""
    path = photo_path(name)
    if path is None:
        package = PHOTO_SOURCES[name][0]
        raise RuntimeError(f'photograph {name!r} is not installed (it comes '
                           f'with the {package} package)')
    # Pillow, not cv2.imread: libpng (in OpenCV) prints a warning for every
    # read of scikit-image's page.png (its iCCP chunk), which floods the logs of
    # generator workers; the pixels are the same (checked for every photograph).
    try:
        with Image.open(path) as photo:
            image = np.array(photo.convert('RGB'))
    except (OSError, ValueError) as error:
        raise RuntimeError(f'could not read the photograph {path}: {error}') from error
    image.setflags(write=False)
    return image


def photo_crop(rng: np.random.Generator, name: str, height: int,
               width: int) -> np.ndarray:
    """A random crop of photograph ``name`` resized to ``(height, width)``.

    Args:
        rng (np.random.Generator): Draws the crop (7 numbers, always).
        name (str): Key of PHOTO_SOURCES.
        height (int): Output height.
        width (int): Output width.

    Returns:
        np.ndarray: (height, width, 3) float32 RGB in [0, 1].
    """
    photo = load_photo(name)
    rows, cols = photo.shape[:2]
    turns = int(rng.integers(4))
    # The crop's aspect in the photo's frame, after the quarter turns.
    aspect = width / height if turns % 2 == 0 else height / width
    side = rng.uniform(*CROP_SCALE_RANGE) * min(rows, cols)
    crop_h = int(max(1, min(rows, side / max(aspect, 1.0))))
    crop_w = int(max(1, min(cols, side * min(aspect, 1.0))))
    y0 = int(rng.integers(rows - crop_h + 1))
    x0 = int(rng.integers(cols - crop_w + 1))
    flip = rng.random() < CROP_FLIP_PROB
    brightness = rng.uniform(*CROP_BRIGHTNESS_RANGE)
    gains = rng.uniform(*CROP_CHANNEL_GAIN_RANGE, 3)
    crop = np.rot90(photo[y0:y0 + crop_h, x0:x0 + crop_w], turns)
    if flip:
        crop = crop[:, ::-1]
    crop = cv2.resize(np.ascontiguousarray(crop), (width, height),
                      interpolation=cv2.INTER_AREA)
    scale = (brightness * gains / 255).astype(np.float32)
    return np.clip(crop.astype(np.float32) * scale, 0.0, 1.0)

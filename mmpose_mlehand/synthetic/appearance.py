"""Appearance families: disjoint bands of skin, light, camera and background.

Styles with ``families`` (``photo``) draw an :class:`Appearance` per image
from the bands of one family. The ``heldout`` family's bands interleave with
the ``train`` family's, so held-out images are neither lighter nor darker,
warmer nor colder on average, only unseen: a model trained on ``train`` never
sees a held-out skin tone, light colour, white-balance error, JPEG quality,
photograph or procedural background base.

The ``hard`` family (validation and test only, :data:`EVAL_ONLY_FAMILIES`)
draws from the held-out family's bands (:data:`BAND_FAMILY`), so it shares
none of these with ``train`` either, and adds what real photographs fail on:
a strong, grazing light over little ambient light, lower contrast and
backgrounds pulled towards the skin colour (the ``HARD_*`` constants below),
and, in :mod:`.samples` and :mod:`.hand_model`, hands turned far from
upright, closed hands and side views.
"""
from dataclasses import dataclass
from typing import Dict, Sequence, Tuple

import numpy as np

from .photos import available_photos

FAMILIES = ('train', 'heldout', 'hard')
# Families that only validation and test data may use: the generators refuse
# them for training data.
EVAL_ONLY_FAMILIES = ('hard', )
# The family whose bands (below) and photographs each family draws from.
BAND_FAMILY: Dict[str, str] = {
    'train': 'train', 'heldout': 'heldout', 'hard': 'heldout'}
# Skin tone: position on scene.SKIN_TONES (0 lightest, 8 darkest; the albedo
# blends the two anchors around it).
SKIN_BLEND_BANDS: Dict[str, Tuple[Tuple[float, float], ...]] = {
    'train': ((0.0, 1.5), (2.5, 5.5), (6.5, 8.0)),
    'heldout': ((1.5, 2.5), (5.5, 6.5)),
}
# Per-channel factor on the blended skin albedo (uniform, both families).
SKIN_JITTER_RANGE = (0.95, 1.05)
# Colour temperature of the light (K): warm bulbs to daylight.
LIGHT_KELVIN_BANDS: Dict[str, Tuple[Tuple[float, float], ...]] = {
    'train': ((2700.0, 3300.0), (4000.0, 5000.0), (5800.0, 6800.0)),
    'heldout': ((3300.0, 4000.0), (5000.0, 5800.0)),
}
# White-balance error: the camera's assumed illuminant minus the light, in
# mired (1e6 / K); positive assumes a warmer light and turns the image bluer.
WHITE_BALANCE_MIRED_BANDS: Dict[str, Tuple[Tuple[float, float], ...]] = {
    'train': ((-60.0, -30.0), (0.0, 30.0)),
    'heldout': ((-30.0, 0.0), (30.0, 60.0)),
}
# JPEG quality (integers, both ends included).
JPEG_QUALITY_BANDS: Dict[str, Tuple[Tuple[int, int], ...]] = {
    'train': ((60, 71), (84, 95)),
    'heldout': ((72, 83),),
}
# Procedural background bases (backgrounds._BASES) of each family, used when
# the background is not a photograph.
PROCEDURAL_BACKGROUNDS: Dict[str, Tuple[str, ...]] = {
    'train': ('gradient', 'indoor', 'noise'),
    'heldout': ('pattern',),
}
# The hard family's light and camera. Real photographs score lowest under a
# strong light and at low contrast (docs/synthetic_hands.md): one strong,
# grazing directional light (its towards-camera component, see
# scene.LIGHT_Z_RANGE) over little ambient light, so that half the hand is in
# shadow; brighter exposures; a contrast below every other family's
# (effects.PHOTO_CONTRAST_RANGE is 0.85-1.2); and the background mixed with
# the skin colour by a share drawn from HARD_BACKGROUND_SKIN_PULL_RANGE.
HARD_LIGHT_AMBIENT_RANGE = (0.1, 0.25)
HARD_LIGHT_DIFFUSE_RANGE = (0.85, 1.15)
HARD_LIGHT_Z_RANGE = (0.1, 0.5)
HARD_EXPOSURE_EV_RANGE = (-0.2, 0.6)
HARD_CONTRAST_RANGE = (0.55, 0.85)
HARD_BACKGROUND_SKIN_PULL_RANGE = (0.3, 0.6)


@dataclass(frozen=True)
class Appearance:
    """The family-dependent appearance parameters of one image.

    Attributes:
        family (str): One of :data:`FAMILIES`.
        skin_blend (float): Skin tone position on ``scene.SKIN_TONES``.
        skin_jitter (tuple): Per-channel factor on the skin albedo.
        light_kelvin (float): Colour temperature of the light (K).
        white_balance_mired (float): The camera's white-balance error (mired).
        jpeg_quality (int): JPEG quality of the image.
        background (str): A photograph name (``photos.PHOTO_SOURCES``) or a
            procedural base name (``backgrounds._BASES``).
        background_is_photo (bool): Whether ``background`` is a photograph.
    """

    family: str
    skin_blend: float
    skin_jitter: Tuple[float, float, float]
    light_kelvin: float
    white_balance_mired: float
    jpeg_quality: int
    background: str
    background_is_photo: bool

    @property
    def camera_kelvin(self) -> float:
        """The illuminant the camera's white balance assumes (K)."""
        return 1e6 / (1e6 / self.light_kelvin + self.white_balance_mired)


def check_family(family: str) -> str:
    """``family`` itself after checking it; a clear error for an unknown one."""
    if family not in FAMILIES:
        raise ValueError(f'family must be one of {FAMILIES}, got {family!r}')
    return family


def check_training_family(family: str) -> str:
    """``family`` after checking that training data may use it.

    Raises:
        ValueError: for an unknown family or one of
            :data:`EVAL_ONLY_FAMILIES`.
    """
    if check_family(family) in EVAL_ONLY_FAMILIES:
        raise ValueError(
            f'family {family!r} is for validation and test data only, never '
            'for training data (render it for a val or test split)')
    return family


def _band(rng: np.random.Generator,
          bands: Sequence[Tuple[float, float]]) -> Tuple[float, float]:
    """One band, chosen with probability proportional to its width."""
    widths = np.array([hi - lo for lo, hi in bands], np.float64)
    return bands[int(rng.choice(len(bands), p=widths / widths.sum()))]


def sample_in_bands(rng: np.random.Generator,
                    bands: Sequence[Tuple[float, float]]) -> float:
    """Uniform over the union of disjoint half-open bands ``[lo, hi)``."""
    lo, hi = _band(rng, bands)
    return float(rng.uniform(lo, hi))


def sample_int_in_bands(rng: np.random.Generator,
                        bands: Sequence[Tuple[int, int]]) -> int:
    """Uniform over the integers of bands ``[lo, hi]`` (both ends included)."""
    lo, hi = _band(rng, [(lo, hi + 1) for lo, hi in bands])
    return int(rng.integers(lo, hi))


def sample_appearance(rng: np.random.Generator, family: str,
                      photo_background_prob: float) -> Appearance:
    """Draw the appearance of one image from the family's bands.

    Args:
        rng (np.random.Generator): Random source.
        family (str): One of :data:`FAMILIES`; ``'hard'`` draws from the
            held-out family's bands (:data:`BAND_FAMILY`).
        photo_background_prob (float): Share of photograph backgrounds; the
            photographs are only looked up when it is above 0.

    Returns:
        Appearance: the parameters.

    Raises:
        RuntimeError: if a photograph is drawn and the family has none
            installed (see :func:`.photos.available_photos`).
    """
    bands = BAND_FAMILY[check_family(family)]
    skin_blend = sample_in_bands(rng, SKIN_BLEND_BANDS[bands])
    skin_jitter = tuple(float(v) for v in rng.uniform(*SKIN_JITTER_RANGE, 3))
    light_kelvin = sample_in_bands(rng, LIGHT_KELVIN_BANDS[bands])
    mired = sample_in_bands(rng, WHITE_BALANCE_MIRED_BANDS[bands])
    quality = sample_int_in_bands(rng, JPEG_QUALITY_BANDS[bands])
    is_photo = bool(rng.random() < photo_background_prob)
    names = (available_photos(bands) if is_photo
             else PROCEDURAL_BACKGROUNDS[bands])
    background = names[int(rng.integers(len(names)))]
    return Appearance(family, skin_blend, skin_jitter, light_kelvin, mired,
                      quality, background, is_photo)

"""Camera and post-processing effects: colour jitter, blur, noise, JPEG.

Each effect is drawn per image. :func:`colour_jitter` works on float32 RGB in
[0, 1]; :func:`degrade` adds blur, vignetting and sensor noise, quantises to
uint8 and applies a gamma curve (the camera response). :func:`photo_camera`
is a webcam's whole response for the ``photo`` style: exposure, white balance
for an assumed illuminant (:func:`white_balance_gains`), contrast, saturation,
blur, motion blur, vignetting, signal-dependent sensor noise, quantisation
and gamma.
"""
import functools
from typing import Tuple

import cv2
import numpy as np

from .colour_temperature import kelvin_rgb

# Colour jitter: exposure and contrast factors, per-channel white-balance
# gains and saturation (0 grey, 1 unchanged).
EXPOSURE_RANGE = (0.75, 1.2)
CONTRAST_RANGE = (0.75, 1.25)
WHITE_BALANCE_RANGE = (0.9, 1.1)
SATURATION_RANGE = (0.6, 1.3)
# Gaussian blur: share of images and sigma (px).
BLUR_PROB = 0.35
BLUR_SIGMA_RANGE_PX = (0.4, 1.4)
# Motion blur: share of images and kernel length (px; rng.integers bounds,
# high end exclusive).
MOTION_BLUR_PROB = 0.12
MOTION_BLUR_LENGTH_RANGE_PX = (3, 9)
# Sensor noise: share of images and sigma (intensity in [0, 1]).
NOISE_PROB = 0.6
NOISE_SIGMA_RANGE = (0.004, 0.035)
# Vignetting: share of images and strength (brightness drops by strength times
# the squared distance from the centre in image sides).
VIGNETTE_PROB = 0.3
VIGNETTE_STRENGTH_RANGE = (0.2, 0.8)
# Camera response: exponent of the gamma curve applied after quantisation.
GAMMA_RANGE = (0.8, 1.25)
# JPEG quality range for written JPEGs and for the JPEG round trip of PNGs.
JPEG_QUALITY_RANGE = (60, 95)
# Photo camera (photo_camera): exposure (stops), contrast about a fixed grey
# level (not the image mean, so the hand's pixels do not depend on the
# background) and saturation, uniform.
PHOTO_EXPOSURE_EV_RANGE = (-0.6, 0.4)
PHOTO_CONTRAST_RANGE = (0.85, 1.2)
PHOTO_CONTRAST_PIVOT = 0.45
PHOTO_SATURATION_RANGE = (0.75, 1.2)
# Photo camera: shares of images with Gaussian blur (defocus), motion blur
# (hand movement) and vignetting, and their sigma (px), kernel length (px,
# rng.integers bounds) and strength.
PHOTO_BLUR_PROB = 0.4
PHOTO_BLUR_SIGMA_RANGE_PX = (0.3, 1.2)
PHOTO_MOTION_BLUR_PROB = 0.25
PHOTO_MOTION_BLUR_LENGTH_RANGE_PX = (3, 12)
PHOTO_VIGNETTE_PROB = 0.5
# Photo camera: signal-dependent sensor noise on every image, variance
# shot * intensity + read ** 2 (intensity in [0, 1]; uniform per image).
PHOTO_SHOT_NOISE_RANGE = (2e-4, 3e-3)
PHOTO_READ_NOISE_RANGE = (0.002, 0.012)
# Sensor noise is cut from a fixed table of unit Gaussian noise at a random
# offset, which is much cheaper than drawing fresh normal noise per image.
_NOISE_TABLE_SIZE = 640


@functools.lru_cache(maxsize=1)
def _noise_table() -> np.ndarray:
    rng = np.random.default_rng(20240607)
    return rng.standard_normal((_NOISE_TABLE_SIZE, _NOISE_TABLE_SIZE, 3),
                               dtype=np.float32)


@functools.lru_cache(maxsize=4)
def _radius2(h: int, w: int) -> np.ndarray:
    """Squared distance from the image centre in half-sizes (vignetting)."""
    ys, xs = np.ogrid[0:h, 0:w]
    return (((xs - w / 2) / w) ** 2 + ((ys - h / 2) / h) ** 2).astype(
        np.float32)


def colour_jitter(rng: np.random.Generator, image: np.ndarray) -> np.ndarray:
    """Exposure, contrast, white balance and saturation as one colour matrix."""
    exposure = rng.uniform(*EXPOSURE_RANGE)
    contrast = rng.uniform(*CONTRAST_RANGE)
    balance = rng.uniform(*WHITE_BALANCE_RANGE, 3)
    saturation = rng.uniform(*SATURATION_RANGE)
    mean = float(image.mean()) * exposure
    # Saturation mixes each channel with the grey value (channel mean).
    sat = saturation * np.eye(3) + (1 - saturation) / 3
    matrix = sat @ np.diag(balance) * contrast * exposure
    offset = sat @ balance * (1 - contrast) * mean
    affine = np.concatenate([matrix, offset[:, None]], axis=1)
    return cv2.transform(image, affine.astype(np.float32))


def degrade(rng: np.random.Generator, image: np.ndarray,
            degradations: bool = True) -> np.ndarray:
    """Blur, motion blur, vignetting, noise and gamma; returns uint8 RGB.

    With ``degradations=False`` only the quantisation and gamma are applied.
    """
    out = _blur_vignette_noise(rng, image) if degradations else image
    quantised = _quantise(out)
    return _apply_gamma(quantised, rng.uniform(*GAMMA_RANGE))


def _quantise(image: np.ndarray) -> np.ndarray:
    """float RGB in [0, 1] (clipped) to uint8."""
    # Clip first: convertScaleAbs rounds and saturates but mirrors negatives.
    return cv2.convertScaleAbs(np.clip(image, 0.0, 1.0), alpha=255.0)


def _apply_gamma(image: np.ndarray, gamma: float) -> np.ndarray:
    """The camera response ``x ** gamma`` on a uint8 image."""
    lut = np.round((np.arange(256) / 255) ** gamma * 255).astype(np.uint8)
    return cv2.LUT(image, lut)


def motion_blur(image: np.ndarray, length: int, angle_deg: float) -> np.ndarray:
    """Blur along a line of ``length`` px at ``angle_deg`` (camera shake)."""
    kernel = np.zeros((length, length), np.float32)
    kernel[length // 2] = 1.0 / length
    rot = cv2.getRotationMatrix2D(((length - 1) / 2, (length - 1) / 2),
                                  angle_deg, 1.0)
    kernel = cv2.warpAffine(kernel, rot, (length, length))
    return cv2.filter2D(image, -1, kernel / max(kernel.sum(), 1e-6))


def _blur_vignette_noise(rng: np.random.Generator,
                         image: np.ndarray) -> np.ndarray:
    out = image
    if rng.random() < BLUR_PROB:
        out = cv2.GaussianBlur(out, (0, 0), rng.uniform(*BLUR_SIGMA_RANGE_PX))
    if rng.random() < MOTION_BLUR_PROB:
        length = int(rng.integers(*MOTION_BLUR_LENGTH_RANGE_PX))
        out = motion_blur(out, length, float(rng.uniform(0, 180)))
    h, w = out.shape[:2]
    if rng.random() < VIGNETTE_PROB:
        strength = np.float32(rng.uniform(*VIGNETTE_STRENGTH_RANGE))
        out = out * (1 - strength * _radius2(h, w))[..., None]
    if rng.random() < NOISE_PROB:
        table = _noise_table()
        y0, x0 = rng.integers(0, _NOISE_TABLE_SIZE - h + 1), rng.integers(
            0, _NOISE_TABLE_SIZE - w + 1)
        sigma = np.float32(rng.uniform(*NOISE_SIGMA_RANGE))
        out = out + table[y0:y0 + h, x0:x0 + w] * sigma
    return out


def white_balance_gains(camera_kelvin: float) -> np.ndarray:
    """(3,) per-channel gains that turn light of ``camera_kelvin`` white."""
    return (1.0 / kelvin_rgb(camera_kelvin)).astype(np.float32)


def white_balance(image: np.ndarray, gains: np.ndarray) -> np.ndarray:
    """Multiply each channel of a float RGB image by its gain."""
    return image * np.asarray(gains, np.float32)


def sensor_noise(image: np.ndarray, shot: float, read: float, y0: int,
                 x0: int) -> np.ndarray:
    """Signal-dependent Gaussian noise, variance ``shot * I + read ** 2``.

    Args:
        image (np.ndarray): (H, W, 3) float32 RGB (intensity I in [0, 1]).
        shot (float): Shot-noise factor (variance per unit intensity).
        read (float): Read-noise sigma.
        y0 (int): Row of the crop of the fixed noise table.
        x0 (int): Column of the crop of the fixed noise table.

    Returns:
        np.ndarray: the noisy float32 image (not clipped).
    """
    h, w = image.shape[:2]
    variance = np.clip(image, 0.0, 1.0) * np.float32(shot) + np.float32(
        read * read)
    return image + _noise_table()[y0:y0 + h, x0:x0 + w] * np.sqrt(variance)


def photo_camera(
        rng: np.random.Generator, image: np.ndarray, camera_kelvin: float,
        exposure_ev_range: Tuple[float, float] = PHOTO_EXPOSURE_EV_RANGE,
        contrast_range: Tuple[float, float] = PHOTO_CONTRAST_RANGE
) -> np.ndarray:
    """A webcam's response to a float RGB image; returns uint8 RGB.

    Exposure, white balance for ``camera_kelvin`` (gains that make light of
    that colour temperature white), contrast and saturation as one colour
    matrix; then blur, motion blur and vignetting (each with its
    probability), signal-dependent sensor noise, quantisation and gamma.
    Every parameter is drawn whether its effect is used or not, so the
    number of draws is fixed.

    Args:
        rng (np.random.Generator): Random source.
        image (np.ndarray): (H, W, 3) float32 RGB in [0, 1], the scene's
            light (colour included) already applied.
        camera_kelvin (float): Illuminant the white balance assumes (K).
        exposure_ev_range (tuple): Range of the exposure (EV). Defaults to
            PHOTO_EXPOSURE_EV_RANGE.
        contrast_range (tuple): Range of the contrast factor. Defaults to
            PHOTO_CONTRAST_RANGE.
    """
    h, w = image.shape[:2]
    exposure = 2.0 ** rng.uniform(*exposure_ev_range)
    contrast = rng.uniform(*contrast_range)
    saturation = rng.uniform(*PHOTO_SATURATION_RANGE)
    blur = rng.random() < PHOTO_BLUR_PROB
    blur_sigma = rng.uniform(*PHOTO_BLUR_SIGMA_RANGE_PX)
    motion = rng.random() < PHOTO_MOTION_BLUR_PROB
    length = int(rng.integers(*PHOTO_MOTION_BLUR_LENGTH_RANGE_PX))
    angle = float(rng.uniform(0, 180))
    vignette = rng.random() < PHOTO_VIGNETTE_PROB
    strength = np.float32(rng.uniform(*VIGNETTE_STRENGTH_RANGE))
    shot = rng.uniform(*PHOTO_SHOT_NOISE_RANGE)
    read = rng.uniform(*PHOTO_READ_NOISE_RANGE)
    y0 = int(rng.integers(0, _NOISE_TABLE_SIZE - h + 1))
    x0 = int(rng.integers(0, _NOISE_TABLE_SIZE - w + 1))
    gamma = rng.uniform(*GAMMA_RANGE)
    # Saturation mixes each channel with the grey value (channel mean).
    sat = saturation * np.eye(3) + (1 - saturation) / 3
    matrix = sat @ np.diag(white_balance_gains(camera_kelvin)) * (
        contrast * exposure)
    offset = np.full(3, (1 - contrast) * PHOTO_CONTRAST_PIVOT)
    out = cv2.transform(image, np.concatenate(
        [matrix, offset[:, None]], axis=1).astype(np.float32))
    if blur:
        out = cv2.GaussianBlur(out, (0, 0), blur_sigma)
    if motion:
        out = motion_blur(out, length, angle)
    if vignette:
        out = out * (1 - strength * _radius2(h, w))[..., None]
    out = sensor_noise(out, shot, read, y0, x0)
    return _apply_gamma(_quantise(out), gamma)


def jpeg_quality(rng: np.random.Generator) -> int:
    """Draw a JPEG quality from JPEG_QUALITY_RANGE."""
    return int(rng.integers(JPEG_QUALITY_RANGE[0], JPEG_QUALITY_RANGE[1] + 1))


def jpeg_roundtrip(image: np.ndarray, quality: int) -> np.ndarray:
    """Encode and decode an RGB uint8 image as JPEG (compression artefacts)."""
    ok, data = cv2.imencode('.jpg', image[..., ::-1],
                            [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:
        raise RuntimeError('JPEG encoding failed')
    return cv2.imdecode(data, cv2.IMREAD_COLOR)[..., ::-1].copy()

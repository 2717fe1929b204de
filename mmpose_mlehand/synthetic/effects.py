"""Camera and post-processing effects: colour jitter, blur, noise, JPEG.

Each effect is drawn per image. :func:`colour_jitter` works on float32 RGB in
[0, 1]; :func:`degrade` adds blur, vignetting and sensor noise, quantises to
uint8 and applies a gamma curve (the camera response).
"""
import functools

import cv2
import numpy as np

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
    # Clip first: convertScaleAbs rounds and saturates but mirrors negatives.
    quantised = cv2.convertScaleAbs(np.clip(out, 0.0, 1.0), alpha=255.0)
    gamma = rng.uniform(*GAMMA_RANGE)
    lut = np.round((np.arange(256) / 255) ** gamma * 255).astype(np.uint8)
    return cv2.LUT(quantised, lut)


def _blur_vignette_noise(rng: np.random.Generator,
                         image: np.ndarray) -> np.ndarray:
    out = image
    if rng.random() < BLUR_PROB:
        out = cv2.GaussianBlur(out, (0, 0), rng.uniform(*BLUR_SIGMA_RANGE_PX))
    if rng.random() < MOTION_BLUR_PROB:
        length = int(rng.integers(*MOTION_BLUR_LENGTH_RANGE_PX))
        kernel = np.zeros((length, length), np.float32)
        kernel[length // 2] = 1.0 / length
        rot = cv2.getRotationMatrix2D(((length - 1) / 2, (length - 1) / 2),
                                      float(rng.uniform(0, 180)), 1.0)
        kernel = cv2.warpAffine(kernel, rot, (length, length))
        out = cv2.filter2D(out, -1, kernel / max(kernel.sum(), 1e-6))
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

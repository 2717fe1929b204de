"""Colours of black-body light sources (colour temperatures).

A light of ``T`` kelvin is Planck's spectrum integrated against the CIE 1931
colour-matching functions (the multi-lobe Gaussian fit of Wyman, Sloan and
Shirley, JCGT 2013), converted to linear sRGB, divided by the colour of
D65 (6504 K, white) and gamma-encoded with :data:`DISPLAY_GAMMA` like the
renderer's colours. 2700 K (a warm bulb) is orange, 6504 K white and higher
temperatures bluish.
"""
import numpy as np

# Wavelength grid of the integration (nm).
WAVELENGTHS_NM = np.arange(380.0, 781.0, 5.0)
# Second radiation constant of Planck's law (m K).
PLANCK_C2 = 1.4388e-2
# Colour temperature rendered as white (D65's correlated temperature, K).
WHITE_KELVIN = 6504.0
# Exponent that encodes linear light ratios like the renderer's sRGB-like
# colours.
DISPLAY_GAMMA = 2.2
# CIE XYZ to linear sRGB (D65).
XYZ_TO_SRGB = np.array([[3.2406, -1.5372, -0.4986],
                        [-0.9689, 1.8758, 0.0415],
                        [0.0557, -0.2040, 1.0570]])
# Multi-lobe fit of the CIE 1931 2-degree colour-matching functions: per
# function, lobes of (weight, mean nm, sigma below the mean, sigma above).
_CMF_LOBES = (
    ((1.056, 599.8, 37.9, 31.0), (0.362, 442.0, 16.0, 26.7),
     (-0.065, 501.1, 20.4, 26.2)),
    ((0.821, 568.8, 46.9, 40.5), (0.286, 530.9, 16.3, 31.1)),
    ((1.217, 437.0, 11.8, 36.0), (0.681, 459.0, 26.0, 13.8)),
)


def _cmf() -> np.ndarray:
    """(3, L) x-bar, y-bar, z-bar on WAVELENGTHS_NM."""
    lam = WAVELENGTHS_NM
    rows = []
    for lobes in _CMF_LOBES:
        row = np.zeros_like(lam)
        for weight, mean, below, above in lobes:
            sigma = np.where(lam < mean, below, above)
            row += weight * np.exp(-0.5 * ((lam - mean) / sigma) ** 2)
        rows.append(row)
    return np.stack(rows)


_CMF = _cmf()


def _linear_srgb(kelvin: float) -> np.ndarray:
    metres = WAVELENGTHS_NM * 1e-9
    radiance = metres ** -5 / np.expm1(PLANCK_C2 / (metres * kelvin))
    return XYZ_TO_SRGB @ (_CMF @ radiance)


_WHITE = _linear_srgb(WHITE_KELVIN)


def kelvin_rgb(kelvin: float) -> np.ndarray:
    """(3,) float32 RGB of a black body at ``kelvin``, largest channel 1.

    Raises:
        ValueError: if ``kelvin`` is not in [1000, 40000].
    """
    if not 1000.0 <= kelvin <= 40000.0:
        raise ValueError(f'colour temperature must be in [1000, 40000] K, '
                         f'got {kelvin}')
    ratio = _linear_srgb(float(kelvin)) / _WHITE
    encoded = np.clip(ratio, 1e-6, None) ** (1 / DISPLAY_GAMMA)
    return (encoded / encoded.max()).astype(np.float32)

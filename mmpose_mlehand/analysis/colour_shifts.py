"""Colour shifts of a photograph, to measure how much a model leans on colour.

A camera's white balance, a room's light and a grayscale frame move skin
colour far more than the synthetic lights do. Applied to every test image
(``tools/evaluate_pipeline.py --colour``), each shift tells how much of a
detector's or pose model's accuracy rests on the colour of the hand rather
than its shape. numpy and OpenCV only.
"""
from typing import Callable, Dict

import numpy as np

#: Per-channel gains (B, G, R) of the white-balance shifts: a scene lit
#: about 1,500 K warmer or cooler than the camera assumed.
WARM_GAINS = (0.85, 1.0, 1.15)
COOL_GAINS = (1.15, 1.0, 0.85)
#: Saturation factor of ``desaturated``.
DESATURATION = 0.5


def _gains(gains) -> Callable[[np.ndarray], np.ndarray]:
    scale = np.asarray(gains, np.float32)

    def shift(image: np.ndarray) -> np.ndarray:
        return np.clip(np.rint(image.astype(np.float32) * scale), 0, 255).astype(np.uint8)
    return shift


def gray(image: np.ndarray) -> np.ndarray:
    """OpenCV's luma (0.299 R + 0.587 G + 0.114 B) in all three channels."""
    import cv2
    return cv2.cvtColor(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)


def desaturated(image: np.ndarray) -> np.ndarray:
    """Saturation (HSV) times :data:`DESATURATION`; hue and value kept."""
    import cv2
    hsv = cv2.cvtColor(image, cv2.COLOR_BGR2HSV)
    hsv[..., 1] = np.rint(hsv[..., 1] * DESATURATION).astype(np.uint8)
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2BGR)


#: Name -> function of a (H, W, 3) uint8 BGR image to one of the same shape.
COLOUR_SHIFTS: Dict[str, Callable[[np.ndarray], np.ndarray]] = {
    'gray': gray,
    'desaturated': desaturated,
    'warm': _gains(WARM_GAINS),
    'cool': _gains(COOL_GAINS),
}


def colour_shift(name: str) -> Callable[[np.ndarray], np.ndarray]:
    """The shift called ``name`` (one of :data:`COLOUR_SHIFTS`).

    Raises:
        ValueError: For an unknown name, listing the known ones.
    """
    if name not in COLOUR_SHIFTS:
        raise ValueError(f'unknown colour shift {name!r}; expected one of '
                         f'{", ".join(COLOUR_SHIFTS)}')
    return COLOUR_SHIFTS[name]

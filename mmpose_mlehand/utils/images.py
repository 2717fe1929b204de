"""Reading an image file for the tools and analyses, with an error that names it."""
import cv2
import numpy as np


def read_bgr(path: str, what: str = 'image') -> np.ndarray:
    """Decode an image file as OpenCV does (``cv2.IMREAD_COLOR``).

    ``cv2.imread`` returns None for a missing, damaged or unknown file, which
    fails later far from its cause; this raises at once instead.

    Args:
        path (str): Image file.
        what (str): What the file is, for the error message.

    Returns:
        np.ndarray: (H, W, 3) uint8 image, BGR.

    Raises:
        ValueError: the file is missing or OpenCV cannot decode it.
    """
    image = cv2.imread(path, cv2.IMREAD_COLOR)
    if image is None:
        raise ValueError(f'{path}: missing or unreadable {what} (expected a file that '
                         'OpenCV decodes)')
    return image

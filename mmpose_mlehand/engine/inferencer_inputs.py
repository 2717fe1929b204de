"""MMPose's inferencers take grayscale and 4-channel images and refuse unreadable files.

MMPose 1.3.2's inferencers expect 3-channel BGR arrays: a grayscale (H, W) or
BGRA (H, W, 4) array fails deep in the data preprocessor with a tensor-shape
error, and an unreadable or missing file fails in ``mimetypes`` or the image
loader without its path. With this patch, arrays of one or four channels are
converted to BGR (OpenCV's rules), and a path that is not a readable image,
video or folder is refused with a ``FileNotFoundError`` or ``ValueError``
naming it, before anything runs.
"""
import mimetypes
import os.path as osp
from typing import Iterable

import cv2
import numpy as np
from mmpose.apis.inferencers.base_mmpose_inferencer import BaseMMPoseInferencer

_mmpose_inputs_to_list = BaseMMPoseInferencer._inputs_to_list


def as_bgr(image: np.ndarray) -> np.ndarray:
    """A uint8 image of 1, 3 or 4 channels as 3-channel BGR (3 channels unchanged).

    Raises:
        ValueError: for other shapes, or an empty image.
    """
    image = np.asarray(image)
    if image.size == 0:
        raise ValueError(f'empty image of shape {image.shape}')
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[..., 0]
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    if image.ndim == 3 and image.shape[2] == 3:
        return image
    if image.ndim == 3 and image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    raise ValueError(f'an image must be (H, W), (H, W, 1), (H, W, 3) or (H, W, 4); '
                     f'got shape {image.shape}')


def check_image_path(path: str) -> None:
    """Refuse a path that is no folder, video or image OpenCV can read.

    Raises:
        FileNotFoundError: the path does not exist.
        ValueError: the file is not an image OpenCV can decode.
    """
    if path.startswith('webcam') or '://' in path or osp.isdir(path):
        return
    if not osp.isfile(path):
        raise FileNotFoundError(f'{path}: no such image, video or folder')
    kind = (mimetypes.guess_type(path)[0] or '').split('/')[0]
    if kind == 'video':
        return
    if cv2.imread(path, cv2.IMREAD_UNCHANGED) is None:
        raise ValueError(f'{path}: not an image OpenCV can read (unknown format, or a '
                         'damaged or empty file)')


def _inputs_to_list_checked(self: BaseMMPoseInferencer, inputs) -> Iterable:
    """MMPose's input listing, with paths checked and arrays made BGR."""
    if isinstance(inputs, str):
        check_image_path(inputs)
    elif isinstance(inputs, (list, tuple)):
        for item in inputs:
            if isinstance(item, str):
                check_image_path(item)
    if isinstance(inputs, np.ndarray):
        inputs = as_bgr(inputs)
    elif isinstance(inputs, (list, tuple)):
        inputs = [as_bgr(item) if isinstance(item, np.ndarray) else item for item in inputs]
    return _mmpose_inputs_to_list(self, inputs)


def register_inferencer_inputs() -> None:
    """Install the checks in MMPose's ``BaseMMPoseInferencer``; idempotent."""
    BaseMMPoseInferencer._inputs_to_list = _inputs_to_list_checked

"""MMPose's top-down crop and its inverse, in numpy and OpenCV only.

What both predictors run around their network
(:class:`~.predictor.TopdownHandPredictor` in PyTorch and
:class:`~mmpose_mlehand.deploy.onnx_predictor.OnnxHandPredictor` in ONNX
Runtime), reproduced operation by operation so that the numbers match
MMPose's (tested against ``mmpose.apis.inference_topdown``):

- ``GetBBoxCenterScale(padding)``: centre and size of each xyxy box, times
  ``padding``; no box means the whole image ``[0, 0, w, h]``;
- ``TopdownAffine(input_size)``: the box is widened or heightened to the input
  aspect ratio and warped (``cv2.warpAffine``, bilinear, black border) to the
  input size;
- ``PoseDataPreprocessor``: BGR -> RGB, ``(x - mean) / std``;
- ``add_pred_to_datasample``: keypoints in input pixels ``p`` map back to
  ``p / input_size * scale + center - scale / 2``.

It lives with the inference helpers because inference needs it and
:mod:`mmpose_mlehand.deploy` may import :mod:`mmpose_mlehand.apis`, never the
reverse. It imports neither torch nor MMPose (nor anything of this package),
so it can be copied next to an ONNX model with ``onnx_predictor.py``.
"""
from typing import Optional, Sequence, Tuple, Union

import cv2
import numpy as np


def bbox_xyxy_to_center_scale(bboxes: np.ndarray,
                              padding: float) -> Tuple[np.ndarray, np.ndarray]:
    """Centres and padded sizes of boxes (MMPose's ``bbox_xyxy2cs``).

    Args:
        bboxes (np.ndarray): (N, 4) boxes ``x1, y1, x2, y2``; float arrays
            keep their precision (as in MMPose), others become float64.
        padding (float): Factor on the box size.

    Returns:
        tuple: centres (N, 2) and scales (N, 2).
    """
    bboxes = np.asarray(bboxes)
    if not np.issubdtype(bboxes.dtype, np.floating):
        bboxes = bboxes.astype(np.float64)
    bboxes = bboxes.reshape(-1, 4)
    scale = (bboxes[:, 2:] - bboxes[:, :2]) * padding
    center = (bboxes[:, 2:] + bboxes[:, :2]) * 0.5
    return center, scale


def fix_aspect_ratio(scales: np.ndarray, aspect_ratio: float) -> np.ndarray:
    """Widen or heighten box sizes (N, 2) to ``aspect_ratio`` = w / h
    (``TopdownAffine._fix_aspect_ratio``)."""
    w, h = np.hsplit(scales, [1])
    return np.where(w > h * aspect_ratio, np.hstack([w, w / aspect_ratio]),
                    np.hstack([h * aspect_ratio, h]))


def get_warp_matrix(center: np.ndarray, scale: np.ndarray,
                    output_size: Tuple[int, int]) -> np.ndarray:
    """2x3 affine matrix from the box (centre, size) to the input crop
    (MMPose's ``get_warp_matrix`` without rotation or shift)."""
    src_w = scale[0]
    dst_w, dst_h = output_size
    shift = np.array((0., 0.))
    src_dir = np.array([src_w * -0.5, 0.])
    dst_dir = np.array([dst_w * -0.5, 0.])
    src = np.zeros((3, 2), dtype=np.float32)
    src[0, :] = center + scale * shift
    src[1, :] = center + src_dir + scale * shift
    dst = np.zeros((3, 2), dtype=np.float32)
    dst[0, :] = [dst_w * 0.5, dst_h * 0.5]
    dst[1, :] = np.array([dst_w * 0.5, dst_h * 0.5]) + dst_dir
    src[2, :] = _third_point(src[0, :], src[1, :])
    dst[2, :] = _third_point(dst[0, :], dst[1, :])
    return cv2.getAffineTransform(np.float32(src), np.float32(dst))


def _third_point(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    direction = a - b
    return b + np.r_[-direction[1], direction[0]]


def crop_inputs(image: np.ndarray,
                bboxes: Optional[Union[np.ndarray, Sequence[Sequence[float]]]],
                input_size: Tuple[int, int],
                padding: float,
                mean: Sequence[float],
                std: Sequence[float],
                bgr_to_rgb: bool = True) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Crop, resize and normalise the boxes of an image as MMPose's top-down
    pipeline and data preprocessor do.

    Args:
        image (np.ndarray): (H, W, 3) uint8 image, BGR (as ``cv2.imread``).
        bboxes (np.ndarray, optional): (N, 4) xyxy boxes; ``None`` or empty:
            the whole image.
        input_size (tuple): Model input (w, h).
        padding (float): ``GetBBoxCenterScale`` padding.
        mean (Sequence[float]): Per-channel mean, in the model's channel order.
        std (Sequence[float]): Per-channel standard deviation.
        bgr_to_rgb (bool): Swap the channels of the BGR image first.

    Returns:
        tuple:
        - inputs (np.ndarray): (N, 3, h, w) float32 network inputs.
        - centers (np.ndarray): (N, 2) box centres.
        - scales (np.ndarray): (N, 2) box sizes after padding and aspect-ratio
          fixing: the image region each input shows.
    """
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f'expected an (H, W, 3) image, got shape {image.shape}')
    if bboxes is None or len(bboxes) == 0:
        h, w = image.shape[:2]
        bboxes = np.array([[0, 0, w, h]], dtype=np.float32)
    w, h = input_size
    centers, scales = bbox_xyxy_to_center_scale(np.asarray(bboxes), padding)
    scales = fix_aspect_ratio(scales, aspect_ratio=w / h)
    mean_arr = np.asarray(mean, dtype=np.float32).reshape(3, 1, 1)
    std_arr = np.asarray(std, dtype=np.float32).reshape(3, 1, 1)
    inputs = np.empty((len(centers), 3, h, w), dtype=np.float32)
    for i, (center, scale) in enumerate(zip(centers, scales)):
        warp = get_warp_matrix(center, scale, (w, h))
        crop = cv2.warpAffine(image, warp, (int(w), int(h)), flags=cv2.INTER_LINEAR)
        chw = crop.transpose(2, 0, 1)
        if bgr_to_rgb:
            chw = chw[::-1]
        inputs[i] = (chw.astype(np.float32) - mean_arr) / std_arr
    return inputs, centers, scales


def keypoints_to_image(keypoints: np.ndarray, centers: np.ndarray, scales: np.ndarray,
                       input_size: Tuple[int, int]) -> np.ndarray:
    """Map keypoints from input-crop pixels back to image pixels
    (``TopdownPoseEstimator.add_pred_to_datasample``).

    Args:
        keypoints (np.ndarray): (N, K, 2) in input-crop pixels.
        centers (np.ndarray): (N, 2) from :func:`crop_inputs`.
        scales (np.ndarray): (N, 2) from :func:`crop_inputs`.
        input_size (tuple): (w, h).

    Returns:
        np.ndarray: (N, K, 2) float64, in image pixels.
    """
    keypoints = np.asarray(keypoints, dtype=np.float64)
    size = np.asarray(input_size, dtype=np.float64)
    return (keypoints / size * scales[:, None, :] + centers[:, None, :] -
            0.5 * scales[:, None, :])

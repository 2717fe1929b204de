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
  ``p / input_size * scale + center - scale / 2``;
- ``UprightTopdownPoseEstimator`` (``test_cfg.upright``): hands turned far
  from upright are predicted again on their crop turned upright
  (:func:`predict_upright`; the estimator calls the same functions).

It lives with the inference helpers because inference needs it and
:mod:`mmpose_mlehand.deploy` may import :mod:`mmpose_mlehand.apis`, never the
reverse. It imports neither torch nor MMPose (nor anything of this package),
so it can be copied next to an ONNX model with ``onnx_predictor.py``.
"""
from typing import Callable, Dict, Optional, Sequence, Tuple, Union

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


# FreiHAND order: the wrist and the middle finger's knuckle (MCP).
UPRIGHT_AXIS_KEYPOINTS = (0, 9)
# Image angle of the wrist-to-knuckle direction of an upright hand (image y
# grows downwards: fingers up is -90 degrees), as the synthetic hands' prior
# (mmpose_mlehand/synthetic/samples.py, UPRIGHT_ANGLE_DEG).
UPRIGHT_DEG = -90.0
UPRIGHT_MIN_TURN_DEG = 45.0


def turn_from_upright(keypoints: np.ndarray,
                      axis_keypoints: Sequence[int] = UPRIGHT_AXIS_KEYPOINTS,
                      upright_deg: float = UPRIGHT_DEG) -> np.ndarray:
    """How far each hand is turned from upright, in the image plane.

    Args:
        keypoints (np.ndarray): (N, K, 2) keypoints (image axes: y down).
        axis_keypoints (tuple[int, int]): The keypoints whose direction
            (first to second) is ``upright_deg`` on an upright hand.
        upright_deg (float): That direction's angle on an upright hand.

    Returns:
        np.ndarray: (N,) angles in degrees, in [-180, 180): positive where the
        hand is turned clockwise on screen.
    """
    start, end = axis_keypoints
    axis = np.asarray(keypoints, dtype=np.float64)[:, end] - keypoints[:, start]
    angle = np.degrees(np.arctan2(axis[:, 1], axis[:, 0]))
    return (angle - upright_deg + 180.0) % 360.0 - 180.0


def rotate_points(points: np.ndarray, turn_deg: float, center: np.ndarray) -> np.ndarray:
    """Turn points by ``turn_deg`` about ``center`` (image axes, y down).

    A point of an upright crop made by :func:`turn_crops` with the same angle,
    turned so, lands where it is on the original crop.

    Args:
        points (np.ndarray): (..., 2) points.
        turn_deg (float): Angle in degrees.
        center (np.ndarray): (2,) centre of rotation.

    Returns:
        np.ndarray: (..., 2) float64 turned points (a new array).
    """
    rad = np.radians(turn_deg)
    rot = np.array([[np.cos(rad), -np.sin(rad)], [np.sin(rad), np.cos(rad)]])
    return (np.asarray(points, dtype=np.float64) - center) @ rot.T + center


def rotate_sigmas(sigmas: np.ndarray, turn_deg: float) -> np.ndarray:
    """Standard deviations along the image axes of independent x/y errors
    turned by ``turn_deg``: ``sqrt(cos^2 s_x^2 + sin^2 s_y^2)`` and its twin.

    Args:
        sigmas (np.ndarray): (..., 2) sigma_x, sigma_y in the turned frame.
        turn_deg (float): Angle in degrees.

    Returns:
        np.ndarray: (..., 2) sigmas along the image axes.
    """
    c2, s2 = np.cos(np.radians(turn_deg))**2, np.sin(np.radians(turn_deg))**2
    var = np.asarray(sigmas, dtype=np.float64)**2
    return np.sqrt(np.stack((c2 * var[..., 0] + s2 * var[..., 1],
                             s2 * var[..., 0] + c2 * var[..., 1]), axis=-1))


def turn_crops(crops: np.ndarray, turn_deg: np.ndarray, fill: np.ndarray) -> np.ndarray:
    """Each crop turned back by its hand's angle, so that the hand is upright.

    Output pixel ``p`` is the input bilinearly sampled at
    ``rotate_points(p, turn, c)``, ``c`` the crop's centre pixel, with ``fill``
    beyond the crop: ``torch.nn.functional.grid_sample`` (bilinear, zeros
    padding, ``align_corners=False``) of ``crops - fill``, plus ``fill``.

    Args:
        crops (np.ndarray): (N, C, H, W) normalised crops.
        turn_deg (np.ndarray): (N,) angles (:func:`turn_from_upright`).
        fill (np.ndarray): (C,) value of the pixels turned in from outside
            (a black pixel after normalisation, as ``TopdownAffine`` fills).

    Returns:
        np.ndarray: (N, C, H, W) turned crops, of the crops' dtype.
    """
    _, channels, height, width = crops.shape
    fill = np.asarray(fill, dtype=np.float64).reshape(channels, 1, 1)
    ys, xs = np.mgrid[0:height, 0:width]
    center = np.array([(width - 1) / 2, (height - 1) / 2])
    out = np.empty(crops.shape, dtype=crops.dtype)
    for i, turn in enumerate(turn_deg):
        src = rotate_points(np.stack((xs, ys), axis=-1), float(turn), center)
        x0, y0 = np.floor(src[..., 0]), np.floor(src[..., 1])
        fx, fy = src[..., 0] - x0, src[..., 1] - y0
        image = crops[i].astype(np.float64) - fill
        turned = np.zeros((channels, height, width))
        for dx, dy, weight in ((0, 0, (1 - fx) * (1 - fy)), (1, 0, fx * (1 - fy)),
                               (0, 1, (1 - fx) * fy), (1, 1, fx * fy)):
            xi, yi = x0.astype(int) + dx, y0.astype(int) + dy
            inside = (xi >= 0) & (xi < width) & (yi >= 0) & (yi < height)
            turned += image[:, yi.clip(0, height - 1), xi.clip(0, width - 1)] * (weight * inside)
        out[i] = turned + fill
    return out


def predict_upright(run: Callable[[np.ndarray, np.ndarray], Dict[str, np.ndarray]],
                    inputs: np.ndarray,
                    outputs: Dict[str, np.ndarray], upright: dict,
                    fill: np.ndarray) -> Dict[str, np.ndarray]:
    """Predict again, upright, the hands that a first prediction finds turned.

    Where a hand is turned by ``upright['min_turn_deg']`` (default 45) or more,
    its crop is turned upright (:func:`turn_crops`), predicted again, and the
    second prediction, turned back, replaces the first if its mean score is
    higher (``UprightTopdownPoseEstimator``'s rule).

    Args:
        run (Callable): ``run(crops, index)``: the network on (n, C, H, W)
            crops, turned from ``inputs[index]``: a dict with ``keypoints``
            (n, K, 2) in input pixels, ``scores`` (n, K) and optionally
            ``sigmas`` (n, K, 2).
        inputs (np.ndarray): (N, C, H, W) the crops of the first prediction.
        outputs (dict): The first prediction (as ``run`` returns it).
        upright (dict): ``test_cfg.upright``: ``min_turn_deg``,
            ``axis_keypoints``, ``upright_deg`` (all optional).
        fill (np.ndarray): (C,) a black pixel after normalisation.

    Returns:
        dict: The predictions, first or second for each crop (new arrays).
    """
    turns = turn_from_upright(outputs['keypoints'],
                              upright.get('axis_keypoints', UPRIGHT_AXIS_KEYPOINTS),
                              upright.get('upright_deg', UPRIGHT_DEG))
    turned = np.flatnonzero(np.abs(turns) >= upright.get('min_turn_deg', UPRIGHT_MIN_TURN_DEG))
    result = {key: np.array(value, copy=True) for key, value in outputs.items()}
    if turned.size == 0:
        return result
    second = run(turn_crops(inputs[turned], turns[turned], fill), turned)
    center = np.array([(inputs.shape[-1] - 1) / 2, (inputs.shape[-2] - 1) / 2])
    for j, i in enumerate(turned):
        if second['scores'][j].mean() <= outputs['scores'][i].mean():
            continue
        result['keypoints'][i] = rotate_points(second['keypoints'][j], turns[i], center)
        result['scores'][i] = second['scores'][j]
        if 'sigmas' in result:
            result['sigmas'][i] = rotate_sigmas(second['sigmas'][j], turns[i])
    return result


def normalised_black(mean: Sequence[float], std: Sequence[float]) -> np.ndarray:
    """(C,) value of a black pixel after ``(x - mean) / std``."""
    return -np.asarray(mean, dtype=np.float64) / np.asarray(std, dtype=np.float64)

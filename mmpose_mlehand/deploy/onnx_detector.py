"""Hand boxes from an exported mmdet detector (RTMDet) with ONNX Runtime.

This module imports only numpy, OpenCV and ONNX Runtime (no torch, no mmdet,
nothing of this package): copy it next to a ``detector.onnx`` written by
``tools/export_onnx.py`` and run::

    from onnx_detector import OnnxHandDetector
    detector = OnnxHandDetector('detector.onnx')
    boxes, scores = detector(cv2.imread('hands.jpg'))   # (N, 4) xyxy, (N,)

The exported graph is the network alone (backbone, neck, the head's forward)
with raw per-prior outputs, ``cls_logits`` (1, A, C) and ``bbox_dists``
(1, A, 4), the priors of all levels concatenated (level by level, row by row).
Everything around it is mmdet's test-time code, reproduced step by step so
that the numbers match ``mmdet.apis.inference_detector`` (tested against it):

- ``Resize(scale, keep_ratio=True)``: ``mmcv.imrescale``, bilinear
  (:func:`rescale_size`, :func:`resize_and_pad`);
- ``Pad(size, pad_val=114)``: bottom and right;
- ``DetDataPreprocessor``: ``(x - mean) / std`` (BGR kept, as mmdet's RTMDet);
- ``BaseDenseHead.predict_by_feat`` for RTMDet's point priors: per level the
  sigmoid scores above ``score_thr``, the ``nms_pre`` best; boxes decoded
  from the priors (``MlvlPointGenerator``, offset 0) and the distances
  (``DistancePointBBoxCoder``, clamped to the padded input); rescaled to
  the image; boxes of zero width or height dropped (``min_bbox_size``);
  mmcv's greedy NMS (IoU strictly above the threshold suppresses); the
  ``max_per_img`` best.

One step is added after mmdet's: boxes are clipped to the image (mmdet clips
to the padded input, so on a non-square image a box can reach into the
padding, past the image's edge) and a box left with no area (one wholly in
the padding) is dropped.

Everything the pipeline needs (input size, resize scale, padding value, mean,
std, strides, feature map sizes, ``test_cfg``, class names) is read from the
ONNX file's metadata (key :data:`DETECTOR_METADATA_KEY`), written by
:func:`mmpose_mlehand.deploy.export_detector.export_detector_onnx`.
"""
import json
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np

#: Metadata key of a detector export (pose exports use ``'mmpose_mlehand'``,
#: so each predictor refuses the other's file by name).
DETECTOR_METADATA_KEY = 'mmpose_mlehand_detector'
#: Output names of the exported graph.
DETECTOR_OUTPUTS = ('cls_logits', 'bbox_dists')


def rescale_size(width: int, height: int, scale: Sequence[int]) -> Tuple[int, int]:
    """Size of an image rescaled as large as fits ``scale`` keeping its
    aspect ratio (``mmcv.rescale_size`` with a tuple scale).

    Args:
        width (int): Image width.
        height (int): Image height.
        scale (Sequence[int]): The longest and shortest edge allowed, in
            any order (mmdet's ``Resize(scale, keep_ratio=True)``).

    Returns:
        tuple: (new width, new height).
    """
    factor = min(max(scale) / max(height, width), min(scale) / min(height, width))
    # mmcv's _scale_size: round half up in Python floats.
    return int(width * float(factor) + 0.5), int(height * float(factor) + 0.5)


def to_bgr(image: np.ndarray) -> np.ndarray:
    """A (H, W, 3) BGR image from a BGR, grayscale (H, W) or (H, W, 1), or BGRA
    (H, W, 4) image.

    Raises:
        ValueError: For an empty image or another shape.
    """
    image = np.asarray(image)
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[..., 0]
    if image.ndim not in (2, 3) or image.shape[0] == 0 or image.shape[1] == 0:
        raise ValueError(f'expected an (H, W, 3) BGR image, got shape {image.shape}')
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    if image.shape[2] != 3:
        raise ValueError(f'expected 1, 3 or 4 channels, got shape {image.shape}')
    return image


def resize_and_pad(image: np.ndarray, scale: Sequence[int], input_size: Sequence[int],
                   pad_val: Sequence[float]) -> Tuple[np.ndarray, Tuple[float, float]]:
    """mmdet's ``Resize(scale, keep_ratio=True)`` and ``Pad(size)``.

    Args:
        image (np.ndarray): (H, W, 3) image.
        scale (Sequence[int]): The resize scale (see :func:`rescale_size`).
        input_size (Sequence[int]): (w, h) of the padded input.
        pad_val (Sequence[float]): Padding value per channel.

    Returns:
        tuple: the padded (h, w, 3) image of ``image``'s dtype and the scale
        factor (w_scale, h_scale) = resized size / image size, per axis (the
        sizes are rounded, so the two differ slightly).
    """
    h, w = image.shape[:2]
    new_w, new_h = rescale_size(w, h, scale)
    in_w, in_h = int(input_size[0]), int(input_size[1])
    if new_w > in_w or new_h > in_h:
        raise ValueError(f'resized image {new_w}x{new_h} exceeds the input {in_w}x{in_h}')
    resized = cv2.resize(image, (new_w, new_h), interpolation=cv2.INTER_LINEAR)
    padded = np.empty((in_h, in_w, 3), dtype=image.dtype)
    padded[...] = np.asarray(pad_val, dtype=image.dtype)
    padded[:new_h, :new_w] = resized
    return padded, (new_w / w, new_h / h)


def grid_priors(featmap_sizes: Sequence[Sequence[int]], strides: Sequence[Sequence[int]],
                offset: float = 0.0) -> List[np.ndarray]:
    """Point priors of each level (mmdet's ``MlvlPointGenerator``).

    Args:
        featmap_sizes (Sequence): (h, w) of each level's feature map.
        strides (Sequence): (stride_w, stride_h) of each level.
        offset (float): Prior offset in strides (RTMDet: 0, the cell's corner).

    Returns:
        list: per level, (h * w, 2) float32 points (x, y) in input pixels,
        row by row.
    """
    priors = []
    for (h, w), (stride_w, stride_h) in zip(featmap_sizes, strides):
        xs = (np.arange(w, dtype=np.float32) + offset) * stride_w
        ys = (np.arange(h, dtype=np.float32) + offset) * stride_h
        xx, yy = np.meshgrid(xs, ys)
        priors.append(np.stack([xx.ravel(), yy.ravel()], axis=1).astype(np.float32))
    return priors


def filter_scores_and_topk(scores: np.ndarray, score_thr: float,
                           topk: int) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ``topk`` best (prior, class) scores above ``score_thr`` (mmdet's
    ``filter_scores_and_topk``).

    Args:
        scores (np.ndarray): (A, C) scores of one level.
        score_thr (float): Scores at or below are dropped.
        topk (int): Most kept; < 0: all.

    Returns:
        tuple: scores (k,) by decreasing score, prior indices (k,) and
        labels (k,).
    """
    priors, labels = np.nonzero(scores > score_thr)
    kept = scores[priors, labels]
    order = np.argsort(-kept, kind='stable')
    if topk >= 0:
        order = order[:topk]
    return kept[order], priors[order], labels[order]


def distance2bbox(points: np.ndarray, distances: np.ndarray,
                  max_shape: Optional[Sequence[int]] = None) -> np.ndarray:
    """Boxes (N, 4) xyxy from points (N, 2) and distances (N, 4) to the left,
    top, right and bottom edges, clamped to ``max_shape`` (h, w) (mmdet's
    ``distance2bbox``)."""
    boxes = np.concatenate([points - distances[:, :2], points + distances[:, 2:]], axis=1)
    if max_shape is not None:
        h, w = max_shape
        boxes[:, 0::2] = np.clip(boxes[:, 0::2], 0, w)
        boxes[:, 1::2] = np.clip(boxes[:, 1::2], 0, h)
    return boxes


def nms(boxes: np.ndarray, scores: np.ndarray, iou_threshold: float,
        max_keep: Optional[int] = None) -> np.ndarray:
    """Greedy NMS as mmcv's ``nms`` (CPU, offset 0): by decreasing score, a box
    whose IoU with a kept box is above ``iou_threshold`` is suppressed.

    Args:
        boxes (np.ndarray): (N, 4) xyxy float32 boxes.
        scores (np.ndarray): (N,) scores.
        iou_threshold (float): IoU above which a box is suppressed.
        max_keep (int, optional): Stop after this many kept boxes (greedy
            NMS decides each box from the higher-scoring ones alone, so the
            first ``max_keep`` are those of a full run).

    Returns:
        np.ndarray: (k,) indices of the kept boxes, by decreasing score.
    """
    x1, y1, x2, y2 = (boxes[:, i] for i in range(4))
    areas = (x2 - x1) * (y2 - y1)
    order = np.argsort(-scores, kind='stable')
    alive = np.ones(len(order), dtype=bool)
    keep = []
    for rank, i in enumerate(order):
        if not alive[rank]:
            continue
        keep.append(i)
        if max_keep is not None and len(keep) >= max_keep:
            break
        rest = order[rank + 1:]
        w = np.maximum(np.float32(0), np.minimum(x2[i], x2[rest]) - np.maximum(x1[i], x1[rest]))
        h = np.maximum(np.float32(0), np.minimum(y2[i], y2[rest]) - np.maximum(y1[i], y1[rest]))
        inter = w * h
        with np.errstate(divide='ignore', invalid='ignore'):
            iou = inter / (areas[i] + areas[rest] - inter)
        alive[rank + 1:] &= ~(iou > iou_threshold)  # NaN (0 / 0) suppresses nothing
    return np.asarray(keep, dtype=np.int64)


def batched_nms(boxes: np.ndarray, scores: np.ndarray, labels: np.ndarray,
                iou_threshold: float, class_agnostic: bool = False,
                max_keep: Optional[int] = None) -> np.ndarray:
    """NMS within each class (mmcv's ``batched_nms``: each class's boxes are
    offset by ``label * (max coordinate + 1)`` so that classes never overlap).

    Returns:
        np.ndarray: (k,) indices of the kept boxes, by decreasing score.
    """
    if len(boxes) == 0:
        return np.zeros(0, dtype=np.int64)
    if not class_agnostic:
        offsets = labels.astype(boxes.dtype) * (boxes.max() + boxes.dtype.type(1))
        boxes = boxes + offsets[:, None]
    return nms(boxes, scores, iou_threshold, max_keep)


class OnnxHandDetector:
    """Hand boxes with an exported mmdet RTMDet detector and ONNX Runtime.

    The counterpart of :class:`mmpose_mlehand.apis.detector.MMDetHandDetector`
    (PyTorch): the same call and the same boxes and scores (see the module
    docstring for the one added step, clipping to the image).

    Args:
        onnx_file (str): ONNX file written by ``tools/export_onnx.py`` from a
            detector config.
        num_threads (int, optional): Intra-op threads (default: ONNX
            Runtime's choice, one per core).
        providers (Sequence[str], optional): ONNX Runtime execution providers;
            default: ``CPUExecutionProvider``.
        score_thr (float, optional): Override the config's
            ``test_cfg.score_thr``.
        category_ids (tuple): Classes that are hands. Defaults to ``(0, )``.
        allow_spinning (bool): As :class:`~.onnx_predictor.OnnxHandPredictor`'s:
            turn it off when a pose model's session runs after each frame.

    Attributes:
        meta (dict): The export metadata (``input_size`` (w, h),
            ``resize_scale``, ``pad_val``, ``mean``, ``std``, ``bgr_to_rgb``,
            ``strides``, ``prior_offset``, ``clip_border``, ``featmap_sizes``,
            ``num_classes``, ``classes``, ``test_cfg``, ``outputs``).
        score_thr (float): Boxes scoring at or below are never returned.
        input_size (tuple): (w, h) of the network's input.
    """

    def __init__(self, onnx_file: str, num_threads: Optional[int] = None,
                 providers: Optional[Sequence[str]] = None,
                 score_thr: Optional[float] = None, category_ids: Tuple[int, ...] = (0, ),
                 allow_spinning: bool = True):
        import onnxruntime as ort
        if not osp.isfile(onnx_file):
            raise FileNotFoundError(f'detector ONNX file {onnx_file} does not exist (export '
                                    'one with tools/export_onnx.py DETECTOR_CONFIG CHECKPOINT '
                                    '--out FILE)')
        # The session set-up of onnx_predictor's, repeated on purpose: each of
        # the two files runs alone when copied out of the package.
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        if num_threads:
            options.intra_op_num_threads = num_threads
        if not allow_spinning:
            options.add_session_config_entry('session.intra_op.allow_spinning', '0')
        self.session = ort.InferenceSession(
            onnx_file, sess_options=options,
            providers=list(providers or ['CPUExecutionProvider']))
        raw = self.session.get_modelmeta().custom_metadata_map.get(DETECTOR_METADATA_KEY)
        if raw is None:
            raise ValueError(f'{onnx_file} has no {DETECTOR_METADATA_KEY!r} metadata: it is '
                             'no detector export of tools/export_onnx.py')
        self.meta: Dict = json.loads(raw)
        self.input_name = self.session.get_inputs()[0].name
        self.output_names = [out.name for out in self.session.get_outputs()]
        self.input_size = tuple(int(v) for v in self.meta['input_size'])
        self.test_cfg: Dict = dict(self.meta['test_cfg'])
        self.score_thr = float(self.test_cfg.get('score_thr', 0.0) if score_thr is None
                               else score_thr)
        self.category_ids = tuple(category_ids)
        self._mean = np.asarray(self.meta['mean'], np.float32).reshape(1, 3, 1, 1)
        self._std = np.asarray(self.meta['std'], np.float32).reshape(1, 3, 1, 1)
        self._priors = grid_priors(self.meta['featmap_sizes'], self.meta['strides'],
                                   float(self.meta['prior_offset']))

    def preprocess(self, image: np.ndarray) -> Tuple[np.ndarray, Tuple[float, float]]:
        """mmdet's test pipeline and data preprocessor on one image.

        Args:
            image (np.ndarray): (H, W, 3) BGR, (H, W) grayscale or (H, W, 4)
                BGRA image.

        Returns:
            tuple: the network input (1, 3, h, w) float32 and the scale
            factor (w_scale, h_scale) of the resize.
        """
        padded, scale_factor = resize_and_pad(to_bgr(image), self.meta['resize_scale'],
                                              self.input_size, self.meta['pad_val'])
        if self.meta['bgr_to_rgb']:
            padded = padded[..., ::-1]
        inputs = padded.transpose(2, 0, 1)[None].astype(np.float32)
        return (inputs - self._mean) / self._std, scale_factor

    def run(self, inputs: np.ndarray) -> Dict[str, np.ndarray]:
        """The network on a normalised input (1, 3, h, w): ``cls_logits``
        (1, A, C) and ``bbox_dists`` (1, A, 4, input pixels)."""
        outputs = self.session.run(None, {self.input_name: np.ascontiguousarray(inputs)})
        return dict(zip(self.output_names, outputs))

    def postprocess(self, outputs: Dict[str, np.ndarray], scale_factor: Tuple[float, float],
                    image_shape: Tuple[int, int]) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
        """RTMDet's ``predict_by_feat`` on one image's raw outputs, then the
        clip to the image.

        Args:
            outputs (dict): :meth:`run`'s outputs.
            scale_factor (tuple): (w_scale, h_scale) of :meth:`preprocess`.
            image_shape (tuple): (H, W) of the original image.

        Returns:
            tuple: boxes (N, 4) xyxy float32 in image pixels, scores (N,)
            float32 and labels (N,) int64, by decreasing score.
        """
        cfg = self.test_cfg
        logits = outputs['cls_logits'][0]
        dists = outputs['bbox_dists'][0]
        nms_pre = int(cfg.get('nms_pre', -1))
        all_scores, all_labels, all_points, all_dists = [], [], [], []
        start = 0
        for priors in self._priors:
            stop = start + len(priors)
            level_scores = 1.0 / (1.0 + np.exp(-logits[start:stop]))
            scores, idx, labels = filter_scores_and_topk(level_scores, self.score_thr, nms_pre)
            all_scores.append(scores)
            all_labels.append(labels)
            all_points.append(priors[idx])
            all_dists.append(dists[start:stop][idx])
            start = stop
        scores = np.concatenate(all_scores).astype(np.float32)
        labels = np.concatenate(all_labels).astype(np.int64)
        in_w, in_h = self.input_size
        # Clamped to the padded input (mmdet's img_shape after Pad).
        boxes = distance2bbox(np.concatenate(all_points), np.concatenate(all_dists),
                              (in_h, in_w) if self.meta.get('clip_border', True) else None
                              ).astype(np.float32)
        w_scale, h_scale = scale_factor
        boxes = boxes * np.array([1 / w_scale, 1 / h_scale] * 2, dtype=np.float32)
        min_size = float(cfg.get('min_bbox_size', -1))
        if min_size >= 0:
            valid = ((boxes[:, 2] - boxes[:, 0]) > min_size) & \
                ((boxes[:, 3] - boxes[:, 1]) > min_size)
            boxes, scores, labels = boxes[valid], scores[valid], labels[valid]
        max_per_img = int(cfg.get('max_per_img', -1))
        max_keep = max_per_img if max_per_img >= 0 else None
        nms_cfg = cfg.get('nms')
        if nms_cfg:
            keep = batched_nms(boxes, scores, labels, float(nms_cfg['iou_threshold']),
                               bool(nms_cfg.get('class_agnostic', False)), max_keep)
        else:
            keep = np.argsort(-scores, kind='stable')[:max_keep]
        boxes, scores, labels = boxes[keep], scores[keep], labels[keep]
        # Added to mmdet's steps: clip to the image, drop what lies wholly outside.
        height, width = image_shape
        boxes[:, 0::2] = np.clip(boxes[:, 0::2], 0, width)
        boxes[:, 1::2] = np.clip(boxes[:, 1::2], 0, height)
        inside = (boxes[:, 2] > boxes[:, 0]) & (boxes[:, 3] > boxes[:, 1])
        return boxes[inside], scores[inside], labels[inside]

    def __call__(self, image: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """Detect hands in a BGR image.

        Args:
            image (np.ndarray): (H, W, 3) uint8 BGR image; grayscale (H, W)
                and BGRA (H, W, 4) images are converted.

        Returns:
            tuple: boxes (N, 4) xyxy float32 in image pixels and scores (N,)
            float32, by decreasing score.
        """
        image = to_bgr(image)
        inputs, scale_factor = self.preprocess(image)
        boxes, scores, labels = self.postprocess(self.run(inputs), scale_factor,
                                                 image.shape[:2])
        hands = np.isin(labels, self.category_ids)
        return boxes[hands], scores[hands]

    detect = __call__

"""Give the plugin's top-down hand models the bundled hand detector by default.

MMPose's inferencer picks a default detector by the pose model's data set
(``BaseMMPoseInferencer._init_detector``): its own hand data sets get
``rtmdet_nano_320-8xb32_hand`` (downloaded at run time), and a data set it does
not know, such as the plugin's, gets none, so a photo is cropped as a whole.
With this patch a pose model trained on a data set of this plugin gets the
detector shipped in :mod:`mmpose_mlehand.bundled` (``mlehand-hand-detector``,
no download) when ``det_model`` is not given. ``det_model=``/``det_weights=``
still choose another detector (``'whole_image'`` none; without ``det_cat_ids``
its ``hand`` class, where MMPose would keep no box), ``bboxes=`` still skips
detection, and every other model keeps MMPose's choice.

MMPose also crops the whole image when its detector finds nothing, so a photo
without a hand gets one made-up hand. For the plugin's models a detector that
finds nothing gives no instance, unless the pose model's config sets
``hand_whole_image_thr``: then the prediction on the whole image is kept when
its mean keypoint score (1 - sigma) reaches it, so a hand that fills the frame
is found even where the detector misses it (its ``bbox`` is the box a detector
is trained to give, the predicted keypoints' extent x 1.2 clipped to the image;
``bbox_score`` 0). ``tools/choose_whole_image_thr.py`` chooses that threshold
on hand-free validation scenes (few made-up hands) and writes it into the
bundled model's config.

The score threshold of the boxes (MMPose's ``bbox_thr``, 0.3 when not given)
is the detector's own when the user gives none (the bundled one's, or that of
a detector config given by path): ``hand_score_thr`` of its config, chosen on
the held-out validation scenes by ``tools/train_bundled_detector.py``; with it
goes the fallback ``hand_fallback_thr`` (when no box passes, the best box
above it is kept: real hands score lower than synthetic ones), chosen on the
same scenes. A
``bbox_thr`` given by the user is MMPose's plain threshold.
"""
import os.path as osp
import warnings
from typing import List, Optional, Tuple, Union

import mmcv
import numpy as np
from mmpose.apis.inferencers.base_mmpose_inferencer import BaseMMPoseInferencer
from mmpose.apis.inferencers.pose2d_inferencer import Pose2DInferencer
from mmpose.evaluation.functional import nms
from mmpose.registry import DATASETS

from ..apis.detector import MMPOSE_BBOX_THR, hand_thresholds
from ..bundled import DEFAULT_DETECTOR, bundled_model_files
from ..hand_format import KEYPOINT_BBOX_SCALE, keypoint_bbox
from ..utils.boxes import kept_boxes
from ..utils.scope import default_scope_kept

_mmpose_init_detector = BaseMMPoseInferencer._init_detector
# Category of hands in the bundled detector (its only class).
HAND_CATEGORY_IDS = (0, )


def trained_with_plugin_data(cfg) -> bool:
    """Whether a pose config's ``dataset_type`` is one of this plugin's data sets."""
    dataset_type = cfg.get('dataset_type')
    if not isinstance(dataset_type, str):
        return False
    dataset = DATASETS.get(dataset_type)
    return dataset is not None and dataset.__module__.startswith('mmpose_mlehand.')


def _init_detector_bundled_by_default(self: BaseMMPoseInferencer,
                                      det_model: Optional[Union[str, dict]] = None,
                                      det_weights: Optional[str] = None,
                                      det_cat_ids: Optional[Union[int, Tuple]] = None,
                                      device: Optional[str] = None) -> None:
    """MMPose's detector choice, with the bundled hand detector for the plugin's models."""
    self._mlehand_bbox_thr = self._mlehand_default_fallback_thr = None
    plugin_model = trained_with_plugin_data(self.cfg)
    self._mlehand_default_whole_image_thr = (
        self.cfg.get('hand_whole_image_thr') if plugin_model else None)
    if det_model is None and plugin_model:
        try:
            det_model, det_weights = bundled_model_files(DEFAULT_DETECTOR)
            det_cat_ids = HAND_CATEGORY_IDS
        except FileNotFoundError as exc:
            warnings.warn(f'{exc}; without it images without boxes are cropped whole')
    if plugin_model and isinstance(det_model, str) and osp.isfile(det_model):
        # A detector config of this plugin's kind (the bundled one, or a
        # retrained one given by path) carries its own thresholds.
        self._mlehand_bbox_thr, self._mlehand_default_fallback_thr = \
            hand_thresholds(det_model)
    with default_scope_kept():  # mmdet's inferencer makes mmdet the default scope
        _mmpose_init_detector(self, det_model=det_model, det_weights=det_weights,
                              det_cat_ids=det_cat_ids, device=device)
    if plugin_model and det_cat_ids is None and getattr(self, 'detector', None) is not None:
        # MMPose keeps the boxes of `det_cat_ids` only, (None, ) when not
        # given: no box at all. A hand model wants the detector's hand class.
        classes = list(self.detector.model.dataset_meta.get('classes', ()))
        if 'hand' in classes:
            self.det_cat_ids = (classes.index('hand'), )


def detect_boxes(inferencer: Pose2DInferencer, image: Union[str, np.ndarray],
                 bbox_thr: float, nms_thr: float,
                 fallback_thr: Optional[float] = None) -> np.ndarray:
    """The detector's boxes as MMPose's inferencer keeps them: the hand
    categories, score above ``bbox_thr``, NMS at ``nms_thr``; when no box
    passes ``bbox_thr``, the best one if it scores above ``fallback_thr``
    (:func:`~mmpose_mlehand.utils.boxes.kept_boxes`).

    Returns:
        np.ndarray: (N, 5) ``x1, y1, x2, y2, score``.
    """
    det = inferencer.detector(image, return_datasamples=True)['predictions'][0]
    instances = det.pred_instances.cpu().numpy()
    boxes = np.concatenate([instances.bboxes, instances.scores[:, None]], axis=1)
    boxes = boxes[np.isin(instances.labels, inferencer.det_cat_ids)]
    boxes = boxes[kept_boxes(boxes[:, 4], bbox_thr, fallback_thr)]
    return boxes[nms(boxes, nms_thr)] if len(boxes) else boxes.reshape(0, 5)


def _preprocess_single_no_made_up_hand(self: Pose2DInferencer, input: Union[str, np.ndarray],
                                       index: int, bbox_thr: float = 0.3,
                                       nms_thr: float = 0.3, bboxes=()) -> List[dict]:
    """Detect, then crop the detected boxes; no detection: a placeholder that
    :func:`_forward_without_placeholder` turns into no instance."""
    self._mlehand_no_hand = False
    if (self.cfg.data_mode != 'topdown' or getattr(self, 'detector', None) is None
            or (bboxes is not None and len(bboxes) > 0)
            or not trained_with_plugin_data(self.cfg)):
        return _preprocess_single_before(self, input, index, bbox_thr=bbox_thr,
                                         nms_thr=nms_thr, bboxes=bboxes)
    boxes = detect_boxes(self, input, bbox_thr, nms_thr,
                         getattr(self, '_mlehand_fallback_thr', None))
    if len(boxes) == 0:
        # MMPose's pipeline needs an instance: the whole image, dropped after
        # the forward pass.
        self._mlehand_no_hand = True
        h, w = (mmcv.imread(input) if isinstance(input, str) else input).shape[:2]
        boxes = np.array([[0, 0, w, h, 0]], np.float32)
    return _preprocess_single_before(self, input, index, bbox_thr=bbox_thr, nms_thr=nms_thr,
                                     bboxes=boxes)


def whole_image_kept(keypoint_scores: np.ndarray, thr: Optional[float]) -> np.ndarray:
    """Which whole-image predictions (N, K) keypoint scores keep: mean score
    at least ``thr``; none when ``thr`` is None. Returns (N,) bool."""
    scores = np.asarray(keypoint_scores, np.float64)
    if thr is None or len(scores) == 0:
        return np.zeros(len(scores), bool)
    return scores.reshape(len(scores), -1).mean(axis=1) >= thr


def keypoint_boxes(keypoints: np.ndarray, frames: np.ndarray) -> np.ndarray:
    """The hand boxes of whole-image predictions: the extent of each
    instance's (K, 2) keypoints x ``KEYPOINT_BBOX_SCALE`` (the box the
    detector is trained to give), clipped to its frame.

    Args:
        keypoints (np.ndarray): (N, K, 2) predicted keypoints, image pixels.
        frames (np.ndarray): (N, 4) the whole-image boxes, xyxy.

    Returns:
        np.ndarray: (N, 4) float32 xyxy.
    """
    boxes = []
    for points, frame in zip(np.asarray(keypoints, np.float64), np.asarray(frames, np.float64)):
        x, y, w, h = keypoint_bbox(points, KEYPOINT_BBOX_SCALE)
        boxes.append(np.clip([x, y, x + w, y + h], frame[[0, 1, 0, 1]], frame[[2, 3, 2, 3]]))
    return np.array(boxes, np.float32).reshape(-1, 4)


def _forward_without_placeholder(self: Pose2DInferencer, inputs, *args, **kwargs):
    """MMPose's forward pass; an image without a detected hand gets no instance
    unless the whole-image prediction scores ``hand_whole_image_thr``; a kept
    one's box is its keypoints' (:func:`keypoint_boxes`)."""
    data_samples = _mmpose_forward(self, inputs, *args, **kwargs)
    if getattr(self, '_mlehand_no_hand', False):
        thr = getattr(self, '_mlehand_whole_image_thr', None)
        for sample in data_samples:
            instances = sample.pred_instances
            kept = instances[whole_image_kept(instances.keypoint_scores, thr)]
            if len(kept):
                kept.bboxes = keypoint_boxes(kept.keypoints, kept.bboxes)
            sample.pred_instances = kept
        self._mlehand_no_hand = False
    return data_samples


def _preprocess_with_detector_threshold(self: Pose2DInferencer, inputs, batch_size: int = 1,
                                        bboxes=None, bbox_thr: Optional[float] = None,
                                        nms_thr: float = 0.3, **kwargs):
    """MMPose's preprocessing; without ``bbox_thr``, the bundled detector's
    threshold and fallback threshold (MMPose's 0.3 and none for other
    detectors) and the pose model's whole-image threshold; a ``bbox_thr``
    given is MMPose's: no fallback of either kind."""
    self._mlehand_fallback_thr = self._mlehand_whole_image_thr = None
    if bbox_thr is None:
        bbox_thr = getattr(self, '_mlehand_bbox_thr', None)
        bbox_thr = MMPOSE_BBOX_THR if bbox_thr is None else float(bbox_thr)
        self._mlehand_fallback_thr = getattr(self, '_mlehand_default_fallback_thr', None)
        self._mlehand_whole_image_thr = getattr(self, '_mlehand_default_whole_image_thr', None)
    return _mmpose_preprocess(self, inputs, batch_size=batch_size, bboxes=bboxes,
                              bbox_thr=bbox_thr, nms_thr=nms_thr, **kwargs)


_mmpose_forward = Pose2DInferencer.forward
_mmpose_preprocess = BaseMMPoseInferencer.preprocess
_preprocess_single_before = Pose2DInferencer.preprocess_single


def register_bundled_detector() -> None:
    """Install the default detector and the no-hand rule in MMPose's
    inferencers; idempotent. Installed after
    :func:`~.inferencer_boxes.register_inferencer_boxes`, whose box-aware
    preprocessing it calls."""
    global _preprocess_single_before
    BaseMMPoseInferencer._init_detector = _init_detector_bundled_by_default
    if Pose2DInferencer.preprocess_single is not _preprocess_single_no_made_up_hand:
        _preprocess_single_before = Pose2DInferencer.preprocess_single
        Pose2DInferencer.preprocess_single = _preprocess_single_no_made_up_hand
    Pose2DInferencer.forward = _forward_without_placeholder
    Pose2DInferencer.preprocess = _preprocess_with_detector_threshold

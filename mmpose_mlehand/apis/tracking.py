"""Follow hands through a video with a top-down predictor (and a hand detector).

With a detector (:class:`MultiHandTracker`), hands are found by the detector
and followed by their keypoints: see the class for when it detects again.
Without one (:class:`HandTracker`), one hand is followed from a given box:
the first frame uses a given box, or the whole frame. Every later frame is
cropped around the previous frame's keypoints (a square box
``box_scale`` times their extent). When the mean keypoint score (``1 - sigma``
from the predicted sigmas) drops, the next frame starts again from the
initial box: below ``reinit_score``, or more than ``reinit_drop`` below its
running average over the frames tracked since the last (re-)initialisation
(how large the scores of a well-tracked hand are depends on the model).
Works with any predictor called as
``predictor(image, bboxes) -> (keypoints (N, K, 2), scores (N, K))``:
:class:`~.predictor.TopdownHandPredictor` (PyTorch, eager or fast) or
:class:`~mmpose_mlehand.deploy.onnx_predictor.OnnxHandPredictor` (ONNX
Runtime); and any detector called as ``detector(image) -> (boxes (N, 4) xyxy,
scores (N,))``: :class:`~.detector.MMDetHandDetector` or
:class:`~mmpose_mlehand.deploy.onnx_detector.OnnxHandDetector`. This module
needs numpy and OpenCV only.
"""
import time
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Union

import cv2
import numpy as np

from ..hand_format import KEYPOINT_BBOX_SCALE
from ..utils.boxes import box_iou, kept_boxes
from .detector import MMPOSE_BBOX_THR

Predictor = Callable[[np.ndarray, np.ndarray], Tuple[np.ndarray, np.ndarray]]
Detector = Callable[[np.ndarray], Tuple[np.ndarray, np.ndarray]]

# RGB colour of links without one in the meta.
_DEFAULT_LINK_COLOR = (0, 255, 0)


def keypoints_to_bbox(keypoints: np.ndarray, box_scale: float = 2.0,
                      min_size: float = 16.0) -> np.ndarray:
    """A square xyxy box around keypoints.

    Args:
        keypoints (np.ndarray): (K, 2) keypoints in image pixels.
        box_scale (float): Box side over the keypoints' extent (the larger of
            their width and height). The default 2.0 gives a crop in which
            the hand fills about the share of the 224 px FreiHAND images the
            models are trained on (the crop is the box times the config's
            padding, 0.8 for the FreiHAND configs).
        min_size (float): Smallest box side in pixels.

    Returns:
        np.ndarray: (4, ) box ``x1, y1, x2, y2``.
    """
    low, high = keypoints.min(axis=0), keypoints.max(axis=0)
    center = (low + high) / 2
    half = max(float((high - low).max()) * box_scale, min_size) / 2
    return np.array([center[0] - half, center[1] - half, center[0] + half, center[1] + half],
                    dtype=np.float32)


class HandTracker:
    """Track one hand from frame to frame.

    Args:
        predictor (callable): ``predictor(image, bboxes)`` -> keypoints
            (N, K, 2) in image pixels and scores (N, K).
        init_bbox (Sequence[float], optional): xyxy box of the hand in the
            first frame (and after a re-initialisation); ``None``: the whole
            frame.
        reinit_score (float): Re-initialise when the mean keypoint score of a
            frame is below this. Scores are ``1 - mean(sigma)`` with sigma in
            units of the crop size: 0.5 means the model expects errors of
            half the crop. Defaults to 0.5.
        reinit_drop (float): Re-initialise when the mean keypoint score falls
            more than this below its running average (exponential, weight
            ``1 - score_momentum`` for the newest frame) since the last
            (re-)initialisation. Defaults to 0.1.
        box_scale (float): See :func:`keypoints_to_bbox`.
        score_momentum (float): Of the running average. Defaults to 0.9.
    """

    def __init__(self, predictor: Predictor, init_bbox: Optional[Sequence[float]] = None,
                 reinit_score: float = 0.5, reinit_drop: float = 0.1, box_scale: float = 2.0,
                 score_momentum: float = 0.9):
        self.predictor = predictor
        self.init_bbox = None if init_bbox is None else np.asarray(init_bbox, np.float32)
        self.reinit_score = reinit_score
        self.reinit_drop = reinit_drop
        self.box_scale = box_scale
        self.score_momentum = score_momentum
        self.bbox: Optional[np.ndarray] = None
        self.running_score: Optional[float] = None

    def reset(self) -> None:
        """Start again from the initial box with the next frame."""
        self.bbox = None
        self.running_score = None

    def initial_bbox(self, frame: np.ndarray) -> np.ndarray:
        """The given box, or the whole frame."""
        if self.init_bbox is not None:
            return self.init_bbox
        h, w = frame.shape[:2]
        return np.array([0, 0, w, h], dtype=np.float32)

    def step(self, frame: np.ndarray) -> Dict[str, Union[np.ndarray, bool, float]]:
        """Predict the hand in one frame and choose the next frame's box.

        Returns:
            dict: ``keypoints`` (K, 2) image pixels, ``scores`` (K, ),
            ``bbox`` (4, ) the box used, ``initialised`` whether that was the
            initial box, ``lost`` whether the scores fell below
            ``reinit_score`` (the next frame re-initialises).
        """
        initialised = self.bbox is None
        bbox = self.initial_bbox(frame) if initialised else self.bbox
        keypoints, scores = self.predictor(frame, bbox[None])
        keypoints, scores = keypoints[0], scores[0]
        score = float(np.mean(scores))
        dropped = self.running_score is not None and score < self.running_score - self.reinit_drop
        lost = score < self.reinit_score or dropped or not np.isfinite(keypoints).all()
        if lost:
            self.reset()
        else:
            self.bbox = keypoints_to_bbox(keypoints, self.box_scale)
            self.running_score = score if self.running_score is None else (
                self.score_momentum * self.running_score + (1 - self.score_momentum) * score)
        return dict(keypoints=keypoints, scores=scores, bbox=bbox, initialised=initialised,
                    lost=lost)


def detection_to_crop_box(box: np.ndarray, box_scale: float,
                          detection_scale: float = KEYPOINT_BBOX_SCALE) -> np.ndarray:
    """A detection box grown to the tracking crop: same centre, its longer side
    scaled by ``box_scale / detection_scale``, square.

    Args:
        box (np.ndarray): (4, ) xyxy detection box (the keypoint extent times
            ``detection_scale``, as the bundled detector is trained).
        box_scale (float): See :func:`keypoints_to_bbox`.
        detection_scale (float): The detector's box over the keypoint extent.
    """
    box = np.asarray(box, np.float32)
    center = (box[:2] + box[2:]) / 2
    half = float((box[2:] - box[:2]).max()) * box_scale / detection_scale / 2
    return np.array([center[0] - half, center[1] - half, center[0] + half, center[1] + half],
                    dtype=np.float32)


class MultiHandTracker:
    """Find up to ``max_hands`` hands with a detector and follow them by their keypoints.

    Each frame, every tracked hand is cropped around its previous keypoints
    (:func:`keypoints_to_bbox`) and the pose model predicts it again. The
    detector runs

    - on every frame while no hand is tracked, and on the frame after a hand
      is lost;
    - every ``redetect_every`` frames, to find hands that enter (while fewer
      than ``max_hands`` are tracked) and to confirm the tracked hands: a
      hand that no detection overlaps (IoU of the detection with the box of
      its keypoints at least ``match_iou``) ``miss_patience`` times in a row
      is dropped.

    A hand is lost (dropped at once) when its keypoints are not finite, when
    its mean keypoint score falls below ``min_score``, or when the score falls
    more than ``score_drop`` below its running average. The score thresholds
    are low on purpose: on real video the bundled models' mean scores sit near
    0.5 for well-tracked hands, so a threshold there drops good tracks every
    few frames; the detector, not the score, decides whether a hand is there.
    A detection that overlaps a tracked hand (IoU at least ``match_iou``)
    starts no new track, and of two tracks that end up on the same hand (IoU
    of their boxes above ``match_iou``) the younger one is dropped.

    With ``whole_image_thr`` the pose model's confidence also counts, as in
    the plugin's inferencer (``hand_whole_image_thr`` of the bundled pose
    models' configs): when no hand is tracked and the detector keeps no box,
    the prediction on the whole frame starts a track if its mean keypoint
    score reaches the threshold (a hand filling the frame, which the
    detector misses), and a tracked hand that no detection confirms is kept
    while its running score reaches it.

    Args:
        predictor (callable): ``predictor(image, bboxes)`` -> keypoints
            (N, K, 2) and scores (N, K).
        detector (callable): ``detector(image)`` -> boxes (N, 4) xyxy and
            scores (N,).
        max_hands (int): Most hands followed at once. Defaults to 2.
        det_score_thr (float): Detections scoring at or below are ignored...
            Defaults to 0.3 (MMPose's inferencer's ``bbox_thr``).
        det_fallback_thr (float, optional): ... unless none scores above
            ``det_score_thr``: then the best one counts if it scores above
            this (:func:`~mmpose_mlehand.utils.boxes.kept_boxes`; the bundled
            detector's ``hand_fallback_thr``). None: no fallback.
        redetect_every (int): Frames between detections. Defaults to 10.
        miss_patience (int): Confirmations in a row without a detection that
            drop a hand. Defaults to 2.
        match_iou (float): IoU that matches a detection to a tracked hand.
            Defaults to 0.3.
        min_score (float): Absolute floor of a hand's mean keypoint score.
            Defaults to 0.2.
        score_drop (float): Largest fall of the mean keypoint score below its
            running average (momentum 0.9). Defaults to 0.25.
        box_scale (float): Crop side over the keypoint extent. Defaults to
            1.5 (the bundled models are trained on 1.2 and measured on real
            photographs at 1.2 and 1.7).
        whole_image_thr (float, optional): Mean keypoint score at which the
            whole-frame prediction starts a track, and at which a running
            score keeps an unconfirmed one (see above). None: the detector
            alone decides.
    """

    def __init__(self, predictor: Predictor, detector: Detector, max_hands: int = 2,
                 det_score_thr: float = MMPOSE_BBOX_THR, redetect_every: int = 10,
                 miss_patience: int = 2, match_iou: float = 0.3, min_score: float = 0.2,
                 score_drop: float = 0.25, box_scale: float = 1.5,
                 score_momentum: float = 0.9, det_fallback_thr: Optional[float] = None,
                 whole_image_thr: Optional[float] = None):
        if max_hands < 1 or redetect_every < 1 or miss_patience < 1:
            raise ValueError('max_hands, redetect_every and miss_patience must be >= 1')
        self.predictor = predictor
        self.detector = detector
        self.max_hands = max_hands
        self.det_score_thr = det_score_thr
        self.det_fallback_thr = det_fallback_thr
        self.redetect_every = redetect_every
        self.miss_patience = miss_patience
        self.match_iou = match_iou
        self.min_score = min_score
        self.score_drop = score_drop
        self.box_scale = box_scale
        self.score_momentum = score_momentum
        self.whole_image_thr = whole_image_thr
        self.tracks: List[Dict] = []
        self.frame_index = 0
        self.last_detection: Optional[int] = None
        self.detect_next = True
        self.next_id = 0
        self.detections = 0

    def _should_detect(self) -> bool:
        due = (self.last_detection is None
               or self.frame_index - self.last_detection >= self.redetect_every)
        return self.detect_next or due or not self.tracks

    def _detect(self, frame: np.ndarray) -> List[bool]:
        """Run the detector: confirm, drop and start tracks. Returns which
        tracks (in the new order) started now."""
        boxes, scores = self.detector(frame)
        boxes = np.asarray(boxes, np.float32).reshape(-1, 4)
        scores = np.asarray(scores, np.float32).reshape(-1)
        keep = kept_boxes(scores, self.det_score_thr, self.det_fallback_thr)
        boxes, scores = boxes[keep], scores[keep]
        self.detections += 1
        self.last_detection = self.frame_index
        self.detect_next = False
        track_boxes = np.array([t['keypoint_box'] for t in self.tracks],
                               np.float32).reshape(-1, 4)
        iou = box_iou(track_boxes, boxes)
        used = np.zeros(len(boxes), bool)
        kept = []
        for i, track in enumerate(self.tracks):
            candidates = np.where(used, -1.0, iou[i]) if len(boxes) else np.zeros(0)
            if len(candidates) and candidates.max() >= self.match_iou:
                used[int(np.argmax(candidates))] = True
                track['misses'] = 0
            elif self._confident(track['running_score']):
                track['misses'] = 0
            else:
                track['misses'] += 1
                if track['misses'] < self.miss_patience:
                    self.detect_next = True  # confirm again on the next frame
            if track['misses'] < self.miss_patience:
                kept.append(track)
        self.tracks = kept
        started = [False] * len(kept)
        kept_track_boxes = np.array([t['keypoint_box'] for t in kept],
                                    np.float32).reshape(-1, 4)
        for j in np.argsort(-scores, kind='stable'):
            if len(self.tracks) >= self.max_hands:
                break
            # A second box on a tracked hand starts nothing.
            if used[j] or (len(kept_track_boxes)
                           and box_iou(boxes[j][None], kept_track_boxes).max() >= self.match_iou):
                continue
            self.tracks.append(self._new_track(
                detection_to_crop_box(boxes[j], self.box_scale), boxes[j]))
            started.append(True)
        if not self.tracks and not len(boxes) and self.whole_image_thr is not None:
            track = self._whole_frame_track(frame)
            if track is not None:
                self.tracks.append(track)
                started.append(True)
        return started

    def _confident(self, score: Optional[float]) -> bool:
        """Whether a mean keypoint score reaches ``whole_image_thr``."""
        return (self.whole_image_thr is not None and score is not None
                and score >= self.whole_image_thr)

    def _whole_frame_track(self, frame: np.ndarray) -> Optional[Dict]:
        """A track from the pose model's prediction on the whole frame, if
        its mean keypoint score reaches ``whole_image_thr``; else None."""
        h, w = frame.shape[:2]
        keypoints, scores = self.predictor(frame, np.array([[0, 0, w, h]], np.float32))
        keypoints = np.asarray(keypoints, np.float32)[0]
        if not (np.isfinite(keypoints).all() and self._confident(float(np.mean(scores[0])))):
            return None
        return self._new_track(keypoints_to_bbox(keypoints, self.box_scale),
                               keypoints_to_bbox(keypoints, KEYPOINT_BBOX_SCALE))

    def _new_track(self, box: np.ndarray, keypoint_box: np.ndarray) -> Dict:
        """A track with the next id: its crop box and the box a detection of
        it would give (both (4, ) xyxy)."""
        self.next_id += 1
        return dict(id=self.next_id - 1, box=box, keypoint_box=keypoint_box,
                    running_score=None, misses=0)

    def step(self, frame: np.ndarray) -> Dict:
        """Predict the tracked hands of one frame.

        Returns:
            dict: ``hands``, one dict per hand followed in this frame:
            ``id`` (stable across frames), ``keypoints`` (K, 2), ``scores``
            (K, ), ``bbox`` (4, ) the crop box used, ``initialised`` (started
            from a detection in this frame), ``lost`` (dropped after this
            frame); and ``detected`` (the detector ran on this frame).
        """
        detected = self._should_detect()
        started = self._detect(frame) if detected else [False] * len(self.tracks)
        hands = []
        if self.tracks:
            boxes = np.stack([t['box'] for t in self.tracks])
            keypoints, scores = self.predictor(frame, boxes)
            for track, new, box, kpts, kpt_scores in zip(self.tracks, started, boxes,
                                                         keypoints, scores):
                score = float(np.mean(kpt_scores))
                running = track['running_score']
                lost = (not np.isfinite(kpts).all() or score < self.min_score
                        or (running is not None and score < running - self.score_drop))
                if not lost:
                    track['box'] = keypoints_to_bbox(kpts, self.box_scale)
                    track['keypoint_box'] = keypoints_to_bbox(kpts, KEYPOINT_BBOX_SCALE)
                    track['running_score'] = score if running is None else (
                        self.score_momentum * running + (1 - self.score_momentum) * score)
                track['lost'] = lost
                hands.append(dict(id=track['id'], keypoints=kpts, scores=kpt_scores,
                                  bbox=box, initialised=new, lost=lost))
        self._merge_duplicates()
        if any(t['lost'] for t in self.tracks):
            self.detect_next = True
        self.tracks = [t for t in self.tracks if not t['lost']]
        self.frame_index += 1
        return dict(hands=hands, detected=detected)

    def _merge_duplicates(self) -> None:
        """Drop the younger of two tracks whose boxes overlap (one hand)."""
        live = [t for t in self.tracks if not t['lost']]
        for a in range(len(live)):
            for b in range(a + 1, len(live)):
                ta, tb = live[a], live[b]
                if ta['lost'] or tb['lost']:
                    continue
                if box_iou(ta['keypoint_box'][None], tb['keypoint_box'][None])[0, 0] \
                        > self.match_iou:
                    # The younger track goes: it has the shorter history.
                    (ta if ta['id'] > tb['id'] else tb)['lost'] = True


def draw_skeleton(frame: np.ndarray, keypoints: np.ndarray, scores: np.ndarray,
                  links: Sequence[Sequence[int]],
                  link_colors: Optional[Sequence[Sequence[int]]] = None,
                  keypoint_colors: Optional[Sequence[Sequence[int]]] = None,
                  score_thr: float = 0.0, radius: int = 3, thickness: int = 2,
                  bbox: Optional[np.ndarray] = None) -> np.ndarray:
    """Draw a hand skeleton on a copy of a BGR frame.

    Args:
        frame (np.ndarray): (H, W, 3) BGR image.
        keypoints (np.ndarray): (K, 2) image pixels.
        scores (np.ndarray): (K, ) keypoint scores.
        links (Sequence): (i, j) keypoint pairs (``skeleton_links``).
        link_colors (Sequence, optional): RGB colour per link (MMPose's
            ``skeleton_link_colors``); green without.
        keypoint_colors (Sequence, optional): RGB colour per keypoint.
        score_thr (float): Skip keypoints (and their links) scoring below.
        radius (int): Keypoint radius.
        thickness (int): Link thickness.
        bbox (np.ndarray, optional): Also draw this xyxy box (grey).

    Returns:
        np.ndarray: The drawn copy.
    """
    canvas = frame.copy()
    if bbox is not None:
        x1, y1, x2, y2 = (int(round(v)) for v in bbox)
        cv2.rectangle(canvas, (x1, y1), (x2, y2), (160, 160, 160), 1)
    points = [(int(round(x)), int(round(y))) for x, y in keypoints]
    for n, (i, j) in enumerate(links):
        if scores[i] < score_thr or scores[j] < score_thr:
            continue
        rgb = link_colors[n] if link_colors is not None and len(link_colors) > n else \
            _DEFAULT_LINK_COLOR
        cv2.line(canvas, points[i], points[j], tuple(int(c) for c in rgb[::-1]), thickness,
                 lineType=cv2.LINE_AA)
    for k, point in enumerate(points):
        if scores[k] < score_thr:
            continue
        rgb = keypoint_colors[k] if keypoint_colors is not None and len(
            keypoint_colors) > k else (255, 255, 255)
        cv2.circle(canvas, point, radius, tuple(int(c) for c in rgb[::-1]), -1,
                   lineType=cv2.LINE_AA)
    return canvas


def _open_source(source: Union[str, int]) -> cv2.VideoCapture:
    if isinstance(source, str) and source.isdigit():
        source = int(source)
    capture = cv2.VideoCapture(source)
    if not capture.isOpened():
        raise FileNotFoundError(f'cannot open the video or camera {source!r}')
    return capture


def _fourcc(out_file: str) -> int:
    ext = out_file.rsplit('.', 1)[-1].lower()
    codes = {'mp4': 'mp4v', 'avi': 'MJPG', 'mkv': 'MJPG', 'mov': 'mp4v'}
    if ext not in codes:
        raise ValueError(f'unsupported video extension .{ext} (use .mp4, .avi, .mkv, .mov)')
    return cv2.VideoWriter_fourcc(*codes[ext])


def run_video(predictor: Predictor, source: Union[str, int], out_file: Optional[str],
              meta: Dict, init_bbox: Optional[Sequence[float]] = None,
              reinit_score: float = 0.5, reinit_drop: float = 0.1,
              box_scale: Optional[float] = None,
              max_frames: Optional[int] = None, score_thr: float = 0.0,
              show: bool = False, draw_bbox: bool = True,
              log: Optional[Callable[[str], None]] = print,
              detector: Optional[Detector] = None, max_hands: int = 2,
              tracker_options: Optional[Dict] = None) -> Dict:
    """Track hands through a video file or a camera and write the drawn video.

    With a ``detector`` and no ``init_bbox``, up to ``max_hands`` hands are
    found and followed (:class:`MultiHandTracker`); otherwise one hand from
    ``init_bbox`` or the whole frame (:class:`HandTracker`).

    Args:
        predictor (callable): See :class:`HandTracker`.
        source (str | int): Video file, or camera index (int or digits).
        out_file (str, optional): Output video (.mp4, .avi, .mkv, .mov), at
            the input's frame rate (30 for cameras that do not say).
        meta (dict): The predictor's ``meta`` (``skeleton_links``,
            ``skeleton_link_colors``, ``keypoint_colors``).
        init_bbox (Sequence[float], optional): First-frame xyxy box; default
            the detector's boxes, or the whole frame without a detector.
        reinit_score (float): See :class:`HandTracker` (no detector).
        reinit_drop (float): See :class:`HandTracker` (no detector).
        box_scale (float, optional): See :func:`keypoints_to_bbox`; default
            the tracker's (2.0 without a detector, 1.5 with one).
        max_frames (int, optional): Stop after this many frames.
        score_thr (float): Keypoints scoring below are not drawn.
        show (bool): Show the frames in a window (Esc or q stops).
        draw_bbox (bool): Draw the box each hand was cropped with.
        log (callable, optional): Receives the progress and speed lines.
        detector (callable, optional): See :class:`MultiHandTracker`.
        max_hands (int): Most hands followed at once, with a detector.
        tracker_options (dict, optional): More :class:`MultiHandTracker`
            arguments (``redetect_every``, ``min_score``, ...).

    Returns:
        dict: ``frames`` (count), ``hands`` (per frame, a list of ``id``,
        ``keypoints`` (K, 2), ``scores`` (K, ), ``bbox`` (4, )),
        ``keypoints`` (F, K, 2), ``scores`` (F, K) and ``bboxes`` (F, 4) of
        the best-scored hand of each frame (NaN where there is none),
        ``reinitialised`` (frames where a hand started from the initial box or
        a detection), ``detections`` (detector runs), ``model_fps`` (frames
        per second of detection and pose estimation) and ``fps`` (end to end:
        reading, prediction, drawing, writing).
    """
    capture = _open_source(source)
    if detector is not None and init_bbox is None:
        options = dict(tracker_options or {})
        if box_scale is not None:
            options['box_scale'] = box_scale
        tracker = MultiHandTracker(predictor, detector, max_hands=max_hands, **options)
    else:
        tracker = HandTracker(predictor, init_bbox, reinit_score, reinit_drop,
                              2.0 if box_scale is None else box_scale)
    writer = None
    hands_per_frame: List[List[Dict]] = []
    reinitialised: List[int] = []
    model_time = 0.0
    start = time.perf_counter()
    try:
        while max_frames is None or len(hands_per_frame) < max_frames:
            ok, frame = capture.read()
            if not ok:
                break
            tic = time.perf_counter()
            result = tracker.step(frame)
            model_time += time.perf_counter() - tic
            hands = result['hands'] if 'hands' in result else [dict(id=0, **result)]
            index = len(hands_per_frame)
            hands_per_frame.append(hands)
            if any(hand['initialised'] for hand in hands):
                reinitialised.append(index)
            drawn = frame
            for hand in hands:
                drawn = draw_skeleton(drawn, hand['keypoints'], hand['scores'],
                                      meta.get('skeleton_links', []),
                                      meta.get('skeleton_link_colors'),
                                      meta.get('keypoint_colors'), score_thr,
                                      bbox=hand['bbox'] if draw_bbox else None)
            if out_file is not None:
                if writer is None:
                    fps_in = capture.get(cv2.CAP_PROP_FPS)
                    fps_in = fps_in if fps_in and 0 < fps_in < 1000 else 30.0
                    h, w = frame.shape[:2]
                    writer = cv2.VideoWriter(out_file, _fourcc(out_file), fps_in, (w, h))
                    if not writer.isOpened():
                        raise OSError(f'cannot write {out_file}')
                writer.write(drawn)
            if show:
                cv2.imshow('hand tracking', drawn)
                if cv2.waitKey(1) & 0xFF in (27, ord('q')):
                    break
            if log is not None and (index + 1) % 50 == 0:
                log(f'frame {index + 1}: {(index + 1) / model_time:.1f} fps (model)')
    finally:
        capture.release()
        if writer is not None:
            writer.release()
        if show:
            cv2.destroyAllWindows()
    total = time.perf_counter() - start
    frames = len(hands_per_frame)
    if frames == 0:
        raise ValueError(f'no frame could be read from {source!r}')
    summary = dict(frames=frames, hands=[[{key: hand[key] for key in (
        'id', 'keypoints', 'scores', 'bbox')} for hand in hands] for hands in hands_per_frame],
                   **_best_hand_arrays(hands_per_frame), reinitialised=reinitialised,
                   detections=getattr(tracker, 'detections', 0),
                   model_fps=frames / model_time, fps=frames / total)
    if log is not None:
        log(f'{frames} frames, {summary["model_fps"]:.1f} fps prediction, '
            f'{summary["fps"]:.1f} fps end to end, {len(reinitialised)} (re-)initialisation(s)'
            + (f', {summary["detections"]} detector run(s)' if detector is not None else '')
            + (f'; wrote {out_file}' if out_file else ''))
    return summary


def _best_hand_arrays(hands_per_frame: List[List[Dict]]) -> Dict[str, np.ndarray]:
    """``keypoints`` (F, K, 2), ``scores`` (F, K), ``bboxes`` (F, 4) of each
    frame's best-scored hand; NaN in frames without a hand."""
    shape = next((hand['keypoints'].shape for hands in hands_per_frame for hand in hands),
                 (0, 2))
    keypoints = np.full((len(hands_per_frame), *shape), np.nan, np.float32)
    scores = np.full(keypoints.shape[:2], np.nan, np.float32)
    bboxes = np.full((len(hands_per_frame), 4), np.nan, np.float32)
    for f, hands in enumerate(hands_per_frame):
        if hands:
            best = max(hands, key=lambda hand: float(np.mean(hand['scores'])))
            keypoints[f], scores[f], bboxes[f] = best['keypoints'], best['scores'], best['bbox']
    return dict(keypoints=keypoints, scores=scores, bboxes=bboxes)

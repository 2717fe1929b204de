"""Follow one hand through a video with a top-down predictor.

The first frame uses a given box, or the whole frame. Every later frame is
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
Runtime). This module needs numpy and OpenCV only.
"""
import time
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Union

import cv2
import numpy as np

Predictor = Callable[[np.ndarray, np.ndarray], Tuple[np.ndarray, np.ndarray]]

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
              reinit_score: float = 0.5, reinit_drop: float = 0.1, box_scale: float = 2.0,
              max_frames: Optional[int] = None, score_thr: float = 0.0,
              show: bool = False, draw_bbox: bool = True,
              log: Optional[Callable[[str], None]] = print) -> Dict:
    """Track a hand through a video file or a camera and write the drawn video.

    Args:
        predictor (callable): See :class:`HandTracker`.
        source (str | int): Video file, or camera index (int or digits).
        out_file (str, optional): Output video (.mp4, .avi, .mkv, .mov), at
            the input's frame rate (30 for cameras that do not say).
        meta (dict): The predictor's ``meta`` (``skeleton_links``,
            ``skeleton_link_colors``, ``keypoint_colors``).
        init_bbox (Sequence[float], optional): First-frame xyxy box; default
            the whole frame.
        reinit_score (float): See :class:`HandTracker`.
        reinit_drop (float): See :class:`HandTracker`.
        box_scale (float): See :func:`keypoints_to_bbox`.
        max_frames (int, optional): Stop after this many frames.
        score_thr (float): Keypoints scoring below are not drawn.
        show (bool): Show the frames in a window (Esc or q stops).
        draw_bbox (bool): Draw the box each frame was cropped with.
        log (callable, optional): Receives the progress and speed lines.

    Returns:
        dict: ``frames`` (count), ``keypoints`` (F, K, 2), ``scores`` (F, K),
        ``bboxes`` (F, 4), ``reinitialised`` (frame indices that used the
        initial box), ``model_fps`` (frames per second of prediction alone)
        and ``fps`` (end to end: reading, prediction, drawing, writing).
    """
    capture = _open_source(source)
    tracker = HandTracker(predictor, init_bbox, reinit_score, reinit_drop, box_scale)
    writer = None
    keypoints: List[np.ndarray] = []
    scores: List[np.ndarray] = []
    bboxes: List[np.ndarray] = []
    reinitialised: List[int] = []
    model_time = 0.0
    start = time.perf_counter()
    try:
        while max_frames is None or len(keypoints) < max_frames:
            ok, frame = capture.read()
            if not ok:
                break
            tic = time.perf_counter()
            result = tracker.step(frame)
            model_time += time.perf_counter() - tic
            index = len(keypoints)
            keypoints.append(result['keypoints'])
            scores.append(result['scores'])
            bboxes.append(result['bbox'])
            if result['initialised']:
                reinitialised.append(index)
            drawn = draw_skeleton(frame, result['keypoints'], result['scores'],
                                  meta.get('skeleton_links', []),
                                  meta.get('skeleton_link_colors'),
                                  meta.get('keypoint_colors'), score_thr,
                                  bbox=result['bbox'] if draw_bbox else None)
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
    frames = len(keypoints)
    if frames == 0:
        raise ValueError(f'no frame could be read from {source!r}')
    summary = dict(frames=frames, keypoints=np.stack(keypoints), scores=np.stack(scores),
                   bboxes=np.stack(bboxes), reinitialised=reinitialised,
                   model_fps=frames / model_time, fps=frames / total)
    if log is not None:
        log(f'{frames} frames, {summary["model_fps"]:.1f} fps prediction, '
            f'{summary["fps"]:.1f} fps end to end, {len(reinitialised)} (re-)initialisation(s)'
            + (f'; wrote {out_file}' if out_file else ''))
    return summary

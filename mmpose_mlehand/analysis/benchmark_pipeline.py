"""Speed of the whole per-frame pipeline (hand detector, then pose model) against
MediaPipe Hands.

:func:`run_pipeline_benchmark` times, at batch 1 on one image with one hand
(the first held-out test scene of the synthetic scene generator with exactly
one hand, :func:`one_hand_scene`), what an application runs per frame: the
detector on the image, then the pose model on the best detected box (on the
true box when the detector finds none, as an untrained detector may), on
three paths:

- ``eager``: :class:`~mmpose_mlehand.apis.detector.MMDetHandDetector`
  (mmdet's ``inference_detector``) and
  :class:`~mmpose_mlehand.apis.predictor.TopdownHandPredictor` (eager fp32);
- ``fast``: the same detector and ``TopdownHandPredictor(fast=True)`` (folded
  BatchNorm, channels-last, bf16 where native);
- ``onnx``: :class:`~mmpose_mlehand.deploy.onnx_detector.OnnxHandDetector`
  and :class:`~mmpose_mlehand.deploy.onnx_predictor.OnnxHandPredictor`, both
  exported (with the same weights) to a temporary folder first.

Per path: median milliseconds of the detector alone, the pose model alone
(on the box the frame uses) and the whole frame, each after warm-up runs.
The fastest path's frame time is compared with MediaPipe Hands'
(:data:`MEDIAPIPE_HANDS_MS`). Every pre- and post-processing step is inside
the timings (resize, padding, NMS, crop, mapping back to the image).

Without the bundled detector's weights (before ``make bundled-detector``)
the detector config runs with random weights (``detector_weights:
"random"``): the network costs the same, but an untrained detector passes
more candidate boxes to NMS than a trained one (up to ``nms_pre`` per level
instead of a few), so its post-processing is somewhat slower.
"""
import os
import os.path as osp
import tempfile
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

from ..bundled import BUNDLED_MODELS, DEFAULT_DETECTOR

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
PATHS = ('eager', 'fast', 'onnx')
DEFAULT_POSE_MODEL = 'mlehand-synthetic-hand'
DEFAULT_DETECTOR_MODEL = DEFAULT_DETECTOR
#: The detector recipe, run with random weights while the bundled detector is missing.
DETECTOR_CONFIG = BUNDLED_MODELS[DEFAULT_DETECTOR].recipe
#: MediaPipe Hands' milliseconds per frame (one hand, palm detection and
#: landmarks), ``lite`` and ``full`` landmark models. From the project's issue
#: 21: measured with MediaPipe Hands 0.10.21 on this 2-core CPU (MediaPipe
#: itself cannot be installed here to measure it again).
MEDIAPIPE_HANDS_MS: Dict[str, float] = dict(lite=17.0, full=22.0)
MEDIAPIPE_VERSION = '0.10.21'

#: Timing repeats (the median is reported) and warm-up calls of a full run
#: and of ``quick=True`` (for tests: its figures are rough).
FULL_SETTINGS = dict(repeats=30, warmup=5)
QUICK_SETTINGS = dict(repeats=3, warmup=1)


def one_hand_scene(seed: int = 0, split: str = 'test', family: str = 'heldout',
                   max_index: int = 200) -> Tuple[np.ndarray, np.ndarray, int]:
    """The first generated scene with exactly one hand.

    Args:
        seed (int): Scene data set seed.
        split (str): Scene split.
        family (str): Appearance family.
        max_index (int): Scenes searched.

    Returns:
        tuple: the (H, W, 3) uint8 BGR image, the hand's box (4,) xyxy
        float32 and the scene index.
    """
    from mmpose_mlehand.synthetic.hand_scenes import render_hand_scene
    for index in range(max_index):
        scene = render_hand_scene(seed, split, index, family)
        if len(scene.hands) == 1:
            x, y, w, h = scene.hands[0].bbox
            image = np.ascontiguousarray(scene.image[..., ::-1])  # RGB -> BGR
            return image, np.array([x, y, x + w, y + h], np.float32), index
    raise RuntimeError(f'no scene with one hand among the first {max_index} of '
                       f'({seed}, {split!r}, {family!r})')


def resolve_pose_model(name: str = DEFAULT_POSE_MODEL, config: Optional[str] = None,
                       checkpoint: Optional[str] = None) -> Tuple[str, Optional[str], str]:
    """Pose config and checkpoint: ``config`` if given, else the bundled
    model ``name``. Returns (config, checkpoint, weights), weights one of
    ``'bundled'``, ``'given'``, ``'random'``."""
    if config is not None:
        return config, checkpoint, 'given' if checkpoint else 'random'
    from mmpose_mlehand.bundled import bundled_model_files
    config, checkpoint = bundled_model_files(name)
    return config, checkpoint, 'bundled'


def resolve_detector(config: Optional[str] = None, checkpoint: Optional[str] = None,
                     repo_root: str = REPO_ROOT) -> Tuple[str, Optional[str], str]:
    """Detector config and checkpoint: ``config`` if given, else the bundled
    detector, else (its files missing) :data:`DETECTOR_CONFIG` with random
    weights. Returns (config, checkpoint, weights) as :func:`resolve_pose_model`."""
    if config is not None:
        return config, checkpoint, 'given' if checkpoint else 'random'
    from mmpose_mlehand.bundled import bundled_model_files
    try:
        config, checkpoint = bundled_model_files(DEFAULT_DETECTOR_MODEL)
        return config, checkpoint, 'bundled'
    except FileNotFoundError:
        return osp.join(repo_root, DETECTOR_CONFIG), None, 'random'


Detector = Callable[[np.ndarray], Tuple[np.ndarray, np.ndarray]]
Pose = Callable[[np.ndarray, np.ndarray], Tuple[np.ndarray, np.ndarray]]


def time_path(detector: Detector, pose: Pose, image: np.ndarray, true_box: np.ndarray,
              settings: Dict) -> Dict[str, object]:
    """Median times of one path (detector alone, pose alone, whole frame).

    Args:
        detector (callable): ``detector(image) -> (boxes (N, 4), scores (N,))``.
        pose (callable): ``pose(image, boxes (M, 4)) -> (keypoints, scores)``.
        image (np.ndarray): (H, W, 3) BGR image.
        true_box (np.ndarray): (4,) xyxy box used when nothing is detected.
        settings (dict): ``repeats`` and ``warmup``.

    Returns:
        dict: ``detector_ms``, ``pose_ms``, ``frame_ms``, ``detections`` (the
        detector's box count) and ``pose_box`` (``'detected'`` or ``'true'``).
    """
    from .benchmark_model import median_seconds

    def box_of(boxes: np.ndarray) -> np.ndarray:
        return boxes[:1] if len(boxes) else true_box[None]

    def frame() -> None:
        boxes, _ = detector(image)
        pose(image, box_of(boxes))

    boxes, _ = detector(image)
    box = box_of(boxes)
    repeats, warmup = settings['repeats'], settings['warmup']
    return dict(
        detector_ms=1e3 * median_seconds(lambda: detector(image), repeats, warmup),
        pose_ms=1e3 * median_seconds(lambda: pose(image, box), repeats, warmup),
        frame_ms=1e3 * median_seconds(frame, repeats, warmup),
        detections=int(len(boxes)),
        pose_box='detected' if len(boxes) else 'true',
    )


def add_mediapipe_ratios(results: Dict) -> Dict:
    """Fastest path and every frame time over MediaPipe Hands' (> 1: slower),
    written into ``results`` (returned)."""
    paths = results['paths']
    fastest = min(paths, key=lambda p: paths[p]['frame_ms'])
    results['fastest_path'] = fastest
    results['fastest_frame_ms'] = paths[fastest]['frame_ms']
    results['mediapipe_hands_ms'] = dict(MEDIAPIPE_HANDS_MS)
    results['mediapipe_hands_version'] = MEDIAPIPE_VERSION
    for variant, ms in MEDIAPIPE_HANDS_MS.items():
        for numbers in paths.values():
            numbers[f'ratio_vs_mediapipe_{variant}'] = numbers['frame_ms'] / ms
        results[f'ratio_vs_mediapipe_{variant}'] = results['fastest_frame_ms'] / ms
    return results


def run_pipeline_benchmark(pose_model: str = DEFAULT_POSE_MODEL,
                           pose_config: Optional[str] = None,
                           pose_checkpoint: Optional[str] = None,
                           det_config: Optional[str] = None,
                           det_checkpoint: Optional[str] = None, threads: int = 2,
                           quick: bool = False, paths: Sequence[str] = PATHS,
                           settings: Optional[Dict] = None, scene_seed: int = 0,
                           log: Callable[[str], None] = print) -> Dict:
    """Time the per-frame pipeline on every path (see the module docstring).

    Args:
        pose_model (str): Bundled pose model, unless ``pose_config`` is given.
        pose_config (str, optional): Pose config.
        pose_checkpoint (str, optional): Its weights (random without).
        det_config (str, optional): Detector config (default: the bundled
            detector; its recipe with random weights while that is missing).
        det_checkpoint (str, optional): Its weights.
        threads (int): torch, ONNX Runtime and OpenCV threads.
        quick (bool): Few repeats (:data:`QUICK_SETTINGS`), for tests.
        paths (Sequence[str]): Among :data:`PATHS`.
        settings (dict, optional): Overrides of ``repeats`` / ``warmup``.
        scene_seed (int): Seed of the scene search.
        log (callable): Progress lines.

    Returns:
        dict: ``machine`` (CPU, cores, threads, ``bf16_native``, versions),
        ``cpu``, ``threads``, ``bf16_native``, ``settings``, ``pose_model``,
        ``detector``, ``detector_weights`` (``'bundled'``, ``'given'`` or
        ``'random'``), ``image``, ``paths`` (path -> ``detector_ms``,
        ``pose_ms``, ``frame_ms``, ``detections``, ``pose_box``,
        ``ratio_vs_mediapipe_lite`` / ``_full``), ``fastest_path``,
        ``fastest_frame_ms``, ``mediapipe_hands_ms``, ``ratio_vs_mediapipe_lite``
        and ``ratio_vs_mediapipe_full`` (the fastest path's frame over
        MediaPipe's); ``load_average_before`` / ``_after`` the timings (1, 5
        and 15 minutes: above ``threads``, other processes shared the cores
        and the times are too high).
    """
    import cv2
    import torch

    from mmpose_mlehand.apis.detector import MMDetHandDetector
    from mmpose_mlehand.apis.predictor import TopdownHandPredictor

    from .benchmark_model import machine_info
    unknown = set(paths) - set(PATHS)
    if unknown:
        raise ValueError(f'unknown paths {sorted(unknown)}; choose from {PATHS}')
    settings = {**(QUICK_SETTINGS if quick else FULL_SETTINGS), **(settings or {})}
    pose_cfg, pose_ckpt, pose_weights = resolve_pose_model(pose_model, pose_config,
                                                           pose_checkpoint)
    det_cfg, det_ckpt, det_weights = resolve_detector(det_config, det_checkpoint)
    if det_weights == 'random':
        log(f'detector: {det_cfg} with RANDOM weights (no checkpoint; the bundled detector '
            'is not there yet)')
    image, true_box, index = one_hand_scene(scene_seed)
    old_threads, old_cv2_threads = torch.get_num_threads(), cv2.getNumThreads()
    torch.set_num_threads(threads)
    cv2.setNumThreads(threads)
    try:
        torch.manual_seed(0)  # the random weights, when there are no checkpoints
        predictors = {'eager': TopdownHandPredictor(pose_cfg, pose_ckpt)}
        if 'fast' in paths:
            predictors['fast'] = TopdownHandPredictor(pose_cfg, pose_ckpt, fast=True)
        # Built last: building a model sets MMEngine's default registry scope
        # (mmpose or mmdet), and mmdet's inference_detector builds its test
        # pipeline in whatever scope is current.
        detector = MMDetHandDetector(det_cfg, det_ckpt)
        results: Dict[str, object] = dict(
            machine=machine_info('cpu'), threads=threads, quick=quick, settings=settings,
            pose_model=dict(name=None if pose_config else pose_model, config=pose_cfg,
                            checkpoint=pose_ckpt, weights=pose_weights),
            detector=dict(config=det_cfg, checkpoint=det_ckpt, weights=det_weights,
                          score_thr=detector.score_thr),
            detector_weights=det_weights,
            image=dict(generator='render_hand_scene', seed=scene_seed, split='test',
                       family='heldout', index=index, width=int(image.shape[1]),
                       height=int(image.shape[0]), true_box=true_box.tolist()),
            paths={})
        results['cpu'] = results['machine']['cpu']
        results['bf16_native'] = results['machine']['bf16_native']
        # Other processes on the cores (a training run) slow every path, most of
        # all torch's threads waiting for each other: the load says whether
        # the machine was quiet.
        results['load_average_before'] = _load_average()
        with tempfile.TemporaryDirectory() as tmp:
            for path in paths:
                if path == 'onnx':
                    det, pose = _onnx_pair(detector.model, predictors['eager'].model, tmp,
                                           threads)
                else:
                    det, pose = detector, predictors[path]
                numbers = time_path(det, pose, image, true_box, settings)
                results['paths'][path] = numbers
                log(f'{path:5s}: detector {numbers["detector_ms"]:.1f} ms, pose '
                    f'{numbers["pose_ms"]:.1f} ms, frame {numbers["frame_ms"]:.1f} ms '
                    f'({numbers["detections"]} detections, pose on the '
                    f'{numbers["pose_box"]} box)')
        results['load_average_after'] = _load_average()
    finally:
        torch.set_num_threads(old_threads)
        cv2.setNumThreads(old_cv2_threads)
    return add_mediapipe_ratios(results)


def _load_average() -> Optional[List[float]]:
    """The 1, 5 and 15 minute load averages (None where the OS has none)."""
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def _onnx_pair(detector_model, pose_model, tmp_dir: str, threads: int):
    """Both models exported to ``tmp_dir`` and loaded in ONNX Runtime."""
    from mmpose_mlehand.deploy.export import export_onnx
    from mmpose_mlehand.deploy.export_detector import export_detector_onnx
    from mmpose_mlehand.deploy.onnx_detector import OnnxHandDetector
    from mmpose_mlehand.deploy.onnx_predictor import OnnxHandPredictor
    det_file, pose_file = osp.join(tmp_dir, 'detector.onnx'), osp.join(tmp_dir, 'pose.onnx')
    export_detector_onnx(detector_model, det_file)
    export_onnx(pose_model, pose_file)
    # Two sessions take turns: threads left spinning by one slow the other.
    return (OnnxHandDetector(det_file, num_threads=threads, allow_spinning=False),
            OnnxHandPredictor(pose_file, num_threads=threads, allow_spinning=False))


def summary_lines(results: Dict) -> Sequence[str]:
    """A Markdown table of the paths and the headline ratios."""
    lines = ['| path | detector (ms) | pose (ms) | frame (ms) | x MediaPipe lite | '
             'x MediaPipe full |', '| --- | --- | --- | --- | --- | --- |']
    for path, n in results['paths'].items():
        lines.append(f'| {path} | {n["detector_ms"]:.1f} | {n["pose_ms"]:.1f} | '
                     f'{n["frame_ms"]:.1f} | {n["ratio_vs_mediapipe_lite"]:.2f} | '
                     f'{n["ratio_vs_mediapipe_full"]:.2f} |')
    lines.append('')
    lines.append(f'fastest: {results["fastest_path"]}, {results["fastest_frame_ms"]:.1f} ms per '
                 f'frame = {results["ratio_vs_mediapipe_lite"]:.2f}x MediaPipe Hands lite '
                 f'({MEDIAPIPE_HANDS_MS["lite"]:.0f} ms), '
                 f'{results["ratio_vs_mediapipe_full"]:.2f}x full '
                 f'({MEDIAPIPE_HANDS_MS["full"]:.0f} ms)')
    return lines


__all__ = ['DETECTOR_CONFIG', 'FULL_SETTINGS', 'MEDIAPIPE_HANDS_MS', 'PATHS', 'QUICK_SETTINGS',
           'add_mediapipe_ratios', 'one_hand_scene', 'resolve_detector', 'resolve_pose_model',
           'run_pipeline_benchmark', 'summary_lines', 'time_path']

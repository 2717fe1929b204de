"""Inference helpers for scripts and notebooks: MMPose's inferencer with a
plugin checkpoint (:mod:`.visualize`), the inference graph and its fast path
(:mod:`.fast_inference`), a PyTorch predictor (:mod:`.predictor`), MMPose's
top-down crop and its inverse (:mod:`.crops`, numpy and OpenCV only; the ONNX
Runtime predictor of :mod:`mmpose_mlehand.deploy` uses it too) and hand
tracking in videos (:mod:`.tracking`, numpy and OpenCV only).

Nothing here imports :mod:`mmpose_mlehand.deploy`: deployment builds on the
inference helpers, not the reverse.

The names below are imported on first use, so that :mod:`.tracking` also
and :mod:`.crops` work with the ONNX Runtime predictor where torch and MMPose
are missing.
"""
import importlib
from typing import Any

_EXPORTS = {
    'predict_and_draw': 'visualize',
    'build_inference_net': 'fast_inference',
    'optimize_for_inference': 'fast_inference',
    'keypoint_difference': 'fast_inference',
    'crop_inputs': 'crops',
    'keypoints_to_image': 'crops',
    'TopdownHandPredictor': 'predictor',
    'load_model': 'predictor',
    'HandTracker': 'tracking',
    'draw_skeleton': 'tracking',
    'run_video': 'tracking',
}

__all__ = list(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
    return getattr(importlib.import_module(f'.{_EXPORTS[name]}', __name__), name)

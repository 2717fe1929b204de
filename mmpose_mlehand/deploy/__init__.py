"""Deployment: ONNX export (:mod:`.export` for pose models, :mod:`.export_detector`
for the hand detector; torch, MMPose and mmdet) and the ONNX Runtime predictors
(:mod:`.onnx_predictor` for keypoints, :mod:`.onnx_detector` for hand boxes;
numpy, OpenCV and ONNX Runtime only).

Import the submodule you need; this package imports none of them, so the
predictors run where torch, MMPose and mmdet are not installed.
"""

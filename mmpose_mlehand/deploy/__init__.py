"""Deployment: ONNX export (:mod:`.export`, torch and MMPose) and an ONNX Runtime
predictor (:mod:`.onnx_predictor`, numpy, OpenCV and ONNX Runtime only).

Import the submodule you need; this package imports neither, so the
predictor runs where torch and MMPose are not installed.
"""

"""Plug mmpose-mlehand into MMPose and MMEngine (configs: ``custom_imports``).

Importing this module

- registers :class:`~.models.SequentialIntegralHead` and
  :class:`~.models.MLELoss` in MMPose's ``MODELS`` registry (and every other
  module of :mod:`.models`, :mod:`.evaluation`), the checked hand datasets of
  :mod:`.datasets` in ``DATASETS`` and the hooks of :mod:`.engine.hooks` in
  ``HOOKS``;
- applies the patches of :mod:`.engine`: ``torch.load`` with
  ``weights_only=True`` accepts exactly what MMEngine/MMPose checkpoints hold,
  MMEngine's ``HistoryBuffer`` pickles without functions, MMEngine's
  ``pytorch`` launcher starts with gloo on machines without CUDA, and
  checkpoints are written atomically (the oldest removed only after the new
  one is complete), MMEngine's inferencers resolve the short names of the
  models shipped in :mod:`.bundled` (``MMPoseInferencer(pose2d=name)``), and
  MMPose's 2-D inferencer crops top-down models by the ``bboxes`` it is given
  (MMPose 1.3.2 ignores them), the plugin's pose models detect hands with the
  bundled hand detector when no box is given (no instance where it finds no
  hand), and MMPose's inferencers take grayscale and 4-channel images and
  refuse unreadable files with their path.
"""
from .engine import (register_atomic_checkpoint_saving, register_bundled_detector,
                     register_bundled_model_names, register_cpu_distributed_launch,
                     register_inferencer_boxes, register_inferencer_inputs,
                     register_safe_checkpoint_loading)

register_safe_checkpoint_loading()
register_cpu_distributed_launch()
register_atomic_checkpoint_saving()
register_bundled_model_names()
register_inferencer_boxes()
register_bundled_detector()
register_inferencer_inputs()

from . import datasets, evaluation, models  # noqa: E402,F401  (registers modules)

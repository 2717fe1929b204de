"""Plug mmpose-mlehand into MMPose and MMEngine (configs: ``custom_imports``).

Importing this module

- registers :class:`~.models.SequentialIntegralHead` and
  :class:`~.models.MLELoss` in MMPose's ``MODELS`` registry (and every other
  module of :mod:`.models`, :mod:`.evaluation`);
- applies the patches of :mod:`.engine`: ``torch.load`` with
  ``weights_only=True`` accepts exactly what MMEngine/MMPose checkpoints hold,
  MMEngine's ``HistoryBuffer`` pickles without functions, and MMEngine's
  ``pytorch`` launcher starts with gloo on machines without CUDA.
"""
from .engine import register_cpu_distributed_launch, register_safe_checkpoint_loading

register_safe_checkpoint_loading()
register_cpu_distributed_launch()

from . import evaluation, models  # noqa: E402,F401  (registers modules)

"""What mmpose-mlehand changes in MMEngine and torch (applied by :mod:`..plugin`),
and the hooks its configs add.

- :mod:`.safe_checkpoint`: ``weights_only=True`` loading of MMEngine checkpoints;
- :mod:`.cpu_distributed`: MMEngine's ``pytorch`` launcher with gloo on CPUs;
- :mod:`.atomic_checkpoint`: checkpoints and ``last_checkpoint`` written
  atomically, the oldest checkpoint removed only after the new one exists;
- :mod:`.bundled_model_names`: inferencers find the models shipped in
  :mod:`mmpose_mlehand.bundled` by their short names;
- :mod:`.inferencer_boxes`: MMPose's 2-D inferencer crops top-down models by the
  boxes it is given (MMPose 1.3.2 drops them);
- :mod:`.inferencer_detector`: the plugin's pose models find hands with the
  bundled hand detector when no box is given, and none where it finds none;
- :mod:`.inferencer_inputs`: MMPose's inferencers take grayscale and 4-channel
  arrays and refuse unreadable files with their path;
- :mod:`.optim_wrappers`: :class:`BF16AutocastOptimWrapper`, bf16 mixed-precision
  training on CPUs too (MMEngine's ``AmpOptimWrapper`` needs a GPU), registered
  in MMPose's ``OPTIM_WRAPPERS``;
- :mod:`.hooks`: :class:`CheckFiniteLossHook` (stop on a NaN/inf loss) and
  :class:`ExactResumeHook` (a resumed run equals the uninterrupted one),
  registered in MMPose's ``HOOKS``.
"""
from .atomic_checkpoint import register_atomic_checkpoint_saving
from .bundled_model_names import register_bundled_model_names
from .cpu_distributed import register_cpu_distributed_launch
from .hooks import CheckFiniteLossHook, ExactResumeHook, NonFiniteLossError, epoch_seed
from .inferencer_boxes import register_inferencer_boxes
from .inferencer_detector import register_bundled_detector
from .inferencer_inputs import register_inferencer_inputs
from .optim_wrappers import BF16AutocastOptimWrapper
from .safe_checkpoint import register_safe_checkpoint_loading

__all__ = [
    'register_atomic_checkpoint_saving', 'register_bundled_model_names',
    'register_bundled_detector', 'register_cpu_distributed_launch', 'register_inferencer_boxes',
    'register_inferencer_inputs',
    'register_safe_checkpoint_loading', 'BF16AutocastOptimWrapper',
    'CheckFiniteLossHook', 'ExactResumeHook',
    'NonFiniteLossError', 'epoch_seed'
]

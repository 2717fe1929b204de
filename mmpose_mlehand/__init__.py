"""mmpose-mlehand: MLE-loss driven robust hand pose estimation for MMPose 1.x.

Importing the package registers its modules in MMPose's registries (configs do
it with ``custom_imports = dict(imports=['mmpose_mlehand'])``) and makes
MMEngine's checkpoint loading work with ``weights_only=True`` on torch >= 2.6
and its ``pytorch`` launcher work with gloo on machines without CUDA.
"""
from .cpu_distributed import register_cpu_distributed_launch
from .safe_checkpoint import register_safe_checkpoint_loading
from .version import __version__

register_safe_checkpoint_loading()
register_cpu_distributed_launch()

from . import evaluation, models  # noqa: E402,F401  (registers modules)

__all__ = ['__version__']

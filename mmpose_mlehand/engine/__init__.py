"""What mmpose-mlehand changes in MMEngine and torch (applied by :mod:`..plugin`).

- :mod:`.safe_checkpoint`: ``weights_only=True`` loading of MMEngine checkpoints;
- :mod:`.cpu_distributed`: MMEngine's ``pytorch`` launcher with gloo on CPUs.
"""
from .cpu_distributed import register_cpu_distributed_launch
from .safe_checkpoint import register_safe_checkpoint_loading

__all__ = ['register_cpu_distributed_launch', 'register_safe_checkpoint_loading']

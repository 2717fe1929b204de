"""mmpose-mlehand: MLE-loss driven robust hand pose estimation for MMPose 1.x.

``import mmpose_mlehand`` is light (no torch, no MMPose), so the data tools
(:mod:`.converters`, :mod:`.synthetic`) start at once. What plugs the package
into MMPose and MMEngine is :mod:`mmpose_mlehand.plugin`: configs load it with
``custom_imports = dict(imports=['mmpose_mlehand.plugin'])``, scripts with
``import mmpose_mlehand.plugin`` or :func:`register_all_modules`.
"""
from .version import __version__


def register_all_modules() -> None:
    """Register the models and metrics in MMPose's registries and apply the
    MMEngine/torch patches of :mod:`.engine` (what importing
    :mod:`mmpose_mlehand.plugin` does); idempotent."""
    from . import plugin  # noqa: F401


__all__ = ['__version__', 'register_all_modules']

"""Keep MMEngine's default registry scope across code that changes it."""
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def default_scope_kept() -> Iterator[None]:
    """Restore the default scope that was current on entry.

    mmdet's ``init_detector`` and ``DetInferencer`` make ``mmdet`` the default
    scope; an MMPose model built afterwards by name (``TopdownPoseEstimator``)
    expects the scope there was before. Nothing is restored where no scope
    was current. MMEngine is imported here, not at module level, so that
    callers that run without it (the ONNX tracker) can import their module.
    """
    from mmengine.registry import DefaultScope, init_default_scope
    previous = DefaultScope.get_current_instance()
    try:
        yield
    finally:
        if previous is not None:
            init_default_scope(previous.scope_name)

"""Let MMEngine's inferencers find the bundled models by their short names.

``MMPoseInferencer(pose2d=name)`` looks a name that is not a file up in the
model-index of MMPose's own configs (``BaseInferencer._load_model_from_metafile``),
where a plugin's models cannot be listed. With this patch a name of
:data:`~mmpose_mlehand.bundled.BUNDLED_MODELS` resolves to the config and
weights shipped in the package (no download); every other name goes to MMEngine
unchanged.
"""
from typing import Tuple

from mmengine.config import Config
from mmengine.infer import BaseInferencer

from ..bundled import BUNDLED_MODELS, bundled_model_files

_mmengine_load_model_from_metafile = BaseInferencer._load_model_from_metafile


def _load_bundled_or_metafile_model(self: BaseInferencer, model: str) -> Tuple[Config, str]:
    """(config, weights) of a bundled model, else MMEngine's metafile lookup."""
    if model.lower() in BUNDLED_MODELS:
        config, weights = bundled_model_files(model)
        return Config.fromfile(config), weights
    return _mmengine_load_model_from_metafile(self, model)


def register_bundled_model_names() -> None:
    """Install the lookup in MMEngine's ``BaseInferencer``; idempotent."""
    BaseInferencer._load_model_from_metafile = _load_bundled_or_metafile_model

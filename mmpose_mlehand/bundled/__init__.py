"""Hand models shipped inside the package: a config and its weights, no download.

Each bundled model is a config and a checkpoint in this folder, with a provenance
file (``<name>.json``: data, seeds, budget and measured accuracy): the pose models
written by ``tools/train_bundled_model.py`` (``make bundled-model``), the hand
detector by ``tools/train_bundled_detector.py`` (``make bundled-detector``). After
``import mmpose_mlehand.plugin`` MMPose's inferencer finds them by name, and the
plugin's pose models find hands with the bundled detector when no box is given::

    from mmpose.apis import MMPoseInferencer
    import mmpose_mlehand.plugin  # noqa: F401
    inferencer = MMPoseInferencer(pose2d='mlehand-synthetic-hand')
    result = next(inferencer('photo.jpg'))   # one instance per detected hand

MMPose's demo scripts take the paths: ``python -m mmpose_mlehand.bundled``
prints them. Importing this module needs neither torch nor MMPose.
"""
import os.path as osp
from dataclasses import dataclass
from typing import Dict, Tuple

BUNDLED_DIR = osp.dirname(osp.abspath(__file__))


@dataclass(frozen=True)
class BundledModel:
    """A model shipped in :data:`BUNDLED_DIR`.

    Attributes:
        name (str): Short name for ``MMPoseInferencer(pose2d=name)``.
        stem (str): File stem: ``<stem>.py`` (config), ``<stem>.pth`` (weights),
            ``<stem>.json`` (provenance and measured accuracy).
        recipe (str): The training config in the repository's ``configs/``.
        summary (str): What it is and what it was trained on.
        kind (str): ``'pose'`` (an MMPose top-down model) or ``'detector'`` (an
            mmdet hand detector).
        purpose (str): What to use it for, in a few words.
        style (str): The synthetic scene style of a pose model's training family
            (``mmpose_mlehand.synthetic.STYLES``); its held-out family is always
            rendered in ``'photo'``, so that models of either style are selected
            and compared on the same appearances.
    """

    name: str
    stem: str
    recipe: str
    summary: str
    kind: str = 'pose'
    purpose: str = 'hand keypoints (top-down: detected or given boxes)'
    style: str = 'photo'

    @property
    def config(self) -> str:
        return osp.join(BUNDLED_DIR, f'{self.stem}.py')

    @property
    def weights(self) -> str:
        return osp.join(BUNDLED_DIR, f'{self.stem}.pth')

    @property
    def provenance(self) -> str:
        return osp.join(BUNDLED_DIR, f'{self.stem}.json')


BUNDLED_MODELS: Dict[str, BundledModel] = {
    model.name: model for model in (
        BundledModel(
            name='mlehand-synthetic-hand',
            stem='mlehand_res18_synthetic-photo-96x96',
            recipe='configs/bundled/mlehand_res18_synthetic-photo-96x96.py',
            summary=('MLE-loss sequential integral model (ResNet-18, 96x96 crops '
                     'of the hand box x 1.25) trained on synthetic hands only '
                     '(photo-varied scene style: closed, turned and side-on hands); '
                     'top-down: give hand boxes'),
            style='photo-varied'),
        BundledModel(
            name='mlehand-synthetic-hand-small',
            stem='mlehand_res18-half_synthetic-photo-96x96',
            recipe='configs/bundled/mlehand_res18-half_synthetic-photo-96x96.py',
            summary=('MLE-loss sequential integral model at half the width '
                     '(half-width ResNet-18, 96x96 crops of the hand box x 1.25; a '
                     'quarter of the parameters, about 0.6x the latency, a little '
                     'less accurate) trained on synthetic hands only (photo scene '
                     'style); top-down: give hand boxes'),
            purpose='hand keypoints, faster and less accurate (top-down)'),
        BundledModel(
            name='mlehand-hand-detector',
            stem='rtmdet-nano_synthetic-scenes-320x320',
            # The recipe of its last training run (the colour-augmented one);
            # the earlier runs are in its provenance file.
            recipe='configs/detection/rtmdet-nano_synthetic-scenes-colour-320x320.py',
            summary=('RTMDet-nano hand detector (mmdet, 320x320 input, one class) '
                     'trained from scratch on synthetic scenes only; the default '
                     'detector of the plugin\'s pose models'),
            kind='detector',
            purpose='hand boxes for the pose models (no box given)'),
    )
}
#: The bundled pose models (MMPose top-down models) alone.
POSE_MODELS: Dict[str, BundledModel] = {
    name: model for name, model in BUNDLED_MODELS.items() if model.kind == 'pose'}
#: The pose model ``python -m mmpose_mlehand.bundled`` and tools/train_bundled_model.py
#: default to: the first pose model above.
DEFAULT_MODEL: str = next(iter(POSE_MODELS))
#: The detector the plugin's top-down models use when no box is given.
DEFAULT_DETECTOR: str = 'mlehand-hand-detector'


def bundled_model_files(name: str) -> Tuple[str, str]:
    """Config and weights paths of the bundled model ``name``.

    Raises:
        KeyError: For a name that is not bundled (the message lists the names).
        FileNotFoundError: When the files are missing (a checkout where the
            model was not trained yet: the message says how to make it).
    """
    key = name.lower()
    if key not in BUNDLED_MODELS:
        raise KeyError(f'no bundled model {name!r}; bundled: {sorted(BUNDLED_MODELS)}')
    model = BUNDLED_MODELS[key]
    for path in (model.config, model.weights):
        if not osp.isfile(path):
            target, tool = (('bundled-detector', 'train_bundled_detector.py')
                            if model.kind == 'detector' else
                            ('bundled-model', 'train_bundled_model.py'))
            raise FileNotFoundError(
                f'{path} is missing: the bundled model {key!r} is written by '
                f'`make {target}` (tools/{tool}, recipe {model.recipe})')
    return model.config, model.weights


__all__ = ['BUNDLED_DIR', 'BUNDLED_MODELS', 'BundledModel', 'DEFAULT_DETECTOR', 'DEFAULT_MODEL',
           'POSE_MODELS', 'bundled_model_files']

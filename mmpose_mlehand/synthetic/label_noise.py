"""Label-noise models for the training annotations of the synthetic data.

Grammar of ``--label-noise``: ``none``, or one or more models joined by ``+``
(each model at most once), applied left to right:

- ``gaussian:SIGMA_PX``: u and v of every keypoint get independent
  N(0, SIGMA_PX^2) noise in pixels (SIGMA_PX >= 0).
- ``outliers:FRACTION``: every keypoint independently, with probability
  FRACTION (0 <= FRACTION <= 1), becomes a gross error: it is replaced by a
  point drawn uniformly from its hand's keypoint box scaled by 1.2 about its
  centre (``hand_format.keypoint_bbox``, computed from the labels as they are
  at this step), i.e. a wrong place on or next to the hand.
- ``offset:PX``: a systematic per-joint offset. Each of the 21 joints
  (FreiHAND order; in RHD the same anatomical joint of both hands) gets one
  direction, uniform on the circle and drawn once per dataset, and moves PX
  pixels (PX >= 0) that way in every training sample.

Example: ``gaussian:2+outliers:0.05`` adds 2 px Gaussian noise, then makes 5 %
of the keypoints outliers.

The noise is applied in the image. FreiHAND stores 3-D camera-frame xyz, so the
noisy (u, v) is lifted back to the keypoint's clean depth z
(``xyz = z * K^-1 [u, v, 1]``, i.e. x = (u - cx) z / fx for K without skew):
projecting the noisy xyz with K gives exactly the noisy (u, v). RHD stores uv
and xyz; both are replaced the same way and the visible flags are kept.
Only training labels get noise: evaluation labels stay clean, and the clean
training labels are written next to the noisy ones.
"""
from dataclasses import dataclass
from typing import Optional, Sequence, Tuple

import numpy as np

from ..hand_format import KEYPOINT_BBOX_SCALE, NUM_KEYPOINTS
from .camera import lift, project

NOISE_MODELS = ('gaussian', 'outliers', 'offset')


@dataclass(frozen=True)
class NoiseModel:
    """One label-noise model: its name and its parameter."""

    name: str
    value: float


def parse_label_noise(spec: str) -> Tuple[NoiseModel, ...]:
    """Parse a ``--label-noise`` string (see the module docstring).

    Returns:
        tuple: the models in application order (empty for ``'none'``).

    Raises:
        ValueError: on an unknown model, a missing or invalid value, a value
            out of range or a repeated model.
    """
    spec = spec.strip()
    if spec.lower() in ('', 'none'):
        return ()
    models = []
    for part in spec.split('+'):
        name, sep, raw = part.strip().partition(':')
        name = name.strip().lower()
        if name not in NOISE_MODELS:
            raise ValueError(f'unknown label-noise model {name!r} in {spec!r}; '
                             f'known: {", ".join(NOISE_MODELS)} or none')
        if not sep or not raw.strip():
            raise ValueError(f'label-noise model {name!r} needs a value, e.g. '
                             f'{name}:2')
        try:
            value = float(raw)
        except ValueError:
            raise ValueError(f'label-noise value {raw!r} of {name!r} is not a '
                             'number') from None
        if not np.isfinite(value) or value < 0:
            raise ValueError(f'label-noise value of {name!r} must be finite '
                             f'and >= 0, got {raw!r}')
        if name == 'outliers' and value > 1:
            raise ValueError(f'outliers fraction must be in [0, 1], got {raw!r}')
        if any(m.name == name for m in models):
            raise ValueError(f'label-noise model {name!r} given twice in '
                             f'{spec!r}')
        models.append(NoiseModel(name, value))
    return tuple(models)


def format_label_noise(models: Sequence[NoiseModel]) -> str:
    """The canonical string of parsed models (``'none'`` if empty)."""
    return '+'.join(f'{m.name}:{m.value:g}' for m in models) or 'none'


def perturb_uv(uv: np.ndarray, models: Sequence[NoiseModel],
               rng: np.random.Generator,
               joint_ids: Optional[np.ndarray] = None) -> np.ndarray:
    """Apply noise models to 2-D keypoints.

    Args:
        uv (np.ndarray): (M, J, 2) keypoints of M hands.
        models (sequence): Parsed models, applied in order.
        rng (np.random.Generator): Random source (one per dataset).
        joint_ids (np.ndarray, optional): (J,) FreiHAND joint index of each
            column, for the per-joint offsets; defaults to ``arange(J)``.

    Returns:
        np.ndarray: (M, J, 2) noisy keypoints (a new array).
    """
    out = np.array(uv, dtype=np.float64)
    if out.ndim != 3 or out.shape[2] != 2:
        raise ValueError(f'uv must have shape (M, J, 2), got {out.shape}')
    ids = np.arange(out.shape[1]) if joint_ids is None else np.asarray(joint_ids)
    for model in models:
        if model.name == 'gaussian':
            out += rng.normal(0.0, model.value, out.shape)
        elif model.name == 'offset':
            angles = rng.uniform(0, 2 * np.pi, NUM_KEYPOINTS)
            offsets = model.value * np.stack([np.cos(angles), np.sin(angles)],
                                             axis=1)
            out += offsets[ids][None]
        elif model.name == 'outliers':
            lo, hi = out.min(axis=1), out.max(axis=1)
            centre, half = (lo + hi) / 2, (hi - lo) * KEYPOINT_BBOX_SCALE / 2
            hit = rng.random(out.shape[:2]) < model.value
            spot = centre[:, None] + half[:, None] * rng.uniform(
                -1, 1, out.shape)
            out[hit] = spot[hit]
        else:
            raise ValueError(f'unknown label-noise model {model.name!r}')
    return out


def perturb_xyz(xyz: np.ndarray, K: np.ndarray, models: Sequence[NoiseModel],
                rng: np.random.Generator,
                joint_ids: Optional[np.ndarray] = None
                ) -> Tuple[np.ndarray, np.ndarray]:
    """Noise in the image, lifted back to each keypoint's clean depth.

    Args:
        xyz (np.ndarray): (M, J, 3) camera-frame keypoints of M hands.
        K (np.ndarray): (M, 3, 3) intrinsics of each hand's image.
        models (sequence): Parsed models, applied in order.
        rng (np.random.Generator): Random source (one per dataset).
        joint_ids (np.ndarray, optional): See :func:`perturb_uv`.

    Returns:
        tuple: noisy ``xyz`` (M, J, 3) and noisy ``uv`` (M, J, 2).
    """
    xyz = np.asarray(xyz, np.float64)
    if len(xyz) == 0:
        return xyz.copy(), np.zeros((*xyz.shape[:2], 2))
    uv = np.stack([project(p, k) for p, k in zip(xyz, K)]).reshape(
        *xyz.shape[:2], 2)
    noisy_uv = perturb_uv(uv, models, rng, joint_ids)
    noisy_xyz = np.stack([lift(q, p[:, 2], k)
                          for q, p, k in zip(noisy_uv, xyz, K)]).reshape(
                              xyz.shape)
    return noisy_xyz, noisy_uv

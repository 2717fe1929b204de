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
- ``tipshort:FRACTION``: a systematic annotation error at the fingertips.
  Every fingertip (FreiHAND joints 4, 8, 12, 16, 20) is labelled short of the
  tip: it moves toward its finger's previous joint (3, 7, 11, 15, 19) by
  FRACTION (0 <= FRACTION <= 1) of that last bone's length in the image,
  computed from the labels as they are at this step. No randomness; no other
  joint moves.
- ``swap:RATE``: an annotator confusing neighbouring fingers. For every hand,
  the four pairs thumb-index, index-middle, middle-ring, ring-little are
  visited in this order, and each pair, independently with probability RATE
  (0 <= RATE <= 1), has the labels of its two fingers swapped (all four joints,
  root to tip: joint k of one finger takes joint k of the other). A swap
  exchanges the labels the two fingers hold at that point, so with RATE 1 the
  swaps chain into a cyclic shift: thumb, index, middle and ring get the
  labels of the next finger and the little finger gets the thumb's.

Example: ``gaussian:2+outliers:0.05`` adds 2 px Gaussian noise, then makes 5 %
of the keypoints outliers.

The noise is applied in the image. FreiHAND stores 3-D camera-frame xyz, so the
noisy (u, v) is lifted back to the keypoint's clean depth z
(``xyz = z * K^-1 [u, v, 1]``, i.e. x = (u - cx) z / fx for K without skew):
projecting the noisy xyz with K gives exactly the noisy (u, v). A shortened
tip or a swapped finger thus keeps its column's clean depth: only its image
position is wrong, which is what the 2-D labels carry. RHD stores uv and xyz;
both are replaced the same way and the visible flags are kept (a swap does not
swap them).
Only training labels get noise: evaluation labels stay clean, and the clean
training labels are written next to the noisy ones.
"""
from dataclasses import dataclass
from typing import Optional, Sequence, Tuple

import numpy as np

from ..hand_format import KEYPOINT_BBOX_SCALE, NUM_KEYPOINTS
from .camera import lift, project

NOISE_MODELS = ('gaussian', 'outliers', 'offset', 'tipshort', 'swap')
#: Models whose value is a fraction or probability, in [0, 1], and its name.
_UNIT_INTERVAL = {'outliers': 'fraction', 'tipshort': 'fraction', 'swap': 'rate'}

#: FreiHAND joints of each finger (thumb to little), root to tip.
FINGER_JOINTS = tuple(tuple(range(1 + 4 * f, 5 + 4 * f)) for f in range(5))
#: (tip, previous joint) of each finger in FreiHAND order.
TIP_BONES = tuple((joints[-1], joints[-2]) for joints in FINGER_JOINTS)
#: Neighbouring fingers (indices into ``FINGER_JOINTS``), in swap order.
NEIGHBOUR_FINGERS = ((0, 1), (1, 2), (2, 3), (3, 4))


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
        if name in _UNIT_INTERVAL and value > 1:
            raise ValueError(f'{name} {_UNIT_INTERVAL[name]} must be in [0, 1], '
                             f'got {raw!r}')
        if any(m.name == name for m in models):
            raise ValueError(f'label-noise model {name!r} given twice in '
                             f'{spec!r}')
        models.append(NoiseModel(name, value))
    return tuple(models)


def format_label_noise(models: Sequence[NoiseModel]) -> str:
    """The canonical string of parsed models (``'none'`` if empty)."""
    return '+'.join(f'{m.name}:{m.value:g}' for m in models) or 'none'


def _columns(ids: np.ndarray, joints: Sequence[int],
             model: str) -> np.ndarray:
    """The column of each FreiHAND joint in ``joints``.

    Raises:
        ValueError: if a joint is not among the columns, or is there twice.
    """
    cols = []
    for joint in joints:
        where = np.flatnonzero(ids == joint)
        if where.size != 1:
            found = 'does not hold it' if where.size == 0 else \
                f'holds it {where.size} times'
            raise ValueError(
                f'label-noise model {model!r} needs FreiHAND joint {joint} in '
                f'exactly one column, but joint_ids {ids.tolist()} {found}')
        cols.append(int(where[0]))
    return np.asarray(cols)


def _tipshort(out: np.ndarray, fraction: float, ids: np.ndarray) -> None:
    """Move every fingertip present toward its previous joint, in place."""
    for tip, previous in TIP_BONES:
        if not np.any(ids == tip):
            continue  # nothing to move; a missing previous joint is an error
        tip_col, prev_col = _columns(ids, (tip, previous), 'tipshort')
        out[:, tip_col] += fraction * (out[:, prev_col] - out[:, tip_col])


def _swap(out: np.ndarray, rate: float, rng: np.random.Generator,
          ids: np.ndarray) -> None:
    """Swap the labels of neighbouring fingers (see the module), in place."""
    fingers = [_columns(ids, joints, 'swap') for joints in FINGER_JOINTS]
    # One draw per hand and pair, even for rate 0: the stream after this
    # model does not depend on the rate.
    hit = rng.random((out.shape[0], len(NEIGHBOUR_FINGERS))) < rate
    for pair, (a, b) in enumerate(NEIGHBOUR_FINGERS):
        hands = np.flatnonzero(hit[:, pair])
        cols_a, cols_b = fingers[a], fingers[b]
        held_a = out[np.ix_(hands, cols_a)]
        out[np.ix_(hands, cols_a)] = out[np.ix_(hands, cols_b)]
        out[np.ix_(hands, cols_b)] = held_a


def perturb_uv(uv: np.ndarray, models: Sequence[NoiseModel],
               rng: np.random.Generator,
               joint_ids: Optional[np.ndarray] = None) -> np.ndarray:
    """Apply noise models to 2-D keypoints.

    Args:
        uv (np.ndarray): (M, J, 2) keypoints of M hands.
        models (sequence): Parsed models, applied in order.
        rng (np.random.Generator): Random source (one per dataset).
        joint_ids (np.ndarray, optional): (J,) FreiHAND joint index of each
            column (the offsets are per joint, ``tipshort`` and ``swap`` need
            the fingers); defaults to ``arange(J)``.

    Returns:
        np.ndarray: (M, J, 2) noisy keypoints (a new array).

    Raises:
        ValueError: on a wrong shape, an unknown model, or joint_ids without
            a joint that ``tipshort`` (the previous joint of a tip present)
            or ``swap`` (every finger joint) needs.
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
        elif model.name == 'tipshort':
            _tipshort(out, model.value, ids)
        elif model.name == 'swap':
            _swap(out, model.value, rng, ids)
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

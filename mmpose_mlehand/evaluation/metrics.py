"""The paper's metrics as MMEngine metrics, registered in MMPose's ``METRICS``.

All of them normalise keypoint errors by ``max(w, h)`` of each sample's
ground-truth box (``gt_instances.bboxes``, paper eq. 8-9) and leave invisible
keypoints out. What that box is depends on the data set: MMPose's
``FreiHandDataset`` always gives the whole 224x224 image, other data sets the
hand box of the annotation. Each metric finds out which from the samples and
says it (``details['box_rule']``, logged), so every result states its box rule.
With ``normalize='keypoint-extent'`` they divide by ``max(w, h)`` of the
extent of the visible ground-truth keypoints instead: the protocol of the
real-photo measurements, whose boxes (the extent x 1.2) are not the divisor.

Usable from any config, e.g.::

    test_evaluator = [
        dict(type='HandPCK', thr=0.2),                  # PCK@0.2, frame-PCK@0.2, frame-AUC,
                                                        # mirror-confusion (21 keypoints)
        dict(type='HandNME'),                           # NME (eq. 9)
        dict(type='StagewiseHandMetric', thr=0.2),      # stage<t>/PCK@0.2 ... (needs
                                                        # model.test_cfg.output_stages=True)
        dict(type='KeypointUncertaintyMetric'),         # unc/AUROC@0.1, unc/Spearman, ...
    ]

Besides the scalars they return (what MMEngine logs and ``save_best`` can
select), each metric keeps the curves and per-joint values of its last
evaluation in ``details`` (JSON-ready) and, with ``outfile_prefix``, writes
them to ``<outfile_prefix>.<metric>.json``.
"""
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence, Union

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger
from mmpose.registry import METRICS

from mmpose_mlehand.utils import atomic_write_json

from . import functional as F

#: Default thresholds of the PCK curves (normalised by the box): 0 to 0.5.
DEFAULT_CURVE_THRS = tuple(np.round(np.linspace(0.0, 0.5, 51), 4).tolist())

BOX_RULE_HAND = 'max(w, h) of the ground-truth hand box'
BOX_RULE_IMAGE = ('max(w, h) of the ground-truth box, which is the whole image '
                  '(the data set gives no hand box)')
BOX_RULE_EXTENT = 'max(w, h) of the extent of the visible ground-truth keypoints'
#: What errors can be divided by: the box's size, or the keypoint extent's.
NORMALIZERS = ('box', 'keypoint-extent')


def _thr_name(thr: float) -> str:
    """``0.2 -> '0.2'``, ``0.05 -> '0.05'``."""
    return f'{thr:g}'


class HandBoxMetric(BaseMetric):
    """Base class: collects keypoints, visibility and box sizes per sample.

    Subclasses add what else they need in :meth:`extra` and compute their
    measures in :meth:`compute`.

    Args:
        normalize (str): What errors are divided by: ``'box'``, ``max(w, h)``
            of the ground-truth box (the paper's), or ``'keypoint-extent'``,
            ``max(w, h)`` of the extent of the sample's visible ground-truth
            keypoints (the real-photo protocol; needs two visible keypoints
            that are not at one point). Defaults to ``'box'``.
        outfile_prefix (str, optional): Write ``details`` of every
            evaluation to ``<outfile_prefix>.<metric name>.json``.
        collect_device (str): See :class:`mmengine.evaluator.BaseMetric`.
        prefix (str, optional): Prefix of the metric names.
    """

    def __init__(self,
                 normalize: str = 'box',
                 outfile_prefix: Optional[str] = None,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if normalize not in NORMALIZERS:
            raise ValueError(f'normalize must be one of {NORMALIZERS}, got {normalize!r}')
        self.normalize = normalize
        self.outfile_prefix = outfile_prefix
        self.details: Dict[str, object] = {}

    def extra(self, data_sample: dict) -> Dict[str, np.ndarray]:
        """What a subclass stores per sample besides the common fields."""
        return {}

    def process(self, data_batch: Sequence[dict], data_samples: Sequence[dict]) -> None:
        """Store each sample's keypoints (image pixels), visibility, box size
        and whether the box is the whole image.

        Args:
            data_batch (Sequence[dict]): The batch from the dataloader (unused).
            data_samples (Sequence[dict]): The model's outputs as dicts, each
                with ``pred_instances.keypoints`` (1, K, 2),
                ``gt_instances.keypoints`` (1, K, 2),
                ``gt_instances.keypoints_visible`` (1, K) or (1, K, 1) and
                ``gt_instances.bboxes`` (1, 4) xyxy; ``ori_shape`` (h, w) if
                known.
        """
        for sample in data_samples:
            gt = sample['gt_instances']
            visible = np.asarray(gt['keypoints_visible'])
            if visible.ndim == 3:
                visible = visible[..., 0]
            bbox = np.asarray(gt['bboxes'], np.float64).reshape(-1, 4)[0]
            whole_image = False
            if 'ori_shape' in sample:
                h, w = sample['ori_shape'][:2]
                whole_image = bool(np.allclose(bbox, [0, 0, w, h], atol=1.0))
            gt_xy = np.asarray(gt['keypoints'], np.float64).reshape(-1, 2)
            visible = visible.reshape(-1) > 0
            if self.normalize == 'box':
                box_size = F.box_sizes(bbox[None])[0]
            else:
                box_size = F.keypoint_extent_size(gt_xy, visible, sample.get('img_path'))
            result = dict(
                pred=np.asarray(sample['pred_instances']['keypoints'],
                                np.float64).reshape(-1, 2),
                gt=gt_xy, visible=visible, box_size=box_size, whole_image=whole_image)
            result.update(self.extra(sample))
            self.results.append(result)

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Stack the samples, compute, record the box rule and the details."""
        stacked = {key: np.stack([r[key] for r in results]) for key in results[0]}
        errors = F.normalized_errors(stacked['pred'], stacked['gt'], stacked['box_size'])
        box_rule = BOX_RULE_IMAGE if stacked['whole_image'].all() else BOX_RULE_HAND
        if self.normalize == 'keypoint-extent':
            box_rule = BOX_RULE_EXTENT
        elif 0 < stacked['whole_image'].sum() < len(results):
            box_rule = (f'{BOX_RULE_HAND} ({int(stacked["whole_image"].sum())} of '
                        f'{len(results)} boxes are the whole image)')
        metrics, details = self.compute(errors, stacked['visible'], stacked)
        self.details = dict(metric=type(self).__name__, box_rule=box_rule,
                            num_samples=len(results), **details)
        MMLogger.get_current_instance().info(
            f'{type(self).__name__}: errors normalised by {box_rule}')
        if self.outfile_prefix is not None:
            folder = osp.dirname(osp.abspath(self.outfile_prefix))
            os.makedirs(folder, exist_ok=True)
            atomic_write_json(f'{self.outfile_prefix}.{type(self).__name__}.json',
                              self.details, indent=1)
        return metrics

    def compute(self, errors: np.ndarray, visible: np.ndarray,
                stacked: Dict[str, np.ndarray]) -> tuple:
        """Return ``(metrics, details)`` from (N, K) normalised errors and
        (N, K) visibility; ``stacked`` holds every stored field, (N, ...)."""
        raise NotImplementedError


@METRICS.register_module()
class HandPCK(HandBoxMetric):
    """PCK normalised by the hand box: per keypoint and per frame (eq. 8).

    - ``PCK@thr``: for each keypoint type the share of its visible instances
      with error <= thr x max(w, h), averaged over keypoint types (MMPose's
      ``PCKAccuracy`` convention, with the paper's ``<=``).
    - ``frame-PCK@thr``: paper eq. 8, the share of frames whose mean error
      over the visible keypoints is <= thr x max(w, h) ("percentage of good
      frames").
    - ``frame-AUC``: area under the frame-PCK curve over ``curve_thrs``,
      divided by their range (1 = every frame perfect).
    - ``mirror-confusion`` (21 keypoints in FreiHAND order only): the share
      of frames whose mean error drops by more than ``mirror_margin`` x
      max(w, h) when the prediction's fingers are put in mirrored order
      (thumb <-> little, index <-> ring; :func:`~.functional.mirror_confusion`):
      palm and back, or left and right, confused.

    ``details``: both curves (``curve_thrs``, ``frame_pck_curve``,
    ``keypoint_pck_curve``), per-joint PCK at every ``thr`` and
    ``mirror_margin``.

    Args:
        thr (float | Sequence[float]): Threshold(s), fractions of the box
            size. Defaults to 0.2.
        curve_thrs (Sequence[float]): Thresholds of the curves. Defaults to
            0, 0.01, ..., 0.5.
        mirror_margin (float): Margin of ``mirror-confusion``, a fraction of
            the box size. Defaults to 0.05 (the real-photo measurements').
        **kwargs: See :class:`HandBoxMetric`.
    """

    def __init__(self,
                 thr: Union[float, Sequence[float]] = 0.2,
                 curve_thrs: Sequence[float] = DEFAULT_CURVE_THRS,
                 mirror_margin: float = 0.05,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.thrs = [float(t) for t in (thr if isinstance(thr, (list, tuple)) else [thr])]
        self.curve_thrs = [float(t) for t in curve_thrs]
        if mirror_margin < 0:
            raise ValueError(f'mirror_margin must be >= 0, got {mirror_margin}')
        self.mirror_margin = float(mirror_margin)

    def compute(self, errors, visible, stacked):
        metrics, joint = {}, {}
        for thr in self.thrs:
            name = _thr_name(thr)
            metrics[f'PCK@{name}'] = F.keypoint_pck(errors, visible, thr)
            metrics[f'frame-PCK@{name}'] = F.frame_pck(errors, visible, thr)
            joint[name] = F.joint_pck(errors, visible, thr).tolist()
        frame_curve = F.pck_curve(errors, visible, self.curve_thrs, per_frame=True)
        keypoint_curve = F.pck_curve(errors, visible, self.curve_thrs, per_frame=False)
        metrics['frame-AUC'] = F.curve_auc(self.curve_thrs, frame_curve)
        # The finger mirror is defined for the 21 hand keypoints only.
        if errors.shape[1] == F.NUM_KEYPOINTS:
            metrics['mirror-confusion'] = F.mirror_confusion_rate(
                stacked['pred'], stacked['gt'], stacked['box_size'], visible,
                self.mirror_margin)
        details = dict(thrs=self.thrs, curve_thrs=self.curve_thrs,
                       mirror_margin=self.mirror_margin,
                       frame_pck_curve=frame_curve.tolist(),
                       keypoint_pck_curve=keypoint_curve.tolist(), joint_pck=joint,
                       **{k: float(v) for k, v in metrics.items()})
        return metrics, details


@METRICS.register_module()
class HandNME(HandBoxMetric):
    """NME normalised by the hand box (paper eq. 9) and per joint.

    - ``NME``: the mean over frames of each frame's mean error over its
      visible keypoints, divided by max(w, h) of the box.

    ``details``: ``joint_nme`` (K values, the mean error of each keypoint over
    the frames where it is visible; None where never visible) and
    ``paper_joints`` (the 11 joints of the paper's Figs. 5-7, when K = 21).
    Combining it with MMPose's ``NME`` in one evaluator needs a ``prefix``.
    """

    def compute(self, errors, visible, stacked):
        metrics = dict(NME=F.nme(errors, visible))
        joint = F.joint_nme(errors, visible)
        details = dict(NME=metrics['NME'],
                       joint_nme=[None if np.isnan(v) else float(v) for v in joint])
        if errors.shape[1] == 21:
            details['paper_joints'] = {
                name: details['joint_nme'][i] for name, i in F.PAPER_JOINTS.items()}
        return metrics, details


@METRICS.register_module()
class StagewiseHandMetric(HandBoxMetric):
    """Every stage of a multi-stage head scored in one pass (paper Fig. 4).

    Reads ``pred_instances.stage_keypoints`` (1, T, K, 2) in image pixels,
    which :class:`~mmpose_mlehand.models.SequentialIntegralHead` adds with
    ``model.test_cfg.output_stages=True``. Returns ``stage<t>/PCK@thr``,
    ``stage<t>/frame-PCK@thr`` and ``stage<t>/NME`` for t = 1..T (the same
    measures as :class:`HandPCK` and :class:`HandNME`).

    ``details``: per-stage lists ``pck``, ``frame_pck``, ``nme`` (first
    threshold) and ``pck_by_thr``.

    Args:
        thr (float | Sequence[float]): Threshold(s). Defaults to 0.2.
        **kwargs: See :class:`HandBoxMetric`.
    """

    def __init__(self, thr: Union[float, Sequence[float]] = 0.2, **kwargs) -> None:
        super().__init__(**kwargs)
        self.thrs = [float(t) for t in (thr if isinstance(thr, (list, tuple)) else [thr])]

    def extra(self, data_sample: dict) -> Dict[str, np.ndarray]:
        pred = data_sample['pred_instances']
        if 'stage_keypoints' not in pred:
            raise KeyError('StagewiseHandMetric needs pred_instances.stage_keypoints: '
                           'a multi-stage head with model.test_cfg.output_stages=True')
        stages = np.asarray(pred['stage_keypoints'], np.float64)
        return dict(stages=stages.reshape(stages.shape[-3:]))  # (T, K, 2)

    def compute(self, errors, visible, stacked):
        stages = stacked['stages']  # (N, T, K, 2)
        num_stages = stages.shape[1]
        stage_errors = F.normalized_errors(stages, stacked['gt'][:, None],
                                           stacked['box_size'][:, None])  # (N, T, K)
        metrics: Dict[str, float] = {}
        details: Dict[str, object] = dict(
            num_stages=num_stages, thrs=self.thrs, pck_by_thr={}, frame_pck_by_thr={})
        details['nme'] = [F.nme(stage_errors[:, t], visible) for t in range(num_stages)]
        for thr in self.thrs:
            name = _thr_name(thr)
            pck = [F.keypoint_pck(stage_errors[:, t], visible, thr) for t in range(num_stages)]
            frame = [F.frame_pck(stage_errors[:, t], visible, thr) for t in range(num_stages)]
            details['pck_by_thr'][name], details['frame_pck_by_thr'][name] = pck, frame
            for t in range(num_stages):
                metrics[f'stage{t + 1}/PCK@{name}'] = pck[t]
                metrics[f'stage{t + 1}/frame-PCK@{name}'] = frame[t]
        for t in range(num_stages):
            metrics[f'stage{t + 1}/NME'] = details['nme'][t]
        first = _thr_name(self.thrs[0])
        details['pck'] = details['pck_by_thr'][first]
        details['frame_pck'] = details['frame_pck_by_thr'][first]
        return metrics, details


@METRICS.register_module()
class KeypointUncertaintyMetric(HandBoxMetric):
    """How well predicted sigmas rank and size the keypoint errors.

    The uncertainty of a keypoint is its predicted sigma in image pixels,
    ``mean(sigma_x * scale_w, sigma_y * scale_h)`` with sigma in units of the
    input crop (what :class:`MLELoss` and ``RLELoss`` model) and
    ``input_scale`` the crop's size in image pixels, divided by max(w, h) of the
    box like the errors. Sigma is read from ``pred_instances.keypoint_sigmas``
    (1, K, 2) (:class:`SequentialIntegralHead`) or, with ``source='scores'`` or
    when that is absent, as ``1 - keypoint_scores`` (MMPose's ``RLEHead`` and
    ``RegressionLabel``: score = 1 - mean sigma). Only visible keypoints count.

    Returns (prefix ``unc/``):

    - ``AUROC@thr``: AUROC of the uncertainty for "error > thr" (0.5: sigma
      says nothing; 1: every keypoint above thr is less confident than every
      one below);
    - ``Spearman``: rank correlation of uncertainty and error;
    - ``NME-confident{p}`` / ``NME-uncertain{p}``: mean error of the p% most /
      least confident keypoints (p = 100 x ``fraction``).

    ``details``: the same plus ``calibration`` (equal-count bins of mean
    uncertainty, mean and RMS error: the calibration figure) and the source.

    Args:
        error_thr (float | Sequence[float]): Error threshold(s) of the AUROC,
            fractions of the box size. Defaults to 0.1.
        fraction (float): Share of keypoints in the confident / uncertain
            groups. Defaults to 0.1.
        num_bins (int): Bins of the calibration data. Defaults to 10.
        source (str): ``'auto'`` (sigmas if predicted, else scores),
            ``'sigmas'`` or ``'scores'``.
        **kwargs: See :class:`HandBoxMetric`.
    """

    default_prefix: Optional[str] = 'unc'
    SOURCES = ('auto', 'sigmas', 'scores')

    def __init__(self,
                 error_thr: Union[float, Sequence[float]] = 0.1,
                 fraction: float = 0.1,
                 num_bins: int = 10,
                 source: str = 'auto',
                 **kwargs) -> None:
        super().__init__(**kwargs)
        if source not in self.SOURCES:
            raise ValueError(f'source must be one of {self.SOURCES}, got {source!r}')
        self.error_thrs = [float(t) for t in (
            error_thr if isinstance(error_thr, (list, tuple)) else [error_thr])]
        self.fraction = fraction
        self.num_bins = num_bins
        self.source = source

    def extra(self, data_sample: dict) -> Dict[str, np.ndarray]:
        pred = data_sample['pred_instances']
        use_sigmas = self.source == 'sigmas' or (
            self.source == 'auto' and 'keypoint_sigmas' in pred)
        if use_sigmas:
            sigma = np.asarray(pred['keypoint_sigmas'], np.float64).reshape(-1, 2)
        else:
            scores = np.asarray(pred['keypoint_scores'], np.float64).reshape(-1, 1)
            sigma = np.repeat(1.0 - scores, 2, axis=1)
        scale = np.asarray(data_sample['input_scale'], np.float64).reshape(-1)[:2]
        return dict(sigma_px=(sigma * scale).mean(axis=1),
                    from_sigmas=np.array(use_sigmas))

    def compute(self, errors, visible, stacked):
        uncertainty = stacked['sigma_px'] / stacked['box_size'][:, None]
        u, e = uncertainty[visible], errors[visible]
        pct = f'{100 * self.fraction:g}'
        split = F.confidence_split(u, e, self.fraction)
        metrics = {f'AUROC@{_thr_name(t)}': F.auroc(u, e > t) for t in self.error_thrs}
        metrics['Spearman'] = F.spearman(u, e)
        metrics[f'NME-confident{pct}'] = split['confident']
        metrics[f'NME-uncertain{pct}'] = split['uncertain']
        details = dict(
            source='keypoint_sigmas' if stacked['from_sigmas'].all() else '1 - keypoint_scores',
            error_thrs=self.error_thrs, fraction=self.fraction, NME_all=split['all'],
            calibration=F.calibration_bins(u, e, self.num_bins),
            **{k: float(v) for k, v in metrics.items()})
        return metrics, details

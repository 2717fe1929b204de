"""MLE loss of one stage (paper eq. 3-5) with a RealNVP density of deviations."""
import math
from typing import Optional, Sequence

import torch
import torch.nn.functional as F
from mmpose.models.utils.realnvp import RealNVP
from mmpose.registry import MODELS
from torch import Tensor, nn

from ...utils.precision import outside_autocast
from .batched_realnvp import batched_realnvp_log_prob

_SIGMA_ACTIVATIONS = ('sigmoid', 'softplus', 'exp')
_RESIDUAL_DISTRIBUTIONS = ('laplace', 'gaussian')
_REDUCTIONS = ('mean', 'sum', 'none')


@MODELS.register_module()
class MLELoss(nn.Module):
    r"""Maximum-likelihood loss of one stage, with a learned deviation density.

    For predicted coordinates :math:`\hat\mu`, scales :math:`\hat\sigma` (one per
    axis) and labels :math:`\mu_g`, the normalised deviation is
    :math:`\epsilon = (\mu_g - \hat\mu) / \hat\sigma` (eq. 3) and the loss of one
    keypoint is (eq. 4/5)

    .. math::
        L = -\log P_\phi(\epsilon) + \log\hat\sigma_x + \log\hat\sigma_y

    where :math:`P_\phi` is the 2-D density of a RealNVP flow (MMPose's
    :class:`RealNVP`, 6 coupling layers) owned by this module. A sequential head
    builds one ``MLELoss`` per stage, so every stage has its own flow (eq. 6 is
    the sum of the per-stage losses).

    Difference to MMPose's ``RLELoss``: there ``log_phi`` has shape (B, K, 1)
    and ``log_sigma`` (B, K, 2), so ``log_sigma - log_phi`` broadcasts and the
    2-D log-density is counted twice per keypoint (once per axis). Here it is
    counted once, as in the paper. ``RLELoss`` also always adds its residual
    term; here it is optional and off by default (the paper's eq. 4 has none).

    The flow is MMPose's ``RealNVP`` (state dicts unchanged), evaluated by
    :func:`~.batched_realnvp.batched_realnvp_log_prob`: the same log-density
    without building a validated ``MultivariateNormal`` on every call.
    :meth:`forward_stages` evaluates the losses of several stages (several
    ``MLELoss`` modules, one flow each) in one batched computation. Both run in
    float32 also inside an autocast region (bf16 mixed-precision training).

    Args:
        sigma_activation (str): Maps the head's raw sigma outputs to positive
            scales in normalised input units: ``'sigmoid'`` (default, as RLE;
            keeps sigma in (0, 1) so ``RegressionLabel`` can score keypoints
            by ``1 - sigma``), ``'softplus'`` or ``'exp'``.
        min_sigma (float): Added to the activated sigma so that ``log sigma``
            and ``1 / sigma`` stay finite when the raw output saturates.
            Defaults to 1e-4 (0.026 px of a 256 px input).
        residual (bool): Add RLE's residual log-likelihood term
            :math:`-\log Q(\epsilon)` per axis, with ``q_distribution`` a
            unit-scale Laplace or Gaussian density. Defaults to False.
        q_distribution (str): ``'laplace'`` or ``'gaussian'``.
        use_target_weight (bool): Weight each keypoint's loss by its target
            weight (visibility and inside-the-crop). Defaults to True.
        reduction (str): ``'mean'``: weighted mean over keypoints (sum of
            weighted losses divided by the sum of weights, at least 1, so a
            batch without visible keypoints gives 0); ``'sum'``; ``'none'``:
            the (B, K) weighted losses.
        loss_weight (float): Factor on the loss. Defaults to 1.
    """

    def __init__(self,
                 sigma_activation: str = 'sigmoid',
                 min_sigma: float = 1e-4,
                 residual: bool = False,
                 q_distribution: str = 'laplace',
                 use_target_weight: bool = True,
                 reduction: str = 'mean',
                 loss_weight: float = 1.0):
        super().__init__()
        _check_choice('sigma_activation', sigma_activation, _SIGMA_ACTIVATIONS)
        _check_choice('q_distribution', q_distribution, _RESIDUAL_DISTRIBUTIONS)
        _check_choice('reduction', reduction, _REDUCTIONS)
        if min_sigma <= 0:
            raise ValueError(f'min_sigma must be > 0, got {min_sigma}')
        self.sigma_activation = sigma_activation
        self.min_sigma = min_sigma
        self.residual = residual
        self.q_distribution = q_distribution
        self.use_target_weight = use_target_weight
        self.reduction = reduction
        self.loss_weight = loss_weight
        self.flow = RealNVP()

    def activate_sigma(self, raw_sigma: Tensor) -> Tensor:
        """Map raw network outputs to positive scales.

        Args:
            raw_sigma (Tensor): Raw sigma outputs, any shape.

        Returns:
            Tensor: Positive sigmas, same shape, in normalised input units.
        """
        if self.sigma_activation == 'sigmoid':
            sigma = raw_sigma.sigmoid()
        elif self.sigma_activation == 'softplus':
            sigma = F.softplus(raw_sigma)
        else:
            # Clamped so that exp never overflows to inf.
            sigma = raw_sigma.clamp(max=20.).exp()
        return sigma + self.min_sigma

    @outside_autocast
    def forward(self,
                pred_coords: Tensor,
                raw_sigma: Tensor,
                target_coords: Tensor,
                target_weights: Optional[Tensor] = None) -> Tensor:
        """Compute the loss of one stage.

        Args:
            pred_coords (Tensor): Predicted coordinates :math:`\\hat\\mu`,
                (B, K, 2), normalised input units.
            raw_sigma (Tensor): Raw sigma outputs, (B, K, 2); the activation
                is applied here.
            target_coords (Tensor): Labels :math:`\\mu_g`, (B, K, 2).
            target_weights (Tensor, optional): Keypoint weights, (B, K).
                Required when ``use_target_weight`` is True.

        Returns:
            Tensor: A scalar for reductions ``'mean'`` and ``'sum'``, else the
            (B, K) per-keypoint losses.
        """
        _check_shapes(pred_coords, raw_sigma, target_coords)
        sigma = self.activate_sigma(raw_sigma)
        eps = (target_coords - pred_coords) / sigma
        log_density = batched_realnvp_log_prob([self.flow], eps.reshape(1, -1, 2))
        loss = self._keypoint_nll(sigma, eps, log_density.reshape(eps.shape[:-1]))
        return self._reduce(loss, target_weights) * self.loss_weight

    @staticmethod
    @outside_autocast
    def forward_stages(losses: Sequence['MLELoss'],
                       pred_coords: Tensor,
                       raw_sigma: Tensor,
                       target_coords: Tensor,
                       target_weights: Optional[Tensor] = None) -> Tensor:
        """The losses of T stages, each with its own module, in one computation.

        Entry t equals ``losses[t](pred_coords[:, t], raw_sigma[:, t],
        target_coords, target_weights)``; the T flows run as one batched
        computation (:func:`~.batched_realnvp.batched_realnvp_log_prob`).

        Args:
            losses (Sequence[MLELoss]): T modules that differ at most in
                ``loss_weight`` (and their flows' parameters).
            pred_coords (Tensor): Predicted coordinates, (B, T, K, 2).
            raw_sigma (Tensor): Raw sigma outputs, (B, T, K, 2).
            target_coords (Tensor): Labels, (B, K, 2), shared by the stages.
            target_weights (Tensor, optional): Keypoint weights, (B, K).

        Returns:
            Tensor: (T, ) for reductions ``'mean'`` and ``'sum'``, else the
            (T, B, K) per-keypoint losses.
        """
        first = losses[0]
        settings = ('sigma_activation', 'min_sigma', 'residual', 'q_distribution',
                    'use_target_weight', 'reduction')
        for module in losses:
            if not isinstance(module, MLELoss):
                raise TypeError(f'expected MLELoss modules, got {type(module).__name__}')
            if any(getattr(module, k) != getattr(first, k) for k in settings):
                raise ValueError(f'the stages\' MLELoss modules differ in one of {settings}')
        if pred_coords.dim() != 4 or pred_coords.shape[1] != len(losses):
            raise ValueError(f'expected predictions of shape (B, {len(losses)}, K, 2), got '
                             f'{tuple(pred_coords.shape)}')
        # (T, B, K, 2): stage-major, so each flow sees one contiguous block.
        pred_coords, raw_sigma = pred_coords.transpose(0, 1), raw_sigma.transpose(0, 1)
        _check_shapes(pred_coords[0], raw_sigma[0], target_coords)
        sigma = first.activate_sigma(raw_sigma)
        eps = (target_coords - pred_coords) / sigma
        num_stages = eps.shape[0]
        log_density = batched_realnvp_log_prob([m.flow for m in losses],
                                               eps.reshape(num_stages, -1, 2))
        loss = first._keypoint_nll(sigma, eps, log_density.reshape(eps.shape[:-1]))
        if target_weights is not None:
            target_weights = target_weights.expand(num_stages, *target_weights.shape)
        per_stage = first._reduce(loss, target_weights)
        loss_weights = loss.new_tensor([m.loss_weight for m in losses])
        return per_stage * loss_weights.reshape(-1, *([1] * (per_stage.dim() - 1)))

    def _keypoint_nll(self, sigma: Tensor, eps: Tensor, log_density: Tensor) -> Tensor:
        """Per-keypoint loss (..., K) from sigmas and deviations (..., K, 2)
        and the flow's log-densities (..., K)."""
        loss = torch.log(sigma).sum(dim=-1) - log_density
        if self.residual:
            loss = loss + self._residual_nll(eps).sum(dim=-1)
        return loss

    def _reduce(self, loss: Tensor, target_weights: Optional[Tensor]) -> Tensor:
        """Weight per-keypoint losses (..., B, K) and reduce them over (B, K) as
        ``reduction`` says; leading axes (stages) are kept."""
        if self.use_target_weight:
            if target_weights is None:
                raise ValueError('use_target_weight=True needs target_weights (B, K)')
            weights = target_weights.to(loss.dtype)
            # torch.where, not a product: a weight of 0 must silence a
            # non-finite loss of an invisible keypoint, and 0 * inf is nan.
            loss = torch.where(weights > 0, loss * weights, loss.new_zeros(()))
        else:
            weights = torch.ones_like(loss)

        if self.reduction == 'mean':
            return loss.sum(dim=(-2, -1)) / weights.sum(dim=(-2, -1)).clamp(min=1.)
        if self.reduction == 'sum':
            return loss.sum(dim=(-2, -1))
        return loss

    def _residual_nll(self, eps: Tensor) -> Tensor:
        """Negative log of the unit-scale residual density Q, per axis."""
        if self.q_distribution == 'laplace':
            return math.log(2.) + eps.abs()
        return 0.5 * math.log(2. * math.pi) + 0.5 * eps.square()


def _check_shapes(pred_coords: Tensor, raw_sigma: Tensor, target_coords: Tensor) -> None:
    if pred_coords.shape != target_coords.shape or pred_coords.shape[-1] != 2:
        raise ValueError(
            'MLELoss expects predictions and targets of shape (B, K, 2), got '
            f'{tuple(pred_coords.shape)} and {tuple(target_coords.shape)}')
    if raw_sigma.shape != pred_coords.shape:
        raise ValueError(f'sigma must have shape {tuple(pred_coords.shape)}, '
                         f'got {tuple(raw_sigma.shape)}')


def _check_choice(name: str, value: str, choices: tuple) -> None:
    if value not in choices:
        raise ValueError(f'{name} must be one of {choices}, got {value!r}')

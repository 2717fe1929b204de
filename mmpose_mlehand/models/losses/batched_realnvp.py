"""Several MMPose RealNVP flows evaluated as one batched computation.

MMPose's :class:`~mmpose.models.utils.realnvp.RealNVP` evaluates one flow with
36 small ``nn.Linear`` calls and builds a validated ``MultivariateNormal``
(Cholesky factorisation and constraint checks) on every ``log_prob`` call. A
sequential head has one flow per stage. :func:`batched_realnvp_log_prob`
evaluates F flows at once: the parameters of every flow are stacked (one
``torch.stack`` per parameter kind, differentiable, so the gradients reach each
flow's own parameters and the state dicts stay MMPose's), the s- and t-nets
of all flows run as one batched matrix product per layer, and the Gaussian
prior's log-density is computed in closed form from the flows' ``loc`` and
``cov`` buffers. The result equals ``flows[f].log_prob(x[f])`` for every f up
to float rounding (tested).
"""
import math
from typing import List, Sequence, Tuple

import torch
import torch.nn.functional as F
from mmpose.models.utils.realnvp import RealNVP
from torch import Tensor, nn

_LOG_2PI = math.log(2 * math.pi)


def _linears(net: nn.Sequential) -> List[nn.Linear]:
    return [m for m in net if isinstance(m, nn.Linear)]


def _check_flows(flows: Sequence[RealNVP]) -> Tuple[int, float]:
    """Number of coupling layers and LeakyReLU slope; refuse other architectures."""
    if len(flows) == 0:
        raise ValueError('batched_realnvp_log_prob needs at least one flow')
    for flow in flows:
        if not isinstance(flow, RealNVP):
            raise TypeError(f'expected MMPose RealNVP flows, got {type(flow).__name__}')
    first = flows[0]
    num_layers = len(first.s)
    slopes = {m.negative_slope for m in first.modules() if isinstance(m, nn.LeakyReLU)}
    for flow in flows:
        # Different layer shapes make torch.stack fail below.
        if len(flow.s) != num_layers or len(flow.t) != num_layers:
            raise ValueError('all flows must have the same number of coupling layers')
    if len(slopes) != 1:
        raise ValueError(f'expected one LeakyReLU slope in the flows, got {sorted(slopes)}')
    return num_layers, slopes.pop()


def stack_realnvp_parameters(flows: Sequence[RealNVP],
                             num_layers: int) -> Tuple[List[Tensor], List[Tensor]]:
    """Stack the s- and t-net parameters of F flows, layer by layer.

    Args:
        flows (Sequence[RealNVP]): F flows with L coupling layers each.
        num_layers (int): L.

    Returns:
        tuple: ``weights`` and ``biases``, one entry per linear layer j of a
        net (3 for MMPose's nets): weights[j] (L, 2F, in_j, out_j) (already
        transposed for ``x @ w``), biases[j] (L, 2F, 1, out_j). Along the
        second axis the F s-nets come first, then the F t-nets.
    """
    depth = len(_linears(flows[0].s[0]))
    weights: List[List[Tensor]] = [[] for _ in range(depth)]
    biases: List[List[Tensor]] = [[] for _ in range(depth)]
    for i in range(num_layers):
        for kind in ('s', 't'):
            for flow in flows:
                for j, lin in enumerate(_linears(getattr(flow, kind)[i])):
                    weights[j].append(lin.weight)
                    biases[j].append(lin.bias)
    nets = 2 * len(flows)
    stacked_w = [
        torch.stack(w).reshape(num_layers, nets, *w[0].shape).transpose(-1, -2) for w in weights
    ]
    stacked_b = [torch.stack(b).reshape(num_layers, nets, 1, b[0].shape[0]) for b in biases]
    return stacked_w, stacked_b


def gaussian_log_prob_2d(z: Tensor, loc: Tensor, cov: Tensor) -> Tensor:
    """Log-density of 2-D Gaussians, one per flow, in closed form.

    Same value as ``MultivariateNormal(loc[f], cov[f]).log_prob(z[f])``
    (Cholesky factor of a 2x2 matrix written out), without building and
    validating a distribution object.

    Args:
        z (Tensor): Points, (F, N, 2).
        loc (Tensor): Means, (F, 2).
        cov (Tensor): Covariances, (F, 2, 2), symmetric positive definite.

    Returns:
        Tensor: (F, N) log-densities.
    """
    diff = z - loc[:, None, :]
    l11 = cov[:, 0, 0].sqrt()
    l21 = cov[:, 1, 0] / l11
    l22 = (cov[:, 1, 1] - l21 * l21).sqrt()
    y1 = diff[..., 0] / l11[:, None]
    y2 = (diff[..., 1] - l21[:, None] * y1) / l22[:, None]
    half_log_det = (l11.log() + l22.log())[:, None]
    return -0.5 * (y1 * y1 + y2 * y2) - _LOG_2PI - half_log_det


def batched_realnvp_log_prob(flows: Sequence[RealNVP], x: Tensor) -> Tensor:
    """Log-densities of F RealNVP flows at their own points, in one computation.

    Equivalent to ``torch.stack([flow.log_prob(x[f]) for f, flow in
    enumerate(flows)])`` (MMPose's ``RealNVP.backward_p`` followed by the
    prior's log-density), with the same gradients to ``x`` and to every
    flow's parameters.

    Args:
        flows (Sequence[RealNVP]): F flows of the same architecture.
        x (Tensor): Points in data space, (F, N, 2); x[f] is evaluated
            under flows[f].

    Returns:
        Tensor: (F, N) log-densities.
    """
    num_flows = len(flows)
    if x.dim() != 3 or x.shape[0] != num_flows or x.shape[-1] != 2:
        raise ValueError(f'expected points of shape ({num_flows}, N, 2), got {tuple(x.shape)}')
    num_layers, slope = _check_flows(flows)
    weights, biases = stack_realnvp_parameters(flows, num_layers)
    masks = torch.stack([flow.mask for flow in flows], dim=1).to(x.dtype)  # (L, F, 2)
    loc = torch.stack([flow.loc for flow in flows]).to(x.dtype)
    cov = torch.stack([flow.cov for flow in flows]).to(x.dtype)

    z = x
    log_det = x.new_zeros(x.shape[:2])
    for i in reversed(range(num_layers)):
        mask = masks[i][:, None, :]  # (F, 1, 2)
        keep = 1 - mask
        z_ = mask * z
        # The s-nets and the t-nets of all flows: one batch of 2F nets.
        h = z_.repeat(2, 1, 1)
        last = len(weights) - 1
        for j, (w, b) in enumerate(zip(weights, biases)):
            h = torch.baddbmm(b[i], h, w[i])
            if j < last:
                h = F.leaky_relu(h, slope)
        s = torch.tanh(h[:num_flows]) * keep
        t = h[num_flows:] * keep
        z = keep * (z - t) * torch.exp(-s) + z_
        log_det = log_det - s.sum(dim=-1)
    return gaussian_log_prob_2d(z, loc, cov) + log_det

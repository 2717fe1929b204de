"""The batched flows and MLELoss.forward_stages against MMPose's separate RealNVPs."""
import math

import pytest
import torch
from mmpose.models.utils.realnvp import RealNVP

from mmpose_mlehand.models.losses import MLELoss
from mmpose_mlehand.models.losses.batched_realnvp import (batched_realnvp_log_prob,
                                                          gaussian_log_prob_2d)


def trained_like_flows(num: int, seed: int):
    """Float64 flows with weights far from MMPose's near-identity init (xavier
    gain 0.01), so that every coupling layer really transforms its input.

    The comparisons run in float64: then 1e-5 measures the algorithm, not
    float32 rounding (which exp(-s) amplifies through six layers)."""
    torch.manual_seed(seed)
    flows = [RealNVP().double() for _ in range(num)]
    with torch.no_grad():
        for flow in flows:
            for m in flow.modules():
                if isinstance(m, torch.nn.Linear):
                    m.weight.normal_(0, 0.5)
                    m.bias.normal_(0, 0.3)
    return flows


def test_gaussian_log_prob_matches_multivariate_normal():
    torch.manual_seed(0)
    z, loc = torch.randn(3, 50, 2), torch.randn(3, 2)
    a = torch.randn(3, 2, 2)
    cov = a @ a.transpose(1, 2) + 0.5 * torch.eye(2)
    expected = torch.stack([
        torch.distributions.MultivariateNormal(loc[f], cov[f]).log_prob(z[f]) for f in range(3)])
    torch.testing.assert_close(gaussian_log_prob_2d(z, loc, cov), expected, rtol=1e-5, atol=1e-5)


def test_log_prob_and_gradients_match_separate_flows():
    flows = trained_like_flows(5, seed=1)
    x = (torch.randn(5, 37, 2, dtype=torch.float64) * 2).requires_grad_()
    ref = torch.stack([flow.log_prob(x[f]) for f, flow in enumerate(flows)])
    # The flows really transform: far from the standard normal's log-density.
    assert (ref - (-0.5 * (x ** 2).sum(-1) - math.log(2 * math.pi))).abs().max() > 0.5

    upstream = torch.randn(5, 37, dtype=torch.float64)
    params = [p for flow in flows for p in flow.parameters()]
    ref_grads = torch.autograd.grad((ref * upstream).sum(), [x] + params)
    out = batched_realnvp_log_prob(flows, x)
    grads = torch.autograd.grad((out * upstream).sum(), [x] + params)

    torch.testing.assert_close(out, ref, rtol=1e-5, atol=1e-5)
    for got, want in zip(grads, ref_grads):
        torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-5)


def test_float32_single_flow_at_mmpose_init():
    """In float32, at MMPose's own init, as MLELoss uses it for one stage."""
    torch.manual_seed(2)
    flow = RealNVP()
    x = torch.randn(1, 10, 2)
    torch.testing.assert_close(batched_realnvp_log_prob([flow], x)[0], flow.log_prob(x[0]),
                               rtol=1e-6, atol=1e-6)


def test_bad_inputs_are_refused():
    flows = [RealNVP(), RealNVP()]
    with pytest.raises(ValueError, match=r'\(2, N, 2\)'):
        batched_realnvp_log_prob(flows, torch.zeros(3, 4, 2))
    with pytest.raises(TypeError, match='RealNVP'):
        batched_realnvp_log_prob([torch.nn.Linear(2, 2)], torch.zeros(1, 4, 2))


@pytest.mark.parametrize('reduction', ['mean', 'sum', 'none'])
@pytest.mark.parametrize('residual', [False, True])
def test_forward_stages_equals_one_module_per_stage(reduction, residual):
    """MLELoss.forward_stages (one batched flow computation for T stages) gives the
    same losses and gradients as T separate MLELoss calls, and those equal the
    paper's formula evaluated with MMPose's RealNVP.log_prob."""
    T, B, K = 5, 4, 21
    flows = trained_like_flows(T, seed=3)
    losses = [MLELoss(reduction=reduction, residual=residual, loss_weight=1.0 + 0.5 * t).double()
              for t in range(T)]
    for loss, flow in zip(losses, flows):
        loss.flow.load_state_dict(flow.state_dict())
    torch.manual_seed(4)
    pred = torch.rand(B, T, K, 2, dtype=torch.float64, requires_grad=True)
    raw_sigma = torch.randn(B, T, K, 2, dtype=torch.float64, requires_grad=True)
    target = torch.rand(B, K, 2, dtype=torch.float64)
    weights = (torch.rand(B, K) > 0.2).double()

    separate = torch.stack([
        losses[t](pred[:, t], raw_sigma[:, t], target, weights) for t in range(T)])
    # The paper's eq. 4-6 with MMPose's flows, written out.
    sigma = raw_sigma.sigmoid() + losses[0].min_sigma
    eps = (target[:, None] - pred) / sigma
    log_phi = torch.stack([flows[t].log_prob(eps[:, t].reshape(-1, 2)).reshape(B, K)
                           for t in range(T)], dim=1)
    per_kpt = torch.log(sigma).sum(-1) - log_phi
    if residual:
        per_kpt = per_kpt + (math.log(2.) + eps.abs()).sum(-1)
    per_kpt = torch.where(weights[:, None] > 0, per_kpt * weights[:, None], 0.)
    if reduction == 'mean':
        formula = per_kpt.sum((0, 2)) / weights.sum()
    elif reduction == 'sum':
        formula = per_kpt.sum((0, 2))
    else:
        formula = per_kpt.transpose(0, 1)
    formula = formula * torch.tensor([1.0 + 0.5 * t for t in range(T)],
                                     dtype=torch.float64).reshape(
        -1, *([1] * (formula.dim() - 1)))
    torch.testing.assert_close(separate, formula, rtol=1e-5, atol=1e-5)

    batched = MLELoss.forward_stages(losses, pred, raw_sigma, target, weights)
    torch.testing.assert_close(batched, separate, rtol=1e-5, atol=1e-5)

    params = [pred, raw_sigma] + [p for loss in losses for p in loss.parameters()]
    upstream = torch.randn_like(separate)
    ref_grads = torch.autograd.grad((separate * upstream).sum(), params)
    grads = torch.autograd.grad((batched * upstream).sum(), params)
    for got, want in zip(grads, ref_grads):
        torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-5)


def test_forward_stages_refuses_mixed_settings():
    losses = [MLELoss(), MLELoss(sigma_activation='softplus')]
    with pytest.raises(ValueError, match='differ'):
        MLELoss.forward_stages(losses, torch.zeros(1, 2, 3, 2), torch.zeros(1, 2, 3, 2),
                               torch.zeros(1, 3, 2), torch.ones(1, 3))


def test_checkpoint_state_dict_is_mmposes():
    """MLELoss keeps MMPose's RealNVP, so checkpoints written before load as they are."""
    loss = MLELoss()
    assert isinstance(loss.flow, RealNVP)
    reference = RealNVP().state_dict()
    assert list(loss.state_dict()) == [f'flow.{k}' for k in reference]

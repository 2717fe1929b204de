import math

import pytest
import torch

from mmpose_mlehand.models.losses import MLELoss


def identity_flow_(loss: MLELoss) -> MLELoss:
    """Zero the last layer of every s/t net: s = t = 0, the flow is the identity."""
    with torch.no_grad():
        for net in list(loss.flow.s) + list(loss.flow.t):
            last_linear = [m for m in net if isinstance(m, torch.nn.Linear)][-1]
            last_linear.weight.zero_()
            last_linear.bias.zero_()
    return loss


def gaussian_nll(pred, sigma, target):
    """Closed form with an identity flow: -log N(eps; 0, I) + log sx + log sy."""
    eps = (target - pred) / sigma
    return (math.log(2 * math.pi) + 0.5 * (eps ** 2).sum(-1) + torch.log(sigma).sum(-1))


def test_identity_flow_reduces_to_gaussian_nll():
    torch.manual_seed(0)
    loss_fn = identity_flow_(MLELoss(reduction='none', use_target_weight=False))
    pred = torch.rand(3, 21, 2)
    target = torch.rand(3, 21, 2)
    raw_sigma = torch.randn(3, 21, 2)
    sigma = raw_sigma.sigmoid() + loss_fn.min_sigma
    expected = gaussian_nll(pred, sigma, target)
    torch.testing.assert_close(loss_fn(pred, raw_sigma, target), expected)


def test_hand_computed_value_single_keypoint():
    loss_fn = identity_flow_(MLELoss(reduction='sum', use_target_weight=False, min_sigma=1e-8))
    pred = torch.tensor([[[0.5, 0.5]]])
    target = torch.tensor([[[0.6, 0.3]]])
    raw_sigma = torch.logit(torch.tensor([[[0.1, 0.2]]]))
    # eps = (0.1 / 0.1, -0.2 / 0.2) = (1, -1): 0.5 * 2 + log(2 pi) + log(0.1) + log(0.2)
    expected = 1.0 + math.log(2 * math.pi) + math.log(0.1) + math.log(0.2)
    assert loss_fn(pred, raw_sigma, target).item() == pytest.approx(expected, rel=1e-5)


def test_density_counted_once_per_keypoint_unlike_rle():
    """RLELoss (residual off) counts -log phi twice per keypoint; MLELoss once."""
    from mmpose.models.losses import RLELoss
    torch.manual_seed(1)
    mle = MLELoss(reduction='none', use_target_weight=False, min_sigma=1e-9)
    rle = RLELoss(use_target_weight=False, size_average=False, residual=False)
    rle.flow_model.load_state_dict(mle.flow.state_dict())
    pred, target, raw_sigma = torch.rand(2, 21, 2), torch.rand(2, 21, 2), torch.randn(2, 21, 2)
    sigma = raw_sigma.sigmoid()
    # The paper's deviation is (label - prediction) / sigma; RLE's the opposite.
    log_phi = mle.flow.log_prob(((target - pred) / sigma).reshape(-1, 2)).reshape(2, 21)
    log_phi_rle = mle.flow.log_prob(((pred - target) / sigma).reshape(-1, 2)).reshape(2, 21)
    ours = mle(pred, raw_sigma, target)
    theirs = rle(pred, raw_sigma, target)  # RLELoss always sums
    torch.testing.assert_close(ours, torch.log(sigma).sum(-1) - log_phi, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(theirs, (torch.log(sigma).sum(-1) - 2 * log_phi_rle).sum(),
                               rtol=1e-5, atol=1e-4)


def test_residual_term_adds_laplace_nll():
    torch.manual_seed(2)
    plain = MLELoss(reduction='none', use_target_weight=False)
    residual = MLELoss(reduction='none', use_target_weight=False, residual=True)
    residual.flow.load_state_dict(plain.flow.state_dict())
    pred, target, raw_sigma = torch.rand(2, 5, 2), torch.rand(2, 5, 2), torch.randn(2, 5, 2)
    eps = (target - pred) / (raw_sigma.sigmoid() + plain.min_sigma)
    expected = plain(pred, raw_sigma, target) + (math.log(2.) + eps.abs()).sum(-1)
    torch.testing.assert_close(residual(pred, raw_sigma, target), expected)


def test_weighted_mean_ignores_invisible_keypoints():
    torch.manual_seed(3)
    loss_fn = MLELoss(reduction='mean')
    per_kpt = MLELoss(reduction='none', use_target_weight=False)
    per_kpt.flow.load_state_dict(loss_fn.flow.state_dict())
    pred, target, raw_sigma = torch.rand(2, 4, 2), torch.rand(2, 4, 2), torch.randn(2, 4, 2)
    weights = torch.tensor([[1., 0., 1., 0.], [0., 0., 1., 1.]])
    values = per_kpt(pred, raw_sigma, target)
    expected = values[weights > 0].sum() / 4
    torch.testing.assert_close(loss_fn(pred, raw_sigma, target, weights), expected)


@pytest.mark.parametrize('activation', ['sigmoid', 'softplus', 'exp'])
def test_finite_in_extreme_cases(activation):
    loss_fn = MLELoss(sigma_activation=activation)
    pred = torch.zeros(2, 21, 2, requires_grad=True)
    target = torch.full((2, 21, 2), 1e3)  # errors of 1e3 input widths
    raw_sigma = torch.full((2, 21, 2), -1e4, requires_grad=True)  # sigma -> 0
    weights = torch.ones(2, 21)
    value = loss_fn(pred, raw_sigma, target, weights)
    value.backward()
    assert torch.isfinite(value)
    assert torch.isfinite(pred.grad).all() and torch.isfinite(raw_sigma.grad).all()

    # No visible keypoint at all: zero loss, zero (finite) gradients.
    pred.grad = None
    value = loss_fn(pred, raw_sigma, target, torch.zeros(2, 21))
    value.backward()
    assert value.item() == 0.0
    assert torch.equal(pred.grad, torch.zeros_like(pred))

    # Huge raw sigma: exp must not overflow.
    big = loss_fn(torch.zeros(1, 1, 2), torch.full((1, 1, 2), 1e4), torch.ones(1, 1, 2),
                  torch.ones(1, 1))
    assert torch.isfinite(big)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match='sigma_activation'):
        MLELoss(sigma_activation='relu')
    with pytest.raises(ValueError, match='reduction'):
        MLELoss(reduction='avg')
    loss_fn = MLELoss()
    with pytest.raises(ValueError, match=r'\(B, K, 2\)'):
        loss_fn(torch.zeros(2, 21, 3), torch.zeros(2, 21, 3), torch.zeros(2, 21, 3))
    with pytest.raises(ValueError, match='target_weights'):
        loss_fn(torch.zeros(2, 21, 2), torch.zeros(2, 21, 2), torch.zeros(2, 21, 2))

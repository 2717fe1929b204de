"""bf16 mixed-precision training: what runs in bf16, what stays float32, and
that the method still learns under it."""
import copy
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope
from mmpose.registry import MODELS

from mmpose_mlehand.engine import BF16AutocastOptimWrapper
from mmpose_mlehand.models import MLELoss
from mmpose_mlehand.utils.precision import outside_autocast
from tests.helpers import QUICKSTART_CFG, dot_batch


def quickstart_model(repo_root):
    cfg = Config.fromfile(osp.join(repo_root, QUICKSTART_CFG))
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    return cfg, model


def bf16_wrapper(model, lr=1e-3):
    init_default_scope('mmpose')
    return build_optim_wrapper(model, dict(type='BF16AutocastOptimWrapper',
                                           optimizer=dict(type='Adam', lr=lr)))


def test_built_from_a_config_by_name(repo_root):
    _, model = quickstart_model(repo_root)
    assert isinstance(bf16_wrapper(model), BF16AutocastOptimWrapper)


def test_convolutions_run_in_bf16_but_outputs_and_losses_stay_float32(repo_root):
    _, model = quickstart_model(repo_root)
    model.train()
    batch, _ = dot_batch(4)
    data = model.data_preprocessor(batch, training=True)
    seen = {}

    def record_dtype(module, args, out) -> None:
        seen['deconv'] = out.dtype

    hook = model.head.stages[0].heatmap_branch[0].register_forward_hook(record_dtype)
    with bf16_wrapper(model).optim_context(model):
        feats = model.extract_feat(data['inputs'])
        out = model.head.forward(feats)
        losses = model.head.loss(feats, data['data_samples'])
    hook.remove()
    assert seen['deconv'] == torch.bfloat16
    assert out['coords'].dtype == out['raw_sigmas'].dtype == torch.float32
    assert all(v.dtype == torch.float32 for k, v in losses.items() if k.startswith('loss'))


def test_bf16_losses_are_close_to_float32_ones(repo_root):
    """Same weights, same batch: bf16 convolutions move the per-stage losses
    by little (each is a mean of 21 x 4 keypoint log-likelihoods)."""
    _, model = quickstart_model(repo_root)
    model.train()
    batch, _ = dot_batch(4)
    data = model.data_preprocessor(batch, training=True)
    state = copy.deepcopy(model.state_dict())
    fp32 = model(**data, mode='loss')
    model.load_state_dict(state)  # BatchNorm running stats as before
    with bf16_wrapper(model).optim_context(model):
        bf16 = model(**data, mode='loss')
    for key in (k for k in fp32 if k.startswith('loss')):
        assert abs(bf16[key].item() - fp32[key].item()) < 0.05 * max(1.0, abs(fp32[key].item())), (
            key, fp32[key].item(), bf16[key].item())


def test_mle_loss_inside_autocast_equals_it_outside():
    """The flows' matrix products would run in bf16 under autocast; the loss
    leaves autocast, so its value and gradients are float32's."""
    torch.manual_seed(0)
    loss = MLELoss()
    coords = torch.rand(3, 21, 2, requires_grad=True)
    raw_sigma = torch.randn(3, 21, 2, requires_grad=True)
    target, weights = torch.rand(3, 21, 2), torch.ones(3, 21)
    expected = loss(coords, raw_sigma, target, weights)
    expected_grads = torch.autograd.grad(expected, (coords, raw_sigma))
    with torch.autocast('cpu', dtype=torch.bfloat16):
        value = loss(coords, raw_sigma, target, weights)
        stages = MLELoss.forward_stages([loss, loss], torch.stack((coords, coords), 1),
                                        torch.stack((raw_sigma, raw_sigma), 1), target, weights)
    grads = torch.autograd.grad(value, (coords, raw_sigma))
    assert value.dtype == torch.float32
    torch.testing.assert_close(value, expected, rtol=0, atol=0)
    torch.testing.assert_close(stages, expected.expand(2), rtol=1e-6, atol=1e-6)
    for grad, ref in zip(grads, expected_grads):
        torch.testing.assert_close(grad, ref, rtol=0, atol=0)


def test_outside_autocast_casts_low_precision_arguments_up():
    @outside_autocast
    def product(a, b, scale=1.0):
        return (a @ b) * scale, a.dtype, torch.is_autocast_enabled('cpu')

    a = torch.randn(4, 4).bfloat16()
    b = torch.randn(4, 4)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        out, dtype, enabled = product(a, b=b, scale=2.0)
    assert dtype == torch.float32 and out.dtype == torch.float32 and not enabled
    # Outside autocast the call is unchanged (no casting).
    assert product(a.double(), b.double())[1] == torch.float64


def test_training_under_bf16_lowers_loss_and_keypoint_error(repo_root):
    """30 updates of the quick-start model through model.train_step with the
    wrapper (as MMEngine's runner calls it) learn as float32 training does
    (tests/models/test_training_convergence.py)."""
    _, model = quickstart_model(repo_root)
    batch, keypoints = dot_batch(8)
    wrapper = bf16_wrapper(model)

    def keypoint_error():
        with torch.no_grad():
            data = model.data_preprocessor(batch, training=True)
            coords = model.head.forward(model.extract_feat(data['inputs']))['coords'][:, -1]
        return (coords * 128 - keypoints).norm(dim=-1).mean().item()

    model.train()
    first_error = keypoint_error()
    logs = [model.train_step(batch, wrapper) for _ in range(30)]
    first_loss, last_loss = logs[0]['loss'].item(), logs[-1]['loss'].item()
    assert all(torch.isfinite(log['loss']) for log in logs)
    assert all(p.dtype == torch.float32 for p in model.parameters())
    assert last_loss < first_loss - 1.0, (first_loss, last_loss)
    assert keypoint_error() < 0.92 * first_error


def test_warns_where_bf16_is_emulated(repo_root, monkeypatch):
    from mmpose_mlehand.engine import optim_wrappers
    monkeypatch.setattr(optim_wrappers, 'cpu_has_native_bf16', lambda: False)
    _, model = quickstart_model(repo_root)
    wrapper = bf16_wrapper(model)
    with pytest.warns(UserWarning, match='emulated'):
        with wrapper.optim_context(model):
            pass


def test_runner_trains_with_the_wrapper_from_a_config(dot_freihand_root, tmp_path):
    """MMEngine's runner builds the wrapper by its registered name (as
    ``configs/*-bf16.py`` and ``--cfg-options optim_wrapper.type=...`` give it)
    and trains an epoch with it, keeping float32 weights in the checkpoint."""
    from mmengine.runner import Runner
    from mmengine.runner.checkpoint import _load_checkpoint

    from tests.helpers import tiny_cfg
    cfg = tiny_cfg(dot_freihand_root, str(tmp_path / 'work'), max_epochs=1)
    cfg.optim_wrapper.type = 'BF16AutocastOptimWrapper'
    runner = Runner.from_cfg(cfg)
    before = {k: v.clone() for k, v in runner.model.state_dict().items()}
    runner.train()
    assert isinstance(runner.optim_wrapper, BF16AutocastOptimWrapper)
    state = _load_checkpoint(str(tmp_path / 'work' / 'epoch_1.pth'),
                             map_location='cpu')['state_dict']
    assert all(v.dtype == before[k].dtype for k, v in state.items())
    moved = [k for k, v in state.items() if v.is_floating_point() and not torch.equal(v, before[k])]
    assert any(k.startswith('head.stages.0.') for k in moved)
    assert any(k.startswith('head.loss_modules.4.flow') for k in moved)

"""The method's configs clip gradients; the clip bounds what one gross outlier
label does to a confident model (sigma at its floor)."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.runner import Runner

from tests.helpers import QUICKSTART_CFG, REPO_ROOT, tiny_cfg

METHOD_CONFIGS = ['configs/mlehand_res50_freihand.py', 'configs/mlehand_res50_rhd.py',
                  'configs/mlehand_res50_synthetic-freihand.py', QUICKSTART_CFG]
MAX_NORM = 100.0  # docs/measurements.md, "Gradient norms and clipping"


@pytest.mark.parametrize('path', METHOD_CONFIGS)
def test_method_configs_clip_at_the_measured_norm(path):
    cfg = Config.fromfile(osp.join(REPO_ROOT, path))
    assert cfg.optim_wrapper.clip_grad == dict(max_norm=MAX_NORM, norm_type=2)
    assert cfg.optim_wrapper.optimizer.type == 'Adam'


def total_norm(model: torch.nn.Module) -> float:
    return float(torch.nn.utils.get_total_norm(
        [p.grad for p in model.parameters() if p.grad is not None]))


def test_clip_bounds_the_gradient_at_the_sigma_floor(dot_freihand_root, tmp_path):
    """Every stage of an untrained quick-start model predicts sigma = 1e-4 (its
    floor), so every label is a gross outlier at thousands of sigmas: the
    gradient norm is of order 1e5 or more. The config's optimizer wrapper
    clips it to 100 before Adam sees it."""
    torch.manual_seed(0)
    cfg = tiny_cfg(dot_freihand_root, str(tmp_path), max_epochs=1)
    runner = Runner.from_cfg(cfg)
    model = runner.model
    model.init_weights()
    model.train()
    with torch.no_grad():
        for stage in model.head.stages:
            stage.sigma_branch[-1].weight.zero_()
            stage.sigma_branch[-1].bias.fill_(-20.)  # sigmoid ~ 2e-9: sigma = floor

    batch = next(iter(runner.build_dataloader(cfg.train_dataloader)))
    data = model.data_preprocessor(batch, True)

    def loss_of(data) -> torch.Tensor:
        losses = model(**data, mode='loss')
        return sum(v for k, v in losses.items() if 'loss' in k)

    model.zero_grad()
    loss_of(data).backward()
    unclipped = total_norm(model)
    assert unclipped > 1e4

    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    model.zero_grad()
    optim_wrapper.backward(loss_of(data))
    optim_wrapper.step()
    logged = optim_wrapper.message_hub.get_scalar('train/grad_norm').current()
    assert logged == pytest.approx(unclipped, rel=1e-3)  # the norm before clipping
    assert total_norm(model) == pytest.approx(MAX_NORM, rel=1e-4)  # what Adam saw
    assert all(torch.isfinite(p).all() for p in model.parameters())

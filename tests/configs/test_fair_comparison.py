"""The fair comparison: one head initialisation for every soft-argmax model,
baselines on their recommended recipes next to the shared schedule, and the
CPU-sized experiment configs differing from the method's only in the model.
"""
import glob
import math
import os.path as osp

import pytest
import torch
from mmpose.registry import MODELS
from torch import nn

from mmpose_mlehand.experiments import MODEL_SPECS
from mmpose_mlehand.models.heads import SequentialIntegralHead, SoftArgmaxHead
from tests.helpers import REPO_ROOT, flatten
from tests.helpers import load_config as load

SOFT_ARGMAX = {
    'paper': ['configs/mlehand_res50_freihand.py',
              'configs/baselines/integral-l1_res50_freihand-256x256.py',
              'configs/baselines/mlehand-ablation-heatmap-l2_res50_freihand-256x256.py',
              'configs/baselines/mlehand-ablation-integral-l1_res50_freihand-256x256.py'],
    'cpu': [MODEL_SPECS[k].cpu_config for k in (
        'mlehand', 'integral-l1', 'mlehand-ablation-heatmap-l2', 'mlehand-ablation-integral-l1')],
}


def heatmap_layers(head: nn.Module):
    """(deconvolutions, BatchNorms, last convolution) of every heatmap branch."""
    if isinstance(head, SequentialIntegralHead):
        branches = [(stage.heatmap_branch, stage.heatmap_branch[-1]) for stage in head.stages]
    else:
        inner = head.simplebaseline_head
        branches = [(inner.deconv_layers, inner.final_layer)]
    for layers, final in branches:
        yield ([m for m in layers.modules() if isinstance(m, nn.ConvTranspose2d)],
               [m for m in layers.modules() if isinstance(m, nn.BatchNorm2d)], final)


def fan_in(weight: torch.Tensor) -> int:
    return nn.init._calculate_fan_in_and_fan_out(weight)[0]


@pytest.mark.parametrize('size', ['paper', 'cpu'])
def test_every_soft_argmax_head_starts_from_the_same_init(size):
    torch.manual_seed(0)
    types = set()
    for path in SOFT_ARGMAX[size]:
        head = MODELS.build(load(path).model.head)
        types.add(type(head))
        head.init_weights()
        branches = list(heatmap_layers(head))
        assert branches, path
        for deconvs, norms, final in branches:
            # Last convolution: Kaiming normal (fan-in, ReLU gain), zero bias.
            expected = math.sqrt(2 / fan_in(final.weight))
            assert final.weight.std().item() == pytest.approx(expected, rel=0.1), path
            assert final.bias.abs().max().item() == 0.0
            # Deconvolutions: PyTorch's default, U(-b, b) with b = 1 / sqrt(fan_in).
            assert len(deconvs) == (3 if size == 'paper' else 2)
            for deconv in deconvs:
                bound = 1 / math.sqrt(fan_in(deconv.weight))
                assert deconv.weight.abs().max().item() <= bound
                assert deconv.weight.std().item() == pytest.approx(bound / math.sqrt(3),
                                                                   rel=0.1), path
            for norm in norms:
                assert torch.equal(norm.weight, torch.ones_like(norm.weight))
                assert torch.equal(norm.bias, torch.zeros_like(norm.bias))
    assert types == {SequentialIntegralHead, SoftArgmaxHead}


def test_mmpose_integral_head_alone_would_start_differently():
    """What SoftArgmaxHead fixes: MMPose's head ends at N(0, 0.001) whatever its
    init_cfg, i.e. near-uniform heatmaps."""
    cfg = load('configs/baselines/integral-l1_res50_freihand-256x256.py').model.head
    cfg.type = 'IntegralRegressionHead'
    cfg.init_cfg = dict(type='Kaiming', layer='Conv2d')
    head = MODELS.build(cfg)
    head.init_weights()
    assert head.simplebaseline_head.final_layer.weight.std().item() == pytest.approx(
        0.001, rel=0.1)


def test_soft_argmax_head_keeps_mmpose_state_dict_keys():
    cfg = load('configs/baselines/integral-l1_res50_freihand-256x256.py').model.head
    ours = MODELS.build(cfg)
    cfg.type = 'IntegralRegressionHead'
    theirs = MODELS.build(cfg)
    assert ours.state_dict().keys() == theirs.state_dict().keys()


# --- recommended recipes ------------------------------------------------------

RECIPES = {
    'heatmap-l2_res50': dict(freihand=(100, [50, 70], 5e-4), rhd=(210, [170, 200], 5e-4)),
    'integral-l1_res50': dict(all=(210, [170, 200], 5e-4)),
    'rle_res50': dict(all=(210, [170, 200], 1e-3)),
    'cpm_cpm': dict(all=(210, [170, 200], 5e-4)),
}


def recommended_configs():
    found = sorted(glob.glob(osp.join(REPO_ROOT, 'configs/baselines/recommended/*.py')))
    assert len(found) == 12
    return [osp.relpath(f, REPO_ROOT) for f in found]


@pytest.mark.parametrize('path', recommended_configs())
def test_recommended_recipe_changes_only_the_schedule(path):
    name = osp.basename(path)
    algorithm = name.split('_recipe-')[0]
    dataset = name.split('_')[-1][:-len('-256x256.py')]
    epochs, milestones, lr = RECIPES[algorithm].get(
        'all', RECIPES[algorithm].get('freihand' if 'freihand' in dataset else 'rhd'))
    assert f'recipe-{epochs}e' in path
    shared = load(f'configs/baselines/{algorithm}_{dataset}-256x256.py')
    cfg = load(path)
    a, b = flatten(shared.to_dict()), flatten(cfg.to_dict())
    changed = {k for k in a.keys() | b.keys() if a.get(k) != b.get(k)}
    schedule = ('optim_wrapper.optimizer.lr', 'param_scheduler.', 'train_cfg.max_epochs',
                'auto_scale_lr.base_batch_size')
    assert changed and all(k.startswith(schedule) for k in changed), changed
    assert cfg.optim_wrapper.optimizer.lr == lr
    assert cfg.train_cfg.max_epochs == epochs
    assert cfg.auto_scale_lr.base_batch_size == 512
    warmup, steps = cfg.param_scheduler
    assert (warmup.type, warmup.end, warmup.start_factor, warmup.by_epoch) == (
        'LinearLR', 500, 0.001, False)
    assert (steps.type, steps.milestones, steps.gamma, steps.end) == (
        'MultiStepLR', milestones, 0.1, epochs)


# --- the CPU-sized experiment configs -----------------------------------------


@pytest.mark.parametrize('key', sorted({s.key for s in MODEL_SPECS.values() if not s.variant}))
def test_experiment_configs_differ_from_the_method_only_in_the_model(key):
    method = flatten(load(MODEL_SPECS['mlehand'].cpu_config).to_dict())
    cfg = load(MODEL_SPECS[key].cpu_config)
    assert osp.isfile(osp.join(REPO_ROOT, MODEL_SPECS[key].paper_config))
    resolved = flatten(cfg.to_dict())
    changed = {k for k in method.keys() | resolved.keys()
               if method.get(k, '<absent>') != resolved.get(k, '<absent>')}
    allowed = ('model.', 'codec', 'heatmap_size', 'target_codec', 'find_unused_parameters',
               'train_pipeline.4.encoder.', 'train_dataloader.dataset.pipeline.4.encoder.')
    assert all(k.startswith(allowed) for k in changed), sorted(
        k for k in changed if not k.startswith(allowed))
    # Hand-box crops and the paper's metrics for every model.
    for split in ('train', 'val', 'test'):
        dataset = cfg[f'{split}_dataloader'].dataset
        assert dataset.type == 'CheckedCocoStyleDataset'
        assert dataset.pipeline[1] == dict(type='GetBBoxCenterScale', padding=1.25)
    assert [m['type'] for m in cfg.val_evaluator] == ['HandPCK', 'HandNME', 'AUC', 'EPE']

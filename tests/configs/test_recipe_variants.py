"""Configs that vary one thing of another (precision, input size, width) change
that and nothing else; the default bundled recipe also its box scales and epochs."""
import re

import pytest
import torch
from mmpose.registry import MODELS

from tests.helpers import flatten
from tests.helpers import load_config as load

BUNDLED = 'configs/bundled/mlehand_res18-half_synthetic-photo-96x96.py'


def changed_keys(base: str, variant: str) -> dict:
    a, b = flatten(load(base).to_dict()), flatten(load(variant).to_dict())
    return {k: b.get(k) for k in a.keys() | b.keys() if a.get(k) != b.get(k)}


@pytest.mark.parametrize('base, variant', [
    ('configs/mlehand_res50_freihand.py', 'configs/mlehand_res50_freihand-bf16.py'),
    (BUNDLED, 'configs/bundled/mlehand_res18-half_synthetic-photo-96x96-bf16.py'),
])
def test_bf16_configs_change_only_the_optimizer_wrapper(base, variant):
    assert changed_keys(base, variant) == {'optim_wrapper.type': 'BF16AutocastOptimWrapper'}


def test_128_input_changes_every_input_size_and_only_those():
    changed = changed_keys(BUNDLED, 'configs/bundled/mlehand_res18-half_synthetic-photo-128x128.py')
    # input_size itself, the codec (twice: codec and the head's decoder) and the
    # affine transform of each pipeline (train, val, test dataloaders and the
    # pipeline variables).
    assert changed and all(v == 128 for v in changed.values()), changed
    assert all(re.search(r'(^|\.)input_size\.[01]$', k) for k in changed), changed
    assert {'codec.input_size.0', 'model.head.decoder.input_size.0',
            'train_dataloader.dataset.pipeline.4.input_size.0',
            'val_dataloader.dataset.pipeline.2.input_size.0',
            'test_dataloader.dataset.pipeline.2.input_size.0'} <= set(changed)


def test_full_width_doubles_the_channels_and_trains_longer_on_looser_boxes():
    path = 'configs/bundled/mlehand_res18_synthetic-photo-96x96.py'
    assert changed_keys(BUNDLED, path) == {
        'model.backbone.base_channels': 64, 'model.head.in_channels': 256,
        'model.head.fuse_channels': 64, 'model.head.deconv_channels.0': 64,
        'model.head.deconv_channels.1': 64, 'model.head.sigma_hidden_channels': 256,
        # the default bundled model's recipe: box scales up to 1.6, 14 epochs
        'train_transforms.3.scale_factor.1': 1.6, 'train_pipeline.3.scale_factor.1': 1.6,
        'train_dataloader.dataset.pipeline.3.scale_factor.1': 1.6,
        'train_cfg.max_epochs': 14, 'param_scheduler.1.end': 14, 'param_scheduler.1.T_max': 14}
    model = MODELS.build(load(path).model).eval()
    with torch.no_grad():
        out = model.head.forward(model.extract_feat(torch.zeros(1, 3, 96, 96)))
    assert out['coords'].shape == (1, 5, 21, 2) and out['likelihoods'].shape[-2:] == (24, 24)


def test_full_width_128_input_changes_the_input_sizes_and_the_epochs_only():
    base = 'configs/bundled/mlehand_res18_synthetic-photo-96x96.py'
    path = 'configs/bundled/mlehand_res18_synthetic-photo-128x128.py'
    changed = changed_keys(base, path)
    epochs = {'train_cfg.max_epochs': 10, 'param_scheduler.1.end': 10,
              'param_scheduler.1.T_max': 10}
    sizes = {k: v for k, v in changed.items() if k not in epochs}
    assert {k: changed.get(k) for k in epochs} == epochs
    assert sizes and all(v == 128 for v in sizes.values()), sizes
    assert all(re.search(r'(^|\.)input_size\.[01]$', k) for k in sizes), sizes
    assert {'codec.input_size.1', 'model.head.decoder.input_size.1',
            'train_dataloader.dataset.pipeline.4.input_size.1',
            'val_dataloader.dataset.pipeline.2.input_size.1',
            'test_dataloader.dataset.pipeline.2.input_size.1'} <= set(sizes)
    model = MODELS.build(load(path).model).eval()
    with torch.no_grad():
        out = model.head.forward(model.extract_feat(torch.zeros(1, 3, 128, 128)))
    assert out['coords'].shape == (1, 5, 21, 2) and out['likelihoods'].shape[-2:] == (32, 32)


PROXY_DIR = 'configs/experiments/deconv_width'
PAPER_PROXY = f'{PROXY_DIR}/mlehand_res18_synthetic-photo-128x128.py'
NARROW_PROXY = f'{PROXY_DIR}/mlehand-narrow-head_res18_synthetic-photo-128x128.py'


@pytest.mark.parametrize('base, variant', [
    ('configs/mlehand_res50_freihand.py', 'configs/mlehand_res50_freihand-narrow-head.py'),
    (PAPER_PROXY, NARROW_PROXY),
])
def test_narrow_head_changes_only_the_deconvolution_widths(base, variant):
    changed = changed_keys(base, variant)
    assert changed and all(k.startswith('model.head.deconv_channels.') for k in changed), changed

    def widths(path):
        head = MODELS.build(load(path).model).head
        return {tuple(m.out_channels for m in stage.heatmap_branch
                      if isinstance(m, torch.nn.ConvTranspose2d)) for stage in head.stages}

    assert widths(base) == {(256, 256, 256)}
    assert widths(variant) == {(256, 128, 64)}


def test_narrow_head_costs_about_what_the_heatmap_baseline_does():
    """Forward multiply-adds at 256x256 (README, Speed): the paper's widths
    1.78x the heatmap ResNet-50's, the narrow head's 1.03x; the difference is
    the deconvolutions and last convolutions of the five stages, counted by hand."""
    from mmpose_mlehand.analysis.benchmark_model import forward_gmacs
    gmacs = {path: forward_gmacs(MODELS.build(load(path).model).eval(), (256, 256))
             for path in ('configs/baselines/heatmap-l2_res50_freihand-256x256.py',
                          'configs/mlehand_res50_freihand.py',
                          'configs/mlehand_res50_freihand-narrow-head.py')}
    baseline, paper, narrow = gmacs.values()
    assert paper / baseline == pytest.approx(1.785, abs=0.005)
    assert narrow / baseline == pytest.approx(1.034, abs=0.005)

    # Per stage, deconvolution c_in -> c_out (4x4 kernel) on an s x s input, plus
    # BatchNorm (counted as one op per element) and the 1x1 convolution to 21.
    def stage_macs(widths):
        sizes, c_in, macs = (16, 32), 256, 0
        for c_out, s in zip(widths, sizes):
            macs += c_in * c_out * 16 * s * s + c_out * (2 * s) ** 2
            c_in = c_out
        return macs + c_in * 21 * 64 * 64
    per_stage = stage_macs((256, 256)) - stage_macs((128, 64))
    assert (paper - narrow) * 1e9 == pytest.approx(5 * per_stage, rel=1e-3)


def test_colour_recipe_adds_the_colour_steps_after_the_crop_and_nothing_else():
    from mmengine.dataset import Compose
    from mmengine.registry import DefaultScope
    base = load(BUNDLED)
    colour = load('configs/bundled/mlehand_res18-half_synthetic-photo-96x96-colour.py')
    steps = [t['type'] for t in base.train_dataloader.dataset.pipeline]
    crop = steps.index('TopdownAffine') + 1
    inserted = [dict(type='PhotometricDistortion', brightness_delta=32, contrast_range=(0.5, 1.5),
                     saturation_range=(0.5, 1.5), hue_delta=18),
                dict(type='RandomGrayscale', prob=0.2, keep_channels=True)]
    expected = base.train_dataloader.dataset.pipeline[:crop] + inserted + \
        base.train_dataloader.dataset.pipeline[crop:]
    assert colour.train_dataloader.dataset.pipeline == expected
    assert colour.train_pipeline == expected
    rest = ('train_transforms', 'train_pipeline', 'train_dataloader', 'colour_transforms')
    assert {k: v for k, v in colour.to_dict().items() if k not in rest and k != 'filename'} == \
        {k: v for k, v in base.to_dict().items() if k not in rest and k != 'filename'}
    # Both steps build from MMPose's scope (mmcv's grayscale by the registry's parent).
    with DefaultScope.overwrite_default_scope('mmpose'):
        transforms = Compose(inserted).transforms
    assert [type(t).__name__ for t in transforms] == ['PhotometricDistortion', 'RandomGrayscale']

"""Baseline and loss-ablation configs (configs/baselines/).

Every config builds through the registries and gives the losses expected at
initialisation on a random batch, trains two iterations and evaluates once on
tiny generated data, and differs from the method's config only in the model
block and in what the model's codec requires.
"""
import copy
import glob
import json
import math
import os
import os.path as osp
from typing import List

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.runner import Runner
from mmpose.registry import KEYPOINT_CODECS, MODELS
from mmpose.testing import get_packed_inputs

from tests.helpers import REPO_ROOT, flatten
from tests.helpers import load_config as load
from tests.helpers import tiny_config_options

DATASETS = ('freihand', 'rhd', 'synthetic-freihand')
METHOD = {
    'freihand': 'configs/mlehand_res50_freihand.py',
    'rhd': 'configs/mlehand_res50_rhd.py',
    'synthetic-freihand': 'configs/mlehand_res50_synthetic-freihand.py',
}
ALGORITHMS = ('heatmap-l2_res50', 'integral-l1_res50', 'rle_res50', 'cpm_cpm',
              'mlehand-ablation-heatmap-l2_res50', 'mlehand-ablation-integral-l1_res50')
# Algorithms whose codec differs from the dataset base's RegressionLabel, so
# that the codec and the GenerateTarget step of the train pipeline change too.
NEW_CODEC = {
    'heatmap-l2_res50': dict(type='MSRAHeatmap', heatmap_size=(64, 64), sigma=2),
    'cpm_cpm': dict(type='MSRAHeatmap', heatmap_size=(32, 32), sigma=2),
    'mlehand-ablation-heatmap-l2_res50': dict(
        type='IntegralRegressionLabel', heatmap_size=(64, 64), sigma=2, normalize=True),
}


def leaf(algorithm: str, dataset: str) -> str:
    return f'configs/baselines/{algorithm}_{dataset}-256x256.py'


BASELINES = [(a, d) for d in DATASETS for a in ALGORITHMS]
# The configs a user trains on real data; the synthetic leaves are these
# FreiHAND configs with another data_root (test_synthetic_equals_freihand).
REAL = [leaf(a, d) for d in ('freihand', 'rhd') for a in ALGORITHMS] + [
    METHOD['freihand'], METHOD['rhd']]


def algorithm_of(path: str) -> str:
    name = osp.basename(path)
    return 'mlehand' if name.startswith('mlehand_') else name.split('_')[0]


def pretrained_off(cfg: Config) -> None:
    """Switch off ImageNet weights; keep a backbone's own init (CPM)."""
    init_cfg = cfg.model.backbone.get('init_cfg')
    if init_cfg is not None and init_cfg.get('type') == 'Pretrained':
        cfg.model.backbone.init_cfg = None


def test_all_baseline_configs_are_listed():
    found = sorted(glob.glob(osp.join(REPO_ROOT, 'configs/baselines/*.py')))
    # Plus one leaf per algorithm that tests on FreiHAND's official evaluation
    # set (test_freihand_hand_boxes.py).
    expected = sorted(osp.join(REPO_ROOT, leaf(a, d)) for a, d in
                      BASELINES + [(a, 'freihand-eval') for a in ALGORITHMS])
    assert found == expected


# --- "only the model differs" ------------------------------------------------


@pytest.mark.parametrize('algorithm, dataset', BASELINES)
def test_differs_from_method_only_in_model_and_codec(algorithm, dataset):
    method = flatten(load(METHOD[dataset]).to_dict())
    cfg = load(leaf(algorithm, dataset))
    resolved = flatten(cfg.to_dict())

    # Index of GenerateTarget in the train pipeline: only its encoder may change.
    steps = [s['type'] for s in cfg.train_pipeline]
    target = steps.index('GenerateTarget')
    # `backbone` is the backbone base's variable, used only as `model.backbone`.
    allowed_prefixes = ['model.', 'backbone.']
    if algorithm.startswith('mlehand-ablation'):
        allowed_prefixes.append('find_unused_parameters')  # for DDP, see the runs below
    if algorithm in NEW_CODEC:
        allowed_prefixes += ['codec.', f'train_pipeline.{target}.encoder.',
                             f'train_dataloader.dataset.pipeline.{target}.encoder.']
    # The method clips its gradients: an outlier label meets a small sigma in the
    # MLE loss (docs/measurements.md, "Gradient norms and clipping"). The
    # baselines and the loss ablations keep the paper's schedule unclipped.
    allowed_prefixes.append('optim_wrapper.clip_grad.')
    changed = {k for k in method.keys() | resolved.keys()
               if method.get(k, '<absent>') != resolved.get(k, '<absent>')}
    unexpected = sorted(k for k in changed
                        if not any(k.startswith(p) for p in allowed_prefixes))
    assert not unexpected, unexpected
    assert any(k.startswith('model.head.') for k in changed)

    # The codec says what it should, in the pipeline too, at the dataset's size.
    codec = dict(NEW_CODEC.get(algorithm, dict(type='RegressionLabel')),
                 input_size=cfg.input_size)
    for key in ('heatmap_size', 'input_size'):
        if key in codec:
            codec[key] = tuple(codec[key])
    as_tuples = {k: tuple(v) if isinstance(v, list) else v for k, v in cfg.codec.items()}
    assert as_tuples == codec
    assert cfg.train_dataloader.dataset.pipeline[target].encoder == cfg.codec
    assert cfg.train_pipeline == cfg.train_dataloader.dataset.pipeline
    # Coordinate models keep RegressionLabel decoding (the ablation included).
    decoder = cfg.model.head.decoder
    if algorithm in ('heatmap-l2_res50', 'cpm_cpm'):
        assert decoder == cfg.codec
    else:
        assert decoder.type == 'RegressionLabel'
        assert tuple(decoder.input_size) == tuple(cfg.input_size)
    # Same schedule as the method: no baseline changes the optimizer; only the
    # method clips.
    method_optim = load(METHOD[dataset]).optim_wrapper
    assert method_optim.clip_grad.max_norm > 0 and 'clip_grad' not in cfg.optim_wrapper
    method_optim.pop('clip_grad')
    assert cfg.optim_wrapper == method_optim


@pytest.mark.parametrize('algorithm', ALGORITHMS + ('mlehand',))
def test_synthetic_equals_freihand_but_for_data_root(algorithm):
    if algorithm == 'mlehand':
        freihand, synthetic = METHOD['freihand'], METHOD['synthetic-freihand']
    else:
        freihand, synthetic = leaf(algorithm, 'freihand'), leaf(algorithm, 'synthetic-freihand')
    a, b = flatten(load(freihand).to_dict()), flatten(load(synthetic).to_dict())
    changed = {k for k in a.keys() | b.keys() if a.get(k) != b.get(k)}
    assert changed == {'data_root', 'train_dataloader.dataset.data_root',
                       'val_dataloader.dataset.data_root',
                       'test_dataloader.dataset.data_root'}
    assert all(b[k] == 'data/synthetic_freihand/' for k in changed)


def test_ablations_inherit_the_method_model():
    """Only the loss block of the method's head differs."""
    method = flatten(load('configs/_base_/models/mlehand_res50.py').model.to_dict())
    for name, loss, loss_input in (
            ('mlehand-ablation-heatmap-l2_res50', 'KeypointMSELoss', 'heatmaps'),
            ('mlehand-ablation-integral-l1_res50', 'L1Loss', 'coords')):
        model = load(f'configs/_base_/models/{name}.py').model
        ablation = flatten(model.to_dict())
        changed = {k for k in method.keys() | ablation.keys()
                   if method.get(k) != ablation.get(k)}
        assert changed - {'head.loss_input', 'head.loss_name'} == {
            k for k in changed if k.startswith('head.loss.')}
        assert model.head.loss.type == loss and model.head.loss_input == loss_input
        assert 'sigma_activation' not in model.head.loss  # _delete_ worked


# --- build and loss at initialisation ----------------------------------------


def encoded_batch(cfg: Config, batch_size: int = 2) -> dict:
    """A random batch (256x256 crops = images) whose labels are the config's
    codec's encoding of the random keypoints."""
    codec = KEYPOINT_CODECS.build(cfg.codec)
    heatmap_size = tuple(cfg.codec.get('heatmap_size', (64, 64)))
    batch = get_packed_inputs(batch_size, num_keypoints=21, img_shape=(256, 256),
                              input_size=(256, 256), heatmap_size=heatmap_size,
                              with_simcc_label=False)
    for sample in batch['data_samples']:
        encoded = codec.encode(sample.gt_instances.keypoints,
                               sample.gt_instances.keypoints_visible)
        sample.gt_instance_labels.keypoint_weights = torch.from_numpy(
            encoded['keypoint_weights']).float()
        if 'keypoint_labels' in encoded:
            sample.gt_instance_labels.keypoint_labels = torch.from_numpy(
                encoded['keypoint_labels']).float()
        if 'heatmaps' in encoded:
            sample.gt_fields.heatmaps = torch.from_numpy(encoded['heatmaps']).float()
    return batch


@pytest.mark.parametrize('path', REAL)
def test_builds_and_gives_the_expected_initial_losses(path):
    torch.manual_seed(0)
    cfg = load(path)
    pretrained_off(cfg)
    model = MODELS.build(cfg.model)
    model.init_weights()
    model.train()
    batch = encoded_batch(cfg)
    data = model.data_preprocessor(batch, training=True)
    with torch.no_grad():
        losses = model(**data, mode='loss')

    values = {k: v.item() for k, v in losses.items() if 'loss' in k}
    assert values and all(math.isfinite(v) for v in values.values()), values
    assert 0.0 <= losses['acc_pose'].item() <= 1.0

    samples = batch['data_samples']
    weights = torch.cat([s.gt_instance_labels.keypoint_weights for s in samples])
    assert weights.sum() > 30  # most random keypoints are inside the crop
    algorithm = algorithm_of(path)
    if algorithm in ('heatmap-l2', 'cpm'):
        # Output layers start at ~0: MSE ~ mean of the squared Gaussian targets.
        targets = torch.stack([s.gt_fields.heatmaps for s in samples])
        expected = (targets ** 2 * weights[..., None, None]).mean().item()
        stages = 6 if algorithm == 'cpm' else 1
        assert set(values) == {'loss_kpt'}
        assert values['loss_kpt'] == pytest.approx(stages * expected, rel=0.25)
    elif algorithm == 'integral-l1':
        # L1 between the head's soft-argmax and the labels (SoftArgmaxHead starts
        # from the method's head init, so its heatmaps are not uniform).
        labels = torch.cat([s.gt_instance_labels.keypoint_labels for s in samples])
        with torch.no_grad():
            coords, _ = model.head.forward(model.extract_feat(data['inputs']))
        w = weights[..., None]
        expected = (coords * w - labels * w).abs().mean().item()
        assert set(values) == {'loss_kpt'}
        assert values['loss_kpt'] == pytest.approx(expected, rel=1e-4)
    elif algorithm == 'mlehand-ablation-integral-l1':
        # Every stage's L1 between its soft-argmax and the labels.
        labels = torch.cat([s.gt_instance_labels.keypoint_labels for s in samples])
        with torch.no_grad():
            coords = model.head.forward(model.extract_feat(data['inputs']))['coords']
        w = weights[..., None]
        assert set(values) == {f'loss_integral_l1_s{t}' for t in range(5)}
        for t in range(5):
            expected = (coords[:, t] * w - labels * w).abs().mean().item()
            assert values[f'loss_integral_l1_s{t}'] == pytest.approx(expected, rel=1e-4)
    elif algorithm == 'mlehand-ablation-heatmap-l2':
        # Eq. 2 per stage: the sum over keypoints and pixels of the squared
        # difference between the likelihood and the normalised Gaussian
        # target, averaged over the batch.
        targets = torch.stack([s.gt_fields.heatmaps for s in samples])
        assert targets.sum(dim=(-1, -2))[weights > 0].allclose(torch.ones(1))
        with torch.no_grad():
            likelihoods = model.head.forward(model.extract_feat(data['inputs']))['likelihoods']
        assert set(values) == {f'loss_heatmap_l2_s{t}' for t in range(5)}
        assert cfg.model.head.loss.loss_weight == 21 * 64 * 64
        for t in range(5):
            squares = (likelihoods[:, t] - targets) ** 2 * weights[..., None, None]
            assert values[f'loss_heatmap_l2_s{t}'] == pytest.approx(
                squares.sum().item() / len(samples), rel=1e-4)
    elif algorithm == 'rle':
        assert set(values) == {'loss_kpt'}
    else:  # the method
        assert set(values) == {f'loss_mle_s{t}' for t in range(5)}


def test_rle_flows_keep_their_init():
    cfg = load(leaf('rle_res50', 'freihand'))
    head = MODELS.build(cfg.model.head)
    flow = copy.deepcopy(head.loss_module.flow_model.state_dict())
    torch.nn.init.constant_(head.fc.weight, 1.0)
    head.init_weights()
    for name, value in head.loss_module.flow_model.state_dict().items():
        assert torch.equal(value, flow[name]), name
    # The fc layer itself was initialised: N(0, 0.01), zero bias.
    assert head.fc.weight.std().item() == pytest.approx(0.01, rel=0.05)
    assert head.fc.bias.abs().max().item() == 0.0

    # RLEHead's default (layer-type) init would have overwritten the flow.
    head_cfg = copy.deepcopy(cfg.model.head)
    head_cfg.pop('init_cfg')
    default = MODELS.build(head_cfg)
    flow = copy.deepcopy(default.loss_module.flow_model.state_dict())
    default.init_weights()
    assert not all(torch.equal(v, flow[k])
                   for k, v in default.loss_module.flow_model.state_dict().items())


@pytest.mark.parametrize('algorithm', ['integral-l1_res50', 'rle_res50'])
def test_state_dict_round_trip(algorithm):
    """Their heads' old-version load hooks (``key.lstrip(prefix)``) must leave
    this model's own keys alone, so checkpoints load for testing and resuming."""
    cfg = load(leaf(algorithm, 'freihand'))
    pretrained_off(cfg)
    torch.manual_seed(0)
    saved = MODELS.build(cfg.model).state_dict()
    torch.manual_seed(1)
    model = MODELS.build(cfg.model)
    model.load_state_dict(copy.deepcopy(saved), strict=True)
    for name, value in model.state_dict().items():
        assert torch.equal(value, saved[name]), name


# --- two training iterations and one evaluation pass -------------------------


class RecordMetrics(Hook):

    def __init__(self):
        self.metrics: List[dict] = []

    def after_val_epoch(self, runner, metrics=None) -> None:
        self.metrics.append(dict(metrics or {}))


@pytest.fixture(scope='module')
def dot_rhd_root(dot_freihand_root, tmp_path_factory) -> str:
    """The dot hands as an Rhd2DDataset (COCO style) with tight hand boxes."""
    root = str(tmp_path_factory.mktemp('dot_rhd'))
    os.symlink(osp.join(dot_freihand_root, 'images'), osp.join(root, 'images'))
    os.makedirs(osp.join(root, 'annotations'))
    for split in ('train', 'val', 'test'):
        with open(osp.join(dot_freihand_root, 'annotations', f'freihand_{split}.json')) as f:
            coco = json.load(f)
        for ann in coco['annotations']:
            kpts = np.asarray(ann['keypoints'], dtype=float).reshape(-1, 3)[:, :2]
            (x0, y0), (x1, y1) = kpts.min(0), kpts.max(0)
            cx, cy, half = (x0 + x1) / 2, (y0 + y1) / 2, 0.6 * max(x1 - x0, y1 - y0)
            ann['bbox'] = [cx - half, cy - half, 2 * half, 2 * half]
            ann['area'] = (2 * half) ** 2
        with open(osp.join(root, 'annotations', f'rhd_{split}.json'), 'w') as f:
            json.dump(coco, f)
    return root


@pytest.mark.parametrize('path', REAL)
def test_two_iterations_and_evaluation(path, dot_freihand_root, dot_rhd_root, tmp_path):
    data_root = dot_rhd_root if '_rhd' in path else dot_freihand_root
    cfg = load(path)
    pretrained_off(cfg)
    cfg.merge_from_dict(tiny_config_options(data_root, str(tmp_path)))
    cfg.merge_from_dict({
        'train_dataloader.batch_size': 2,
        'val_dataloader.batch_size': 2,
        'val_dataloader.dataset.indices': 2,  # two images keep CPM's flip test short
        'randomness': dict(seed=0),
        'log_level': 'WARNING',
    })
    cfg.train_cfg = dict(by_epoch=False, max_iters=2, val_interval=2)
    # The model selection metric must be among the metrics; no checkpoint is
    # written here (tests/engine covers checkpoints).
    save_best = cfg.default_hooks.checkpoint.save_best
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=-1, save_last=False)
    runner = Runner.from_cfg(cfg)
    hook = RecordMetrics()
    runner.register_hook(hook)
    # Which trainable parameters get gradients: DDP needs
    # find_unused_parameters=True exactly when some do not.
    trainable = {n for n, p in runner.model.named_parameters() if p.requires_grad}
    with_grad = set()
    for name, param in runner.model.named_parameters():
        if param.requires_grad:
            param.register_post_accumulate_grad_hook(
                lambda _, name=name: with_grad.add(name))
    runner.train()

    assert runner.iter == 2
    loss = runner.message_hub.get_scalar('train/loss')
    assert len(loss.data[0]) == 2 and np.isfinite(loss.data[0]).all()
    unused = trainable - with_grad
    if algorithm_of(path).startswith('mlehand-ablation'):
        # The ablations' losses leave exactly the variance branches untrained.
        assert unused == {n for n in trainable if '.sigma_branch.' in n} != set()
        assert cfg.find_unused_parameters is True
    else:
        assert not unused and not cfg.get('find_unused_parameters', False)
    assert len(hook.metrics) == 1
    metrics = hook.metrics[0]
    # The paper's hand-box measures (HandPCK, HandNME), the mirror-confusion
    # rate (HandPCK, 21 keypoints) and MMPose's AUC and EPE.
    assert set(metrics) == {'PCK@0.2', 'frame-PCK@0.2', 'frame-AUC', 'mirror-confusion', 'NME',
                            'AUC', 'EPE'} and save_best in metrics
    assert all(math.isfinite(v) for v in metrics.values()), metrics
    assert all(0.0 <= metrics[k] <= 1.0 for k in ('PCK@0.2', 'frame-PCK@0.2', 'frame-AUC',
                                                  'mirror-confusion', 'AUC'))
    # Errors are in px of the original image (224x224): below its diagonal.
    assert 0.0 < metrics['EPE'] < 224 * math.sqrt(2)
    assert 0.0 < metrics['NME'] < 2.0

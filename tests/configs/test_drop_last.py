"""No training batch of one: every config drops the last incomplete batch.

The method's variance branch ends in BatchNorm1d, which raises in training on
a batch of one sample; 33 samples at batch 32 would end every epoch with one.
"""
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import DefaultSampler
from mmengine.runner import Runner
from torch.utils.data import DataLoader

from tests.helpers import QUICKSTART_CFG, REPO_ROOT, tiny_cfg, write_dot_freihand

METHOD = 'configs/mlehand_res50_freihand.py'
BASELINES = sorted(osp.relpath(p, REPO_ROOT) for p in glob.glob(
    osp.join(REPO_ROOT, 'configs/baselines/*_freihand-256x256.py')))
# Every pose config a user trains, in every folder (the mmdet detector's in
# configs/detection/ is checked in test_detector_config.py).
TRAIN_CONFIGS = sorted(
    osp.relpath(p, REPO_ROOT)
    for p in glob.glob(osp.join(REPO_ROOT, 'configs', '**', '*.py'), recursive=True)
    if not {'_base_', 'detection'} & set(osp.relpath(p, REPO_ROOT).split(osp.sep)))

# CPU time: the configs train at 64x64 instead of 256x256 (every size of the
# codec, the pipeline and the head scaled by 1/4); the models, the batch size
# and the data loading stay as configured.
SCALE = 0.25
SIZE_KEYS = ('input_size', 'heatmap_size', 'in_featuremap_size')


def scaled(obj):
    """A copy of a config node with every size of SIZE_KEYS scaled by SCALE."""
    if isinstance(obj, dict):
        return type(obj)({k: tuple(int(round(v * SCALE)) for v in obj[k])
                          if k in SIZE_KEYS else scaled(obj[k]) for k in obj})
    if isinstance(obj, (list, tuple)):
        return type(obj)(scaled(v) for v in obj)
    return obj


@pytest.fixture(scope='module')
def root_of_33(tmp_path_factory) -> str:
    """33 training images: at batch 32 the last batch would hold one."""
    return write_dot_freihand(str(tmp_path_factory.mktemp('dots33')),
                              dict(train=33, val=2, test=2), seed=1)


@pytest.mark.parametrize('path', TRAIN_CONFIGS)
def test_every_train_dataloader_drops_the_last_batch(path):
    cfg = Config.fromfile(osp.join(REPO_ROOT, path))
    assert cfg.train_dataloader.drop_last is True
    # Exact resume: a new worker per epoch, seeded from (seed, epoch).
    assert cfg.train_dataloader.persistent_workers is False
    # Labels checked before training.
    assert cfg.train_dataloader.dataset.type in ('CheckedFreiHandDataset', 'CheckedRhd2DDataset',
                                                 'CheckedCocoStyleDataset')
    for split in ('val', 'test'):  # evaluation keeps every sample
        assert cfg[f'{split}_dataloader'].drop_last is False


def small_cpu_cfg(path: str, data_root: str, work_dir: str) -> Config:
    cfg = Config.fromfile(osp.join(REPO_ROOT, path))
    for split in ('train', 'val', 'test'):
        cfg[f'{split}_dataloader'] = scaled(cfg[f'{split}_dataloader'])
    cfg.model = scaled(cfg.model)
    init_cfg = cfg.model.backbone.get('init_cfg')
    if init_cfg is not None and init_cfg.get('type') == 'Pretrained':
        cfg.model.backbone.init_cfg = None  # offline; CPM keeps its own init
    for split in ('train', 'val', 'test'):
        cfg[f'{split}_dataloader'].dataset.data_root = data_root
        cfg[f'{split}_dataloader'].num_workers = 0
        cfg[f'{split}_dataloader'].persistent_workers = False
    cfg.merge_from_dict({
        'work_dir': work_dir,
        'train_cfg.max_epochs': 1,
        'train_cfg.val_interval': 100,
        'default_hooks.checkpoint': dict(type='CheckpointHook', interval=-1, save_last=False),
        'randomness': dict(seed=0),
        'log_level': 'WARNING',
        'visualizer.vis_backends': [dict(type='LocalVisBackend')],
    })
    return cfg


@pytest.mark.parametrize('path', [METHOD] + BASELINES)
def test_33_samples_at_batch_32_train_one_epoch(path, root_of_33, tmp_path):
    cfg = small_cpu_cfg(path, root_of_33, str(tmp_path))
    assert cfg.train_dataloader.batch_size == 32
    affine = [t for t in cfg.train_dataloader.dataset.pipeline if t.type == 'TopdownAffine']
    assert affine[0].input_size == (64, 64)
    runner = Runner.from_cfg(cfg)
    sizes = []
    runner.model.register_forward_pre_hook(
        lambda module, args, kwargs: sizes.append(kwargs['inputs'].shape[0])
        if kwargs.get('mode') == 'loss' else None, with_kwargs=True)
    runner.train()
    assert runner.epoch == 1 and runner.iter == 1
    assert sizes == [32]  # the 33rd sample is dropped, not trained as a batch of one
    loss = runner.message_hub.get_scalar('train/loss').current()
    assert torch.isfinite(torch.tensor(loss))


def test_without_drop_last_the_method_crashes_on_the_batch_of_one(root_of_33, tmp_path):
    """The 33-sample set does reproduce the failure (quick-start model)."""
    cfg = tiny_cfg(root_of_33, str(tmp_path), max_epochs=1)
    cfg.train_dataloader.batch_size = 32
    cfg.train_dataloader.drop_last = False
    runner = Runner.from_cfg(cfg)
    with pytest.raises(ValueError, match='Expected more than 1 value per channel'):
        runner.train()
    assert runner.iter == 1  # the first batch of 32 trained; the batch of one raised


@pytest.mark.parametrize('world_size', [1, 2, 3, 4])
def test_no_batch_of_one_on_any_rank(world_size, monkeypatch):
    """DefaultSampler gives every rank ceil(n / world_size) indices (padded);
    with drop_last each rank's loader yields only full batches."""
    dataset = list(range(33))
    batch_size = 32 // world_size
    for rank in range(world_size):
        monkeypatch.setattr('mmengine.dataset.sampler.get_dist_info',
                            lambda rank=rank: (rank, world_size))
        sampler = DefaultSampler(dataset, shuffle=True, seed=0)
        loader = DataLoader(dataset, batch_size=batch_size, sampler=sampler, drop_last=True)
        sizes = [len(batch) for batch in loader]
        per_rank = -(-33 // world_size)
        assert sizes == [batch_size] * (per_rank // batch_size)
        # Without drop_last this rank's last batch holds per_rank % batch_size.
        undropped = DataLoader(dataset, batch_size=batch_size, sampler=sampler)
        assert [len(b) for b in undropped][-1] == (per_rank % batch_size or batch_size)


def test_quickstart_inherits_drop_last():
    cfg = Config.fromfile(osp.join(REPO_ROOT, QUICKSTART_CFG))
    assert cfg.train_dataloader.batch_size == 8 and cfg.train_dataloader.drop_last is True

"""The runtime's hooks: a non-finite loss stops training with a message;
per-epoch seeds; refusals and repairs of ExactResumeHook."""
import math
import os
import os.path as osp
import random
import shutil

import numpy as np
import pytest
import torch
from mmengine.hooks import Hook
from mmengine.runner import Runner

from mmpose_mlehand.engine import (CheckFiniteLossHook, ExactResumeHook, NonFiniteLossError,
                                   epoch_seed)
from mmpose_mlehand.models import MLELoss
from tests.helpers import tiny_cfg


class RecordIterations(Hook):
    """Records (epoch, iteration) at the start of every training iteration."""

    priority = 'VERY_LOW'

    def __init__(self):
        self.started = []

    def before_train_iter(self, runner, batch_idx, data_batch=None) -> None:
        self.started.append((runner.epoch, runner.iter))


def test_runtime_has_the_hooks(repo_root):
    from mmengine.config import Config
    cfg = Config.fromfile(osp.join(repo_root, 'configs/_base_/default_runtime.py'))
    assert [h['type'] for h in cfg.custom_hooks] == [
        'SyncBuffersHook', 'CheckFiniteLossHook', 'ExactResumeHook']
    assert cfg.custom_hooks[1]['interval'] == 1


@pytest.mark.parametrize('bad_value', [float('nan'), float('inf')])
def test_non_finite_loss_stops_training(bad_value, dot_freihand_root, tmp_path, monkeypatch):
    """16 images at batch 4: 4 iterations per epoch; stage 3's loss turns bad
    at iteration 6 (epoch 2): training stops there, with epoch 1's checkpoint."""
    work_dir = str(tmp_path / 'work')
    runner = Runner.from_cfg(tiny_cfg(dot_freihand_root, work_dir, max_epochs=3))
    record = RecordIterations()
    runner.register_hook(record)

    calls = {'n': 0}
    forward_stages = MLELoss.forward_stages  # the head computes its 5 losses in one call

    def bad_after_five_iterations(*args, **kwargs):
        losses = forward_stages(*args, **kwargs)
        calls['n'] += 1
        if calls['n'] > 5:
            losses = torch.cat((losses[:3], losses[3:4] * 0 + bad_value, losses[4:]))
        return losses

    monkeypatch.setattr(MLELoss, 'forward_stages', staticmethod(bad_after_five_iterations))
    with pytest.raises(NonFiniteLossError) as info:
        runner.train()
    message = str(info.value)
    assert message.startswith('Training stopped: the loss is not finite at epoch 2, '
                              'iteration 6 (batch 2 of the epoch)')
    assert f'loss_mle_s3={bad_value}' in message and 'non-finite: loss, loss_mle_s3' in message
    assert f'the last checkpoint is {osp.join(work_dir, "epoch_1.pth")}' in message
    assert '--resume' in message
    # The sixth iteration was the last one started; nothing after it was saved.
    assert record.started == [(0, 0), (0, 1), (0, 2), (0, 3), (1, 4), (1, 5)]
    assert runner.iter == 5
    assert sorted(f for f in os.listdir(work_dir) if f.endswith('.pth')) == ['epoch_1.pth']
    assert isinstance(info.value, RuntimeError)


def test_finite_loss_passes_and_interval_is_checked():
    hook = CheckFiniteLossHook(interval=2)

    class FakeRunner:
        iter = 0  # every_n_train_iters: (iter + 1) % 2 == 0 -> not checked at 0
        epoch = 0

    hook.after_train_iter(FakeRunner(), 0, outputs={'loss': torch.tensor(float('nan'))})
    FakeRunner.iter = 1
    hook.after_train_iter(FakeRunner(), 1, outputs={'loss': torch.tensor(1.5),
                                                    'acc_pose': torch.tensor(float('nan'))})
    with pytest.raises(ValueError):
        CheckFiniteLossHook(interval=0)


def test_epoch_seed():
    seeds = {epoch_seed(0, e) for e in range(100)} | {epoch_seed(1, e) for e in range(100)}
    assert len(seeds) == 200 and all(0 <= s < 2**31 for s in seeds)
    assert epoch_seed(7, 3) == epoch_seed(7, 3)
    assert epoch_seed(2**32 + 5, 1) == epoch_seed(5, 1)


def test_each_epoch_starts_from_its_seed(dot_freihand_root, tmp_path):
    """Python, numpy and torch are seeded from (seed, epoch) at every epoch."""

    class DrawAtEpochStart(Hook):
        priority = 'LOWEST'  # after ExactResumeHook (registered first)

        def __init__(self):
            self.draws = []

        def before_train_epoch(self, runner) -> None:
            self.draws.append((random.random(), float(np.random.rand()),
                               float(torch.rand(1))))

    runner = Runner.from_cfg(tiny_cfg(dot_freihand_root, str(tmp_path), max_epochs=2))
    hook = DrawAtEpochStart()
    runner.register_hook(hook)
    runner.train()
    for epoch, draws in enumerate(hook.draws):
        seed = epoch_seed(0, epoch)
        random.seed(seed)
        np.random.seed(seed)
        torch.manual_seed(seed)
        assert draws == (random.random(), float(np.random.rand()), float(torch.rand(1)))
    assert hook.draws[0] != hook.draws[1]


def test_training_set_without_a_full_batch_is_refused(dot_freihand_root, tmp_path):
    cfg = tiny_cfg(dot_freihand_root, str(tmp_path), max_epochs=1)
    cfg.train_dataloader.batch_size = 17  # 16 images, drop_last=True: no batch
    runner = Runner.from_cfg(cfg)
    record = RecordIterations()
    runner.register_hook(record)
    with pytest.raises(RuntimeError, match='The training set gives no batch: 16 samples, '
                                           'batch size 17 per process, drop_last=True'):
        runner.train()
    assert record.started == []


def test_resume_restores_the_sampler_seed_of_a_run_without_seed(dot_freihand_root, tmp_path):
    """Without randomness.seed a resumed runner draws a new seed, builds the
    sampler with it, then takes the checkpoint's seed: the hook realigns."""
    work_dir = str(tmp_path)
    cfg = tiny_cfg(dot_freihand_root, work_dir, max_epochs=1)
    cfg.randomness = dict(seed=None)
    first = Runner.from_cfg(cfg)
    first.train()

    class SamplerSeed(Hook):
        priority = 'LOWEST'

        def before_run(self, runner) -> None:
            self.built_with = runner.train_dataloader.sampler.seed

        def before_train_epoch(self, runner) -> None:
            self.seeds = (runner.seed, runner.train_dataloader.sampler.seed)

    cfg = tiny_cfg(dot_freihand_root, work_dir, max_epochs=2)
    cfg.randomness = dict(seed=None)
    cfg.resume = True
    resumed = Runner.from_cfg(cfg)
    hook = SamplerSeed()
    resumed.register_hook(hook)
    resumed.train()
    assert hook.built_with != first.seed  # the new runner's own random seed
    assert hook.seeds == (first.seed, first.seed)


def test_resume_at_a_validation_epoch_runs_the_validation(dot_freihand_root, tmp_path):
    """A kill between epoch 1's checkpoint and its validation (or the best
    checkpoint's write) loses nothing: the resumed run validates epoch 1, and
    ends with the best checkpoint, metrics and weights of the run not stopped."""

    class RecordVal(Hook):
        def __init__(self):
            self.metrics = []

        def after_val_epoch(self, runner, metrics=None) -> None:
            self.metrics.append((runner.epoch, dict(metrics)))

    def cfg_for(work_dir):
        cfg = tiny_cfg(dot_freihand_root, work_dir, max_epochs=2)
        cfg.train_cfg.val_interval = 1
        cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=1,
                                            save_best='AUC', rule='greater')
        return cfg

    class StashCheckpoint(Hook):
        """Copies epoch 1's checkpoint as it is before its validation (after
        a new best, MMEngine writes it again with the best score)."""

        def before_val_epoch(self, runner) -> None:
            if runner.epoch == 1:
                shutil.copy(osp.join(full_dir, 'epoch_1.pth'), osp.join(killed_dir, 'epoch_1.pth'))

    full_dir, killed_dir = str(tmp_path / 'full'), str(tmp_path / 'killed')
    os.makedirs(killed_dir)
    full = Runner.from_cfg(cfg_for(full_dir))
    full_val = RecordVal()
    full.register_hook(full_val)
    full.register_hook(StashCheckpoint())
    full.train()

    # The killed run: epoch 1's checkpoint exists, its validation never ran.
    with open(osp.join(killed_dir, 'last_checkpoint'), 'w') as f:
        f.write(osp.join(killed_dir, 'epoch_1.pth'))
    cfg = cfg_for(killed_dir)
    cfg.resume = True
    resumed = Runner.from_cfg(cfg)
    resumed_val = RecordVal()
    resumed.register_hook(resumed_val)
    resumed.train()

    assert [e for e, _ in resumed_val.metrics] == [1, 2]
    assert resumed_val.metrics == full_val.metrics
    assert all(math.isfinite(v) for _, m in full_val.metrics for v in m.values())
    best = sorted(f for f in os.listdir(full_dir) if f.startswith('best_'))
    assert len(best) == 1
    assert sorted(f for f in os.listdir(killed_dir) if f.startswith('best_')) == best
    assert resumed.message_hub.get_info('best_score') == full.message_hub.get_info('best_score')
    for name, value in full.model.state_dict().items():
        assert torch.equal(value, resumed.model.state_dict()[name]), name


def test_hook_priorities():
    # The loss check runs before the logger and the checkpoint hook of the
    # iteration; the resume hook after CheckpointHook's before_train.
    assert CheckFiniteLossHook.priority == 'VERY_HIGH'
    assert ExactResumeHook.priority == 'LOWEST'


def test_resume_inside_an_epoch_warns(dot_freihand_root, tmp_path):
    """A checkpoint written inside an epoch (by iterations) resumes, but
    MMEngine's epoch loop trains that epoch again from its start: said in the log."""
    work_dir = str(tmp_path)
    cfg = tiny_cfg(dot_freihand_root, work_dir, max_epochs=1)
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', by_epoch=False, interval=2)
    Runner.from_cfg(cfg).train()
    cfg = tiny_cfg(dot_freihand_root, work_dir, max_epochs=1)
    cfg.resume, cfg.load_from = True, osp.join(work_dir, 'iter_2.pth')
    resumed = Runner.from_cfg(cfg)
    record = RecordIterations()
    resumed.register_hook(record)
    resumed.train()
    with open(osp.join(resumed.log_dir, f'{resumed.timestamp}.log')) as f:
        log = f.read()
    assert ('Resumed from a checkpoint written inside epoch 1 (iteration 2): MMEngine\'s '
            'EpochBasedTrainLoop trains that epoch again from its start') in log
    assert record.started == [(0, 2), (0, 3), (0, 4), (0, 5)]  # 4 batches again


def test_resume_with_data_workers_equals_uninterrupted(dot_freihand_root, tmp_path):
    """Non-persistent workers start each epoch from that epoch's seed, so the
    augmentations after a resume are the ones the uninterrupted run drew."""

    def cfg_for(work_dir):
        cfg = tiny_cfg(dot_freihand_root, work_dir, max_epochs=2)
        cfg.train_dataloader.num_workers = 2
        cfg.train_dataloader.persistent_workers = False
        cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=1)  # keep all
        return cfg

    full_dir, resumed_dir = str(tmp_path / 'full'), str(tmp_path / 'resumed')
    full = Runner.from_cfg(cfg_for(full_dir))
    full.train()
    os.makedirs(resumed_dir)
    shutil.copy(osp.join(full_dir, 'epoch_1.pth'), osp.join(resumed_dir, 'epoch_1.pth'))
    cfg = cfg_for(resumed_dir)
    cfg.resume, cfg.load_from = True, osp.join(resumed_dir, 'epoch_1.pth')
    resumed = Runner.from_cfg(cfg)
    resumed.train()
    assert resumed.iter == full.iter == 8
    for name, value in full.model.state_dict().items():
        assert torch.equal(value, resumed.model.state_dict()[name]), name

"""Hooks that make training stop cleanly and resume exactly (configs add them
in ``configs/_base_/default_runtime.py``; registered in MMPose's ``HOOKS``).

- :class:`CheckFiniteLossHook` stops a run whose loss became NaN or infinite,
  before anything of that iteration is logged as normal or saved.
- :class:`ExactResumeHook` makes a run resumed with ``--resume`` from an
  epoch checkpoint end as the same run uninterrupted: per-epoch random seeds,
  the seeds of the sampler and the data workers after a resume, and the
  validation that a kill between the checkpoint and the validation skipped.
"""
import math
import random
from functools import partial
from typing import Dict, Optional

import numpy as np
import torch
from mmengine.dataset import worker_init_fn as mmengine_worker_init_fn
from mmengine.hooks import Hook
from mmengine.runner import EpochBasedTrainLoop
from mmpose.registry import HOOKS


class NonFiniteLossError(RuntimeError):
    """The training loss became NaN or infinite."""


def _as_float(value) -> float:
    if isinstance(value, torch.Tensor):
        return float(value.detach().float().mean().item())
    return float(value)


@HOOKS.register_module()
class CheckFiniteLossHook(Hook):
    """Stop training when the loss is NaN or infinite.

    After every ``interval``-th training iteration the summed loss and every
    logged loss term are checked; a non-finite one raises
    :class:`NonFiniteLossError` (a ``RuntimeError``) whose message names the
    epoch, the iteration, the terms and their values, and the last checkpoint
    to resume from. The hook runs before the logger and the checkpoint hook of
    that iteration (priority ``VERY_HIGH``), so no checkpoint holding the
    iteration's weights is written. (The optimizer step of the iteration has
    run: the weights in memory are lost, the checkpoints on disk are not.)

    MMDetection's ``CheckInvalidLossHook`` does this with an ``assert``, which
    ``python -O`` removes and whose message is empty; MMEngine has none.

    Args:
        interval (int): Check every ``interval`` iterations. Defaults to 1:
            the check is one comparison per logged value.
    """

    priority = 'VERY_HIGH'

    def __init__(self, interval: int = 1) -> None:
        if interval < 1:
            raise ValueError(f'interval must be >= 1, got {interval}')
        self.interval = interval

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch=None,
                         outputs: Optional[Dict[str, torch.Tensor]] = None) -> None:
        if not outputs or not self.every_n_train_iters(runner, self.interval):
            return
        values = {k: _as_float(v) for k, v in outputs.items() if 'loss' in k}
        bad = [k for k, v in values.items() if not math.isfinite(v)]
        if not bad:
            return
        terms = ', '.join(f'{k}={v}' for k, v in values.items())
        last_ckpt = runner.message_hub.get_info('last_ckpt')
        where = (f'the last checkpoint is {last_ckpt}' if last_ckpt else
                 'no checkpoint was saved yet')
        raise NonFiniteLossError(
            f'Training stopped: the loss is not finite at epoch {runner.epoch + 1}, '
            f'iteration {runner.iter + 1} (batch {batch_idx + 1} of the epoch): {terms} '
            f'(non-finite: {", ".join(bad)}). Nothing of this iteration was saved; '
            f'{where}. Usual causes: labels that are not checked (a custom dataset '
            'type), a learning rate too high for the batch size, or no gradient '
            'clipping. Fix the cause, then resume with `--resume`.')


def epoch_seed(seed: int, epoch: int) -> int:
    """The seed of one epoch: a function of the run's seed and the epoch only.

    Args:
        seed (int): The run's random seed (``runner.seed``).
        epoch (int): The epoch, counted from 0.

    Returns:
        int: A seed in ``[0, 2**31)``, so that MMEngine's worker seeds
        (``seed + rank * num_workers + worker_id``) stay valid for numpy.
    """
    state = np.random.SeedSequence([int(seed) % 2**32, int(epoch)]).generate_state(1)[0]
    return int(state) % 2**31


@HOOKS.register_module()
class ExactResumeHook(Hook):
    """Make a resumed run the same as the run uninterrupted.

    MMEngine restores the weights, the optimizer, the schedulers and the
    message hub on ``--resume``, but not the random states of python, numpy
    and torch, so the data augmentation after a resume differs from the run
    that was not stopped. This hook

    1. seeds python, numpy and torch at the start of every training epoch
       from (run seed, epoch) (:func:`epoch_seed`), and gives the data
       workers that epoch's seed (MMEngine's ``worker_init_fn``, rebound per
       epoch), so an epoch's randomness does not depend on what ran before;
    2. after a resume, gives the sampler and the workers the run's seed when
       MMEngine built them before it restored the seed from the checkpoint
       (configs without ``randomness.seed``);
    3. runs the validation of the epoch it resumes at when that epoch
       validates: the epoch's checkpoint is written before its validation, so
       a kill during the validation (or while the best checkpoint is written)
       would otherwise skip it; run again after a completed validation it
       gives the same metrics and the same best checkpoint;
    4. refuses a training set that gives no batch (fewer samples per rank
       than the batch size with ``drop_last=True``), and warns when exactness
       cannot hold: persistent train workers (their random state outlives
       the epoch) or a checkpoint written inside an epoch (MMEngine's
       epoch loop repeats the whole epoch).

    Exact means: with ``num_workers=0`` or non-persistent workers, the same
    devices and thread counts and deterministic kernels, a run resumed from
    the checkpoint of epoch N ends with the same weights, optimizer state and
    metrics as the run that was not stopped.

    Args:
        revalidate (bool): Do 3. Defaults to True.
    """

    priority = 'LOWEST'  # before_train after CheckpointHook's (best-score state)

    def __init__(self, revalidate: bool = True) -> None:
        self.revalidate = revalidate
        self._seed_at_build: Optional[int] = None

    def before_run(self, runner) -> None:
        # The dataloaders are built; a resume may still change the seed.
        self._seed_at_build = runner.seed

    def before_train(self, runner) -> None:
        loader = runner.train_dataloader
        try:
            num_batches = len(loader)
        except TypeError:  # an iterable dataset: no length, nothing to check
            num_batches = None
        if num_batches == 0:
            raise RuntimeError(
                f'The training set gives no batch: {len(loader.dataset)} samples, '
                f'batch size {loader.batch_size} per process, drop_last=True (the last '
                'incomplete batch of every process is dropped). Use a smaller batch size '
                'or more samples.')
        if loader.num_workers > 0 and loader.persistent_workers:
            runner.logger.warning(
                'train_dataloader has persistent_workers=True: the workers keep their '
                'random state across epochs, so a resumed run draws other augmentations '
                'than an uninterrupted one. Set persistent_workers=False for exact resume.')

        if self._seed_at_build is not None and runner.seed != self._seed_at_build:
            # Resumed without a configured seed: the sampler was built with the
            # new runner's seed, the run used the checkpoint's.
            for sampler in (loader.sampler, getattr(loader.batch_sampler, 'sampler', None)):
                if getattr(sampler, 'seed', None) == self._seed_at_build:
                    sampler.seed = runner.seed

        loop = runner.train_loop
        if not isinstance(loop, EpochBasedTrainLoop) or loop.iter == 0 or num_batches is None:
            return  # not resumed
        if loop.iter != loop.epoch * num_batches:
            runner.logger.warning(
                f'Resumed from a checkpoint written inside epoch {loop.epoch + 1} '
                f'(iteration {loop.iter}): MMEngine\'s EpochBasedTrainLoop trains that '
                'epoch again from its start, so the run differs from an uninterrupted one.')
        elif self.revalidate and self._validates_after(loop, runner):
            runner.logger.info(
                f'Resumed at the end of epoch {loop.epoch}, which validates: running its '
                'validation (a stop after the checkpoint may have skipped it).')
            runner.val_loop.run()

    @staticmethod
    def _validates_after(loop: EpochBasedTrainLoop, runner) -> bool:
        """Whether ``loop`` validates after its epoch ``loop.epoch`` (its rule)."""
        if runner.val_loop is None:
            return False
        if hasattr(loop, '_decide_current_val_interval'):
            loop._decide_current_val_interval()
        return (loop.epoch >= loop.val_begin
                and (loop.epoch % loop.val_interval == 0 or loop.epoch == loop.max_epochs))

    def before_train_epoch(self, runner) -> None:
        seed = epoch_seed(runner.seed, runner.epoch)
        random.seed(seed)
        np.random.seed(seed)
        torch.manual_seed(seed)
        loader = runner.train_dataloader
        init_fn = loader.worker_init_fn
        if isinstance(init_fn, partial) and init_fn.func is mmengine_worker_init_fn:
            loader.worker_init_fn = partial(init_fn.func, *init_fn.args,
                                            **dict(init_fn.keywords, seed=seed))

"""Checkpoints that a kill cannot corrupt (MMEngine 0.10.7).

MMEngine writes a checkpoint in place (``LocalBackend.put`` opens the
destination and writes into it), then ``last_checkpoint`` (plain ``open``),
and its ``CheckpointHook`` removes the oldest checkpoint *before* it writes the
new one. A run killed while it writes therefore leaves a truncated ``.pth``, a
truncated or dangling ``last_checkpoint``, and with ``max_keep_ckpts=1`` no
good checkpoint at all: ``--resume`` fails. This module

1. makes ``LocalBackend.put`` / ``put_text`` atomic: the data goes to a
   temporary file in the destination's folder, is flushed and fsynced, and
   replaces the destination with ``os.replace``
   (:func:`mmpose_mlehand.utils.atomic_open`);
2. replaces ``CheckpointHook._save_checkpoint_with_step`` by MMEngine's own
   steps in a safe order: write the new checkpoint, then ``last_checkpoint``
   (atomically), and only then remove the checkpoint that ``max_keep_ckpts``
   drops. A kill at any moment leaves ``last_checkpoint`` naming a complete
   checkpoint that exists (the previous one until the new one is complete).

A kill during a write leaves the temporary file (``.<name>.<random>.tmp``)
behind; the next successful save of the same checkpoint removes it.
"""
import glob
import os
import os.path as osp
from pathlib import Path
from typing import Union

import mmengine
from mmengine.dist import is_main_process
from mmengine.fileio.backends import LocalBackend
from mmengine.hooks import CheckpointHook

from ..utils.atomic_io import atomic_open


def _atomic_put(self: LocalBackend, obj: bytes, filepath: Union[str, Path]) -> None:
    """``LocalBackend.put``, atomically (creates missing folders as MMEngine does)."""
    filepath = str(filepath)
    mmengine.mkdir_or_exist(osp.dirname(filepath))
    with atomic_open(filepath, 'wb') as f:
        f.write(obj)


def _atomic_put_text(self: LocalBackend,
                     obj: str,
                     filepath: Union[str, Path],
                     encoding: str = 'utf-8') -> None:
    """``LocalBackend.put_text``, atomically."""
    filepath = str(filepath)
    mmengine.mkdir_or_exist(osp.dirname(filepath))
    with atomic_open(filepath, 'w', encoding=encoding) as f:
        f.write(obj)


def _remove_stale_temporaries(folder: str, filename: str) -> None:
    """Remove temporary files that a killed write of ``filename`` left."""
    pattern = osp.join(glob.escape(folder), f'.{glob.escape(filename)}.*.tmp')
    for path in glob.glob(pattern):
        try:
            os.remove(path)
        except FileNotFoundError:
            pass


def _save_checkpoint_with_step(self: CheckpointHook, runner, step: int, meta: dict) -> None:
    """MMEngine 0.10.7's ``CheckpointHook._save_checkpoint_with_step`` with the
    old checkpoint removed after, not before, the new one and
    ``last_checkpoint`` are written (``last_checkpoint`` atomically)."""
    dropped = None
    if self.max_keep_ckpts > 0:
        # _save_checkpoint and _save_best_checkpoint may both save one step.
        if not (len(self.keep_ckpt_ids) > 0 and self.keep_ckpt_ids[-1] == step):
            if len(self.keep_ckpt_ids) == self.max_keep_ckpts:
                dropped = self.keep_ckpt_ids.popleft()
            self.keep_ckpt_ids.append(step)
            runner.message_hub.update_info('keep_ckpt_ids', list(self.keep_ckpt_ids))

    ckpt_filename = self.filename_tmpl.format(step)
    self.last_ckpt = self.file_backend.join_path(self.out_dir, ckpt_filename)
    runner.message_hub.update_info('last_ckpt', self.last_ckpt)

    runner.save_checkpoint(
        self.out_dir,
        ckpt_filename,
        self.file_client_args,
        save_optimizer=self.save_optimizer,
        save_param_scheduler=self.save_param_scheduler,
        meta=meta,
        by_epoch=self.by_epoch,
        backend_args=self.backend_args,
        **self.args)

    # Model parallel-like training pulls sharded states from all ranks; only
    # the main process writes the pointer and removes files.
    if not is_main_process():
        return
    with atomic_open(osp.join(runner.work_dir, 'last_checkpoint'), 'w') as f:
        f.write(self.last_ckpt)
    if isinstance(self.file_backend, LocalBackend):
        _remove_stale_temporaries(str(self.out_dir), ckpt_filename)
    if dropped is not None:
        path = self.file_backend.join_path(self.out_dir, self.filename_tmpl.format(dropped))
        if self.file_backend.isfile(path):
            self.file_backend.remove(path)
        elif self.file_backend.isdir(path):
            # checkpoints saved by DeepSpeed are folders
            self.file_backend.rmtree(path)


def register_atomic_checkpoint_saving() -> None:
    """Install the atomic writes and the safe save order in MMEngine; idempotent."""
    LocalBackend.put = _atomic_put
    LocalBackend.put_text = _atomic_put_text
    CheckpointHook._save_checkpoint_with_step = _save_checkpoint_with_step

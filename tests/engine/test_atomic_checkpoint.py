"""Checkpoints written atomically: a kill during a write leaves the previous
checkpoint and ``last_checkpoint`` intact, and the run resumes from them."""
import os
import os.path as osp
import signal
import stat
import subprocess
import sys

import pytest
import torch
from mmengine.fileio.backends import LocalBackend
from mmengine.hooks import CheckpointHook
from mmengine.runner import Runner
from mmengine.runner.checkpoint import _load_checkpoint

import mmpose_mlehand.plugin  # noqa: F401  (applies the patches)
from mmpose_mlehand.engine import atomic_checkpoint
from mmpose_mlehand.utils import atomic_io
from tests.helpers import REPO_ROOT, tiny_cfg


def test_plugin_installs_the_patches():
    assert LocalBackend.put is atomic_checkpoint._atomic_put
    assert LocalBackend.put_text is atomic_checkpoint._atomic_put_text
    assert CheckpointHook._save_checkpoint_with_step is \
        atomic_checkpoint._save_checkpoint_with_step


class Interrupted(BaseException):
    """Stands for a kill: not an Exception, so nothing catches it on the way."""


def test_put_leaves_the_old_file_when_interrupted(tmp_path, monkeypatch):
    path = str(tmp_path / 'sub' / 'model.pth')
    backend = LocalBackend()
    backend.put(b'old' * 1000, path)  # creates the folder, as MMEngine's put does
    assert open(path, 'rb').read() == b'old' * 1000
    # Permissions of a plain open (0o666 less the umask), not 0o600.
    umask = os.umask(0o022)
    os.umask(umask)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o666 & ~umask

    def interrupted_replace(src, dst):
        raise Interrupted()

    monkeypatch.setattr(atomic_io.os, 'replace', interrupted_replace)
    with pytest.raises(Interrupted):
        backend.put(b'new' * 5000, path)
    with pytest.raises(Interrupted):
        backend.put_text('new text', path)
    monkeypatch.undo()
    assert open(path, 'rb').read() == b'old' * 1000
    assert os.listdir(tmp_path / 'sub') == ['model.pth']  # no temporary left
    backend.put_text('new text', path)
    assert open(path).read() == 'new text'


def test_old_checkpoint_is_removed_after_the_new_one(dot_freihand_root, tmp_path, monkeypatch):
    """max_keep_ckpts=1: while epoch 2 is written, epoch 1 and the pointer to
    it still exist; a failure while writing `last_checkpoint` keeps both."""
    work_dir = str(tmp_path)
    cfg = tiny_cfg(dot_freihand_root, work_dir, max_epochs=2)
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=1, max_keep_ckpts=1)
    runner = Runner.from_cfg(cfg)
    seen_while_writing = []
    put = LocalBackend.put

    def recording_put(self, obj, filepath):
        if str(filepath).endswith('epoch_2.pth'):
            with open(osp.join(work_dir, 'last_checkpoint')) as f:
                seen_while_writing.append((sorted(p for p in os.listdir(work_dir)
                                                  if p.endswith('.pth')), f.read()))
        put(self, obj, filepath)

    open_ = atomic_checkpoint.atomic_open

    def failing_pointer(path, mode='w', **kwargs):
        if osp.basename(path) == 'last_checkpoint' and osp.exists(
                osp.join(work_dir, 'epoch_2.pth')):
            raise Interrupted()
        return open_(path, mode, **kwargs)

    monkeypatch.setattr(LocalBackend, 'put', recording_put)
    monkeypatch.setattr(atomic_checkpoint, 'atomic_open', failing_pointer)
    with pytest.raises(Interrupted):
        runner.train()
    assert seen_while_writing == [(['epoch_1.pth'], osp.join(work_dir, 'epoch_1.pth'))]
    # Killed between the new checkpoint and the pointer: both checkpoints are
    # there and the pointer names the complete previous one.
    assert sorted(p for p in os.listdir(work_dir) if p.endswith('.pth')) == [
        'epoch_1.pth', 'epoch_2.pth']
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        assert f.read() == osp.join(work_dir, 'epoch_1.pth')


# --- a real kill in the middle of a checkpoint write ---------------------------

WORKER = r'''
import sys, time
from mmengine.fileio.backends import LocalBackend
from mmengine.runner import Runner
import mmpose_mlehand.plugin  # noqa: F401
from mmpose_mlehand.utils import atomic_open
from tests.helpers import tiny_cfg

data_root, work_dir, stall = sys.argv[1], sys.argv[2], sys.argv[3]
put = LocalBackend.put


def stalling_put(self, obj, filepath):
    """Write half of the stalled checkpoint, say so, and wait for the kill."""
    if str(filepath).endswith(stall):
        with atomic_open(str(filepath), 'wb') as f:
            f.write(obj[:len(obj) // 2])
            f.flush()
            print('HALF-WRITTEN', flush=True)
            time.sleep(600)
    put(self, obj, filepath)


LocalBackend.put = stalling_put
cfg = tiny_cfg(data_root, work_dir, max_epochs=3)
cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=1, max_keep_ckpts=1)
cfg.resume = True
Runner.from_cfg(cfg).train()
print('DONE', flush=True)
'''


def run_worker(data_root: str, work_dir: str, stall: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=REPO_ROOT, OMP_NUM_THREADS='1')
    return subprocess.Popen([sys.executable, '-c', WORKER, data_root, work_dir, stall],
                            cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def test_kill_during_a_checkpoint_write_resumes_from_the_previous_one(
        dot_freihand_root, tmp_path):
    work_dir = str(tmp_path / 'killed')
    worker = run_worker(dot_freihand_root, work_dir, 'epoch_2.pth')
    lines = []
    for line in worker.stdout:
        lines.append(line)
        if 'HALF-WRITTEN' in line:
            worker.send_signal(signal.SIGKILL)
            break
    worker.wait(timeout=60)
    assert worker.returncode == -signal.SIGKILL, ''.join(lines[-30:])

    # The previous checkpoint and the pointer are intact; the new one never
    # appeared under its name; only its temporary is left.
    files = sorted(os.listdir(work_dir))
    assert 'epoch_1.pth' in files and 'epoch_2.pth' not in files
    temporaries = [f for f in files if f.startswith('.epoch_2.pth.') and f.endswith('.tmp')]
    assert len(temporaries) == 1
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        assert f.read() == osp.join(work_dir, 'epoch_1.pth')
    ckpt = _load_checkpoint(osp.join(work_dir, 'epoch_1.pth'), map_location='cpu')
    assert ckpt['meta']['epoch'] == 1 and ckpt['meta']['iter'] == 4

    # Resume (the same command): it ends as the run that was never killed.
    worker = run_worker(dot_freihand_root, work_dir, 'no-stall')
    out, _ = worker.communicate(timeout=600)
    assert worker.returncode == 0 and 'DONE' in out, out[-3000:]
    assert 'resumed epoch: 1, iter: 4' in out
    files = sorted(os.listdir(work_dir))
    assert [f for f in files if f.endswith('.pth')] == ['epoch_3.pth']
    assert not [f for f in files if f.endswith('.tmp')]  # removed by the next save

    reference_dir = str(tmp_path / 'uninterrupted')
    worker = run_worker(dot_freihand_root, reference_dir, 'no-stall')
    out, _ = worker.communicate(timeout=600)
    assert worker.returncode == 0, out[-3000:]
    resumed = _load_checkpoint(osp.join(work_dir, 'epoch_3.pth'), map_location='cpu')
    reference = _load_checkpoint(osp.join(reference_dir, 'epoch_3.pth'), map_location='cpu')
    assert resumed['meta']['iter'] == reference['meta']['iter'] == 12
    assert resumed['state_dict'].keys() == reference['state_dict'].keys()
    for name, value in reference['state_dict'].items():
        assert torch.equal(resumed['state_dict'][name], value), name

import os
import os.path as osp
import pickle

import pytest
import torch
from mmengine.hooks import Hook
from mmengine.logging import HistoryBuffer
from mmengine.runner import Runner
from mmengine.runner.checkpoint import _load_checkpoint

import mmpose_mlehand.plugin  # noqa: F401  (allow-lists checkpoint globals)
from tests.helpers import tiny_cfg


class RecordStartHook(Hook):
    """Records the iteration and optimizer state the training loop starts from."""

    def before_train(self, runner) -> None:
        optimizer = runner.optim_wrapper.optimizer
        self.start_iter = runner.iter
        self.exp_avg = [optimizer.state[p]['exp_avg'].clone()
                        for p in optimizer.param_groups[0]['params'][:3]]


def test_runner_checkpoint_loads_with_weights_only(trained_checkpoint):
    _, ckpt_path = trained_checkpoint
    ckpt = _load_checkpoint(ckpt_path, map_location='cpu')  # weights_only=True (torch default)
    assert ckpt['meta']['iter'] == 4 and ckpt['meta']['epoch'] == 1  # 16 images / batch 4
    assert isinstance(ckpt['message_hub']['log_scalars']['train/loss'], HistoryBuffer)
    assert ckpt['message_hub']['log_scalars']['train/loss'].mean() > 0
    assert ckpt['meta']['dataset_meta']['num_keypoints'] == 21
    # The safe form stores no functions.
    with open(ckpt_path, 'rb') as f:
        assert b'getattr' not in f.read()


def test_load_for_test_and_resume(trained_checkpoint, repo_root, dot_freihand_root):
    work_dir, ckpt_path = trained_checkpoint
    saved = _load_checkpoint(ckpt_path, map_location='cpu')

    # Load for testing, as `mim test ... --checkpoint` does.
    runner = Runner.from_cfg(tiny_cfg(dot_freihand_root, work_dir + '_test', 1))
    runner.load_checkpoint(ckpt_path)
    for name, value in runner.model.state_dict().items():
        assert torch.equal(value, saved['state_dict'][name]), name
    metrics = runner.test()
    assert 0.0 <= metrics['PCK'] <= 1.0 and metrics['EPE'] > 0

    # Resume: the loop starts at the saved iteration with the saved Adam state.
    cfg = tiny_cfg(dot_freihand_root, work_dir, max_epochs=2)
    cfg.resume, cfg.load_from = True, ckpt_path
    runner = Runner.from_cfg(cfg)
    hook = RecordStartHook()
    runner.register_hook(hook)
    runner.train()
    assert hook.start_iter == saved['meta']['iter'] == 4
    saved_state = saved['optimizer']['state']
    for i, exp_avg in enumerate(hook.exp_avg):
        assert torch.equal(exp_avg, saved_state[i]['exp_avg'])
    assert runner.iter == 8


def _evil_payload(marker: str):
    class WritesFile:
        def __reduce__(self):
            return (exec, (f"open({marker!r}, 'w').write('pwned')", ))

    class OsSystem:
        def __reduce__(self):
            return (os.system, (f'touch {marker}', ))

    class AttributeWalk:
        def __reduce__(self):
            return (getattr, (HistoryBuffer, 'register_statistics'))

    return [WritesFile(), OsSystem(), AttributeWalk()]


@pytest.mark.parametrize('index', [0, 1, 2])
def test_checkpoint_with_a_callable_is_refused(tmp_path, index):
    marker = str(tmp_path / 'pwned')
    path = str(tmp_path / 'evil.pth')
    torch.save({'state_dict': {}, 'meta': {'x': _evil_payload(marker)[index]}}, path)
    with pytest.raises(pickle.UnpicklingError):
        _load_checkpoint(path, map_location='cpu')
    assert not osp.exists(marker)


def test_stock_mmengine_history_buffer_functions_load(tmp_path):
    """Stock MMEngine pickles statistics methods as getattr(HistoryBuffer, name)."""
    path = str(tmp_path / 'stock.pth')
    torch.save({'methods': {'mean': HistoryBuffer.mean, 'max': HistoryBuffer.max}}, path)
    with open(path, 'rb') as f:
        assert b'getattr' in f.read()
    loaded = _load_checkpoint(path, map_location='cpu')
    assert loaded['methods']['mean'] is HistoryBuffer.mean
    assert loaded['methods']['max'] is HistoryBuffer.max

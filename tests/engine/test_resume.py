"""Exact resume: `mim train` of the quick-start config killed with SIGKILL in
the middle of an epoch and resumed with `--resume` ends with the same weights
(flows inside the losses included), optimizer state, scheduler state and
metrics as the same run uninterrupted. On the CPU with `num_workers=0` the
tolerance is zero: every tensor is compared with `torch.equal`."""
import glob
import json
import os
import os.path as osp
import re
import signal
import subprocess
import sys
import time
from typing import Dict, List

import pytest
import torch
from mmengine.runner.checkpoint import _load_checkpoint

from tests.helpers import QUICKSTART_CFG, tiny_config_options, write_dot_freihand

EPOCHS, ITERS_PER_EPOCH = 3, 10  # 40 images at batch 4


@pytest.fixture(scope='module')
def root_of_40(tmp_path_factory) -> str:
    return write_dot_freihand(str(tmp_path_factory.mktemp('dots40')),
                              dict(train=40, val=8, test=4), seed=2)


def mim_train(repo_root: str, data_root: str, work_dir: str, resume: bool = False):
    """Start `mim train mmpose QUICKSTART_CFG` in its own process group."""
    options = tiny_config_options(data_root, work_dir)
    options.pop('work_dir')
    options.update({
        'train_cfg.max_epochs': EPOCHS,
        'train_cfg.val_interval': 1,
        'randomness.seed': 0,
        'default_hooks.logger.interval': 1,
        # Every epoch's checkpoint stays, to compare the runs epoch by epoch.
        'default_hooks.checkpoint.max_keep_ckpts': -1,
    })
    mim = osp.join(osp.dirname(sys.executable), 'mim')
    command = [mim, 'train', 'mmpose', QUICKSTART_CFG, '--work-dir', work_dir]
    command += ['--resume'] if resume else []
    command += ['--cfg-options'] + [f'{k}={v}' for k, v in options.items()]
    env = dict(os.environ, OMP_NUM_THREADS='1')
    output = open(work_dir + ('.resumed' if resume else '') + '.out', 'w')
    return subprocess.Popen(command, cwd=repo_root, env=env, stdout=output,
                            stderr=subprocess.STDOUT, start_new_session=True)


def tail(work_dir: str) -> str:
    text = ''
    for path in sorted(glob.glob(work_dir + '*.out')):
        with open(path) as f:
            text += f.read()[-3000:]
    return text


def logged_iterations(work_dir: str) -> List[str]:
    """'Epoch(train) [e][i/n]' lines of the run's log files so far."""
    lines = []
    for log in sorted(glob.glob(osp.join(work_dir, '*', '*.log'))):
        with open(log) as f:
            lines += re.findall(r'Epoch\(train\) +\[(\d+)\]\[ *(\d+)/', f.read())
    return lines


def val_metrics(work_dir: str) -> Dict[int, dict]:
    """Validation metrics by epoch, from every run's scalars.json in the folder."""
    metrics = {}
    for path in sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json'))):
        with open(path) as f:
            for line in f:
                entry = json.loads(line)
                if 'PCK' in entry:
                    metrics[entry['step']] = {k: entry[k] for k in ('PCK', 'AUC', 'EPE', 'NME')}
    return metrics


def assert_same_checkpoint(a: dict, b: dict) -> None:
    assert a['meta']['epoch'] == b['meta']['epoch'] and a['meta']['iter'] == b['meta']['iter']
    assert a['state_dict'].keys() == b['state_dict'].keys()
    flows = [k for k in a['state_dict'] if '.flow.' in k]
    assert len(flows) > 0  # the RealNVP flows inside the per-stage losses
    for name, value in a['state_dict'].items():
        assert torch.equal(value, b['state_dict'][name]), name
    opt_a, opt_b = a['optimizer'], b['optimizer']
    assert opt_a['param_groups'] == opt_b['param_groups']
    assert opt_a['state'].keys() == opt_b['state'].keys()
    for index, state in opt_a['state'].items():
        for key, value in state.items():
            assert torch.equal(value, opt_b['state'][index][key]), (index, key)
    assert a['param_schedulers'] == b['param_schedulers']


def test_sigkill_mid_epoch_then_resume_equals_uninterrupted(repo_root, root_of_40, tmp_path):
    reference_dir, killed_dir = str(tmp_path / 'uninterrupted'), str(tmp_path / 'killed')
    assert mim_train(repo_root, root_of_40, reference_dir).wait(timeout=600) == 0, \
        tail(reference_dir)

    # Kill in the middle of epoch 2, after epoch 1's checkpoint is written.
    run = mim_train(repo_root, root_of_40, killed_dir)
    deadline = time.time() + 600
    while ('2', '3') not in logged_iterations(killed_dir):
        assert run.poll() is None and time.time() < deadline, tail(killed_dir)
        time.sleep(0.05)
    os.killpg(run.pid, signal.SIGKILL)
    run.wait(timeout=60)
    done = logged_iterations(killed_dir)
    assert done[-1][0] == '2' and int(done[-1][1]) < ITERS_PER_EPOCH  # inside epoch 2
    assert not osp.exists(osp.join(killed_dir, 'epoch_2.pth'))
    with open(osp.join(killed_dir, 'last_checkpoint')) as f:
        assert f.read() == osp.join(killed_dir, 'epoch_1.pth')

    assert mim_train(repo_root, root_of_40, killed_dir, resume=True).wait(timeout=600) == 0, \
        tail(killed_dir)

    for epoch in range(1, EPOCHS + 1):
        assert_same_checkpoint(
            _load_checkpoint(osp.join(killed_dir, f'epoch_{epoch}.pth'), map_location='cpu'),
            _load_checkpoint(osp.join(reference_dir, f'epoch_{epoch}.pth'),
                             map_location='cpu'))
    reference_metrics = val_metrics(reference_dir)
    assert sorted(reference_metrics) == [1, 2, 3]
    assert val_metrics(killed_dir) == reference_metrics
    best = [osp.basename(p) for p in glob.glob(osp.join(reference_dir, 'best_AUC_*.pth'))]
    assert len(best) == 1
    assert [osp.basename(p) for p in glob.glob(osp.join(killed_dir, 'best_AUC_*.pth'))] == best

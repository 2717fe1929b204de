import os
import os.path as osp
import subprocess
import sys

import torch

from tests.helpers import QUICKSTART_CFG


def test_two_process_training_ends_with_identical_weights(repo_root, dot_freihand_root,
                                                          tmp_path):
    """torchrun --nproc_per_node=2 with MMEngine's launcher (gloo): DDP keeps ranks in sync."""
    work_dir = str(tmp_path)
    env = dict(os.environ, OMP_NUM_THREADS='1')
    subprocess.run([
        sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node=2',
        '--master_port=29517',
        osp.join(repo_root, 'tests', 'engine', 'dist_train_worker.py'),
        osp.join(repo_root, QUICKSTART_CFG), dot_freihand_root, work_dir
    ], check=True, cwd=repo_root, env=env, timeout=600)
    w0 = torch.load(osp.join(work_dir, 'weights_rank0.pth'))
    w1 = torch.load(osp.join(work_dir, 'weights_rank1.pth'))
    assert w0.keys() == w1.keys() and len(w0) > 0
    flow_keys = [k for k in w0 if '.flow.' in k]
    assert flow_keys, 'the flows must be trained (and synchronised) too'
    for key in w0:
        assert torch.equal(w0[key], w1[key]), key

import glob
import json
import os.path as osp
import subprocess
import sys

from tests.helpers import QUICKSTART_CFG, tiny_config_options


def test_mim_train_runs_one_epoch_from_the_command_line(repo_root, dot_freihand_root, tmp_path):
    work_dir = str(tmp_path / 'work')
    options = tiny_config_options(dot_freihand_root, work_dir)
    options.update({'train_cfg.max_epochs': 1, 'train_cfg.val_interval': 1})
    mim = osp.join(osp.dirname(sys.executable), 'mim')
    result = subprocess.run(
        [mim, 'train', 'mmpose', QUICKSTART_CFG, '--work-dir', work_dir, '--cfg-options'] +
        [f'{k}={v}' for k, v in options.items() if k != 'work_dir'],
        cwd=repo_root, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert osp.exists(osp.join(work_dir, 'epoch_1.pth'))
    # The validation pass after the epoch logged every metric of the recipe.
    scalars_file, = glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json'))
    with open(scalars_file) as f:
        scalars = [json.loads(line) for line in f]
    val = [s for s in scalars if 'PCK' in s]
    assert val and {'PCK', 'AUC', 'EPE', 'NME'} <= set(val[-1])

import os.path as osp

import torch

from mmpose_mlehand.analysis.benchmark_model import benchmark_config, ratio_table
from tests.helpers import QUICKSTART_CFG


def test_ratio_table_divides_by_the_baseline():
    rows = ratio_table({'base': dict(params_m=10.0, infer_s=0.5, train_step_s=2.0),
                        'ours': dict(params_m=15.0, infer_s=0.25, train_step_s=5.0)}, 'base')
    assert rows[1] == 'base | 10.000 (1.00x) | 0.500 (1.00x) | 2.000 (1.00x)'
    assert rows[2] == 'ours | 15.000 (1.50x) | 0.250 (0.50x) | 5.000 (2.50x)'


def test_benchmark_counts_parameters_and_times_steps(repo_root):
    torch.manual_seed(0)
    result = benchmark_config(osp.join(repo_root, QUICKSTART_CFG), train_batch=2, repeats=1,
                              warmup=0)
    from mmengine.config import Config
    from mmpose.registry import MODELS
    cfg = Config.fromfile(osp.join(repo_root, QUICKSTART_CFG))
    cfg.model.backbone.init_cfg = None
    expected = sum(p.numel() for p in MODELS.build(cfg.model).parameters()) / 1e6
    assert result['params_m'] == expected
    assert result['infer_s'] > 0 and result['train_step_s'] > 0

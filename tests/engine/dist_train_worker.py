"""Worker for test_distributed.py, started by torchrun: trains a few iterations
with MMEngine's `pytorch` launcher (gloo on the CPU) and saves this rank's weights."""
import os.path as osp
import sys

import torch
from mmengine.config import Config
from mmengine.dist import get_rank
from mmengine.runner import Runner

import mmpose_mlehand.plugin  # noqa: F401  (CPU-aware pytorch launcher)

config, data_root, work_dir = sys.argv[1:4]
cfg = Config.fromfile(config)
cfg.merge_from_dict({
    'work_dir': work_dir,
    'launcher': 'pytorch',
    'env_cfg.dist_cfg': dict(backend='gloo'),
    'model_wrapper_cfg': dict(type='MMDistributedDataParallel', device_ids=None),
    'train_cfg.max_epochs': 1,
    'train_cfg.val_interval': 100,
    'randomness': dict(seed=0),
    'visualizer.vis_backends': [dict(type='LocalVisBackend')],
})
for split in ('train', 'val', 'test'):
    cfg.merge_from_dict({
        f'{split}_dataloader.dataset.data_root': data_root,
        f'{split}_dataloader.batch_size': 2,
        f'{split}_dataloader.num_workers': 0,
        f'{split}_dataloader.persistent_workers': False,
    })
runner = Runner.from_cfg(cfg)
runner.train()
model = runner.model.module if hasattr(runner.model, 'module') else runner.model
torch.save({k: v.detach().cpu() for k, v in model.named_parameters()},
           osp.join(work_dir, f'weights_rank{get_rank()}.pth'))

import os.path as osp

import torch
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.runner import Runner
from mmpose.registry import MODELS

from mmpose_mlehand.converters import convert_freihand, write_outputs
from mmpose_mlehand.synthetic import generate_dataset
from tests.helpers import QUICKSTART_CFG, dot_batch, tiny_config_options

SIZE = 128


def test_thirty_iterations_lower_loss_and_keypoint_error(repo_root):
    torch.manual_seed(0)
    cfg = Config.fromfile(osp.join(repo_root, QUICKSTART_CFG))
    model = MODELS.build(cfg.model)
    model.init_weights()
    model.train()
    batch, keypoints = dot_batch(8)
    data = model.data_preprocessor(batch, training=True)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step():
        losses = model(**data, mode='loss')
        total = sum(v for k, v in losses.items() if k.startswith('loss'))
        with torch.no_grad():
            feats = model.extract_feat(data['inputs'])
            coords = model.head.forward(feats)['coords'][:, -1] * SIZE
        error = (coords - keypoints).norm(dim=-1).mean().item()
        return total, error

    first_loss, first_error = step()
    for _ in range(30):
        total, _ = step()
        optimizer.zero_grad()
        total.backward()
        optimizer.step()
    last_loss, last_error = step()
    assert torch.isfinite(last_loss)
    assert last_loss.item() < first_loss.item() - 1.0
    assert last_error < 0.92 * first_error, (first_error, last_error)


class _EvaluateBeforeTraining(Hook):
    """Runs the validation loop once, after weight init, before any update."""

    def before_train(self, runner) -> None:
        self.metrics = runner.val_loop.run()


def test_runner_on_synthetic_hands_halves_the_error(repo_root, tmp_path):
    """Generator -> converter -> MMEngine runner with the quick-start config:
    a few hundred iterations halve the EPE of the first evaluation (on the
    training images: this checks that the whole path learns, not how well it
    generalises)."""
    data_root = str(tmp_path / 'hands')
    generate_dataset(data_root, 'freihand', 48, seed=3, num_eval=0, workers=1,
                     progress=False, style='clean')
    result = convert_freihand(data_root, seed=0, progress=False)
    write_outputs(result.files, osp.join(data_root, 'annotations'))
    cfg = Config.fromfile(osp.join(repo_root, QUICKSTART_CFG))
    cfg.merge_from_dict(tiny_config_options(data_root, str(tmp_path / 'work')))
    cfg.merge_from_dict({
        'train_dataloader.batch_size': 8,
        'val_dataloader.dataset.ann_file': 'annotations/freihand_train.json',
        'val_dataloader.batch_size': 16,
        'train_cfg.max_epochs': 60,       # 5 iterations an epoch: 300 in all
        'train_cfg.val_interval': 60,
        'param_scheduler': [dict(type='ConstantLR', factor=1.0)],
        'default_hooks.logger.interval': 6,
        'randomness': dict(seed=0),
        'visualizer.vis_backends': [dict(type='LocalVisBackend')],
    })
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=-1)
    first = _EvaluateBeforeTraining()
    runner = Runner.from_cfg(cfg)
    # After the other hooks' before_train (they set up what validation uses).
    runner.register_hook(first, priority='LOWEST')
    runner.train()
    last = runner.val_loop.run()
    assert last['EPE'] < 0.5 * first.metrics['EPE'], (first.metrics, last)

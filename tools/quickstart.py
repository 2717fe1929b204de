"""The quick start: synthetic hands -> conversion -> training -> evaluation -> picture.

Runs the whole pipeline of the project on the CPU with no download:

1. ``tools/make_synthetic_hands.py`` renders a FreiHAND-format data set (the
   ``clean`` scene style by default: see ``--style``);
2. ``tools/convert_freihand.py`` converts it to MMPose annotation files
   (8:1:1 train / val / test split by sample);
3. MMEngine's runner trains the paper's method (CPU-sized config), selecting
   the checkpoint on the validation split;
4. the selected checkpoint is evaluated on the clean test split (PCK@0.2, AUC,
   EPE, NME), next to the mean-pose baseline's EPE;
5. MMPose's inferencer draws the predicted skeleton on a test image.

Outputs in ``--work-dir``: ``metrics.json``, ``prediction.png``, the
checkpoint and logs under ``train/``, the data under ``data/``.
"""
import argparse
import json
import os
import os.path as osp
import subprocess
import sys
import time

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
# Let `python tools/quickstart.py` work from a checkout that is not pip-installed.
sys.path.insert(0, REPO_ROOT)

from mmpose_mlehand.synthetic import STYLES  # noqa: E402

DEFAULT_CONFIG = osp.join(REPO_ROOT, 'configs', 'quickstart',
                          'mlehand_res18-half_synthetic-freihand-96x96.py')


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--work-dir', default='work_dirs/quickstart',
                        help='output folder (default: work_dirs/quickstart)')
    parser.add_argument('--config', default=DEFAULT_CONFIG, help='training config')
    parser.add_argument('--num-samples', type=int, default=8000,
                        help='synthetic hands to render (8:1:1 train/val/test; default 8000)')
    parser.add_argument('--epochs', type=int, default=None,
                        help="training epochs (default: the config's)")
    parser.add_argument('--style', default='clean', choices=tuple(STYLES),
                        help='scene style of the synthetic hands (default: clean, '
                        'which a from-scratch CPU model learns in minutes; full adds '
                        'any 3-D view, clutter, occluders and camera degradations)')
    parser.add_argument('--seed', type=int, default=0, help='data and training seed')
    parser.add_argument('--workers', type=int, default=2,
                        help='processes for rendering and data loading (default: 2)')
    return parser.parse_args()


def run_tool(args: list) -> None:
    """Run one of the project's command-line tools, echoing the command."""
    print('$ ' + ' '.join(['python'] + args), flush=True)
    subprocess.run([sys.executable] + args, check=True, cwd=REPO_ROOT)


def main() -> None:
    args = parse_args()
    start = time.perf_counter()
    work_dir = osp.abspath(args.work_dir)
    data_root = osp.join(work_dir, 'data')
    ann_dir = osp.join(data_root, 'annotations')
    os.makedirs(work_dir, exist_ok=True)

    run_tool(['tools/make_synthetic_hands.py', '--format', 'freihand', '--num',
              str(args.num_samples), '--num-eval', '0', '--out', data_root, '--seed',
              str(args.seed), '--workers', str(args.workers), '--style', args.style,
              '--overwrite'])
    run_tool(['tools/convert_freihand.py', '--root', data_root, '--out', ann_dir,
              '--seed', str(args.seed)])

    # torch and MMPose only now: the data tools do not need them.
    from mmengine.config import Config
    from mmengine.runner import Runner

    from mmpose_mlehand.apis import predict_and_draw
    from mmpose_mlehand.evaluation import mean_pose_epe
    from mmpose_mlehand.utils import atomic_write_json

    cfg = Config.fromfile(args.config)
    cfg.work_dir = osp.join(work_dir, 'train')
    cfg.randomness = dict(seed=args.seed)
    for split in ('train', 'val', 'test'):
        loader = cfg[f'{split}_dataloader']
        loader.dataset.data_root = data_root
        loader.num_workers = args.workers
        # Train workers start afresh every epoch from that epoch's seed (exact resume).
        loader.persistent_workers = args.workers > 0 and split != 'train'
    if args.epochs is not None:
        cfg.train_cfg.max_epochs = args.epochs
    runner = Runner.from_cfg(cfg)
    runner.train()
    # Selected on the validation split by the checkpoint hook (save_best).
    checkpoint = runner.message_hub.get_info('best_ckpt')
    if checkpoint is None:
        raise RuntimeError('training saved no best checkpoint; check the val_interval '
                           'of the config against --epochs')

    cfg.load_from = checkpoint
    test_metrics = Runner.from_cfg(cfg).test()
    metrics = {key: float(test_metrics[key]) for key in ('PCK', 'AUC', 'EPE', 'NME')}
    metrics['EPE_mean_pose'] = mean_pose_epe(osp.join(ann_dir, 'freihand_train.json'),
                                             osp.join(ann_dir, 'freihand_test.json'))

    with open(osp.join(ann_dir, 'freihand_test.json'), encoding='utf-8') as f:
        test_images = json.load(f)['images']
    test_image = osp.join(data_root, test_images[0]['file_name'])
    picture = osp.join(work_dir, 'prediction.png')
    predict_and_draw(args.config, checkpoint, test_image, picture)

    metrics.update(checkpoint=checkpoint, config=osp.abspath(args.config), style=args.style,
                   test_image=test_image, seconds=round(time.perf_counter() - start, 1))
    metrics_file = osp.join(work_dir, 'metrics.json')
    atomic_write_json(metrics_file, metrics, indent=2)

    print(f"\nQuick start finished in {metrics['seconds']:.0f} s "
          f'(test split: {len(test_images)} images)')
    print(f"  PCK@0.2 {metrics['PCK']:.3f}  AUC {metrics['AUC']:.3f}  "
          f"EPE {metrics['EPE']:.2f} px  NME {metrics['NME']:.4f}")
    print(f"  mean-pose baseline EPE {metrics['EPE_mean_pose']:.2f} px")
    print(f'  checkpoint: {checkpoint}')
    print(f'  metrics:    {metrics_file}')
    print(f'  picture:    {picture}')


if __name__ == '__main__':
    main()

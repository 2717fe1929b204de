#!/usr/bin/env python
"""Train the bundled hand model from synthetic hands only and ship it in the package.

Steps (every part on the CPU, no download):

1. ``tools/make_synthetic_hands.py --style photo`` renders the training family
   and, with another seed, the held-out appearance family (``--family
   heldout``: backgrounds, skin tones, lights and camera effects that training
   never sees); ``tools/convert_freihand.py --bbox keypoints`` converts both,
   with boxes drawn as the real-photo protocol draws them (the keypoint extent
   x 1.2);
2. MMEngine's runner trains the recipe (``configs/bundled/``) on the training
   family and selects the checkpoint on the held-out family's validation split
   (frame-AUC), never on a test split. Run the same command again after an
   interruption: it finds the rendered families and resumes from the last
   epoch checkpoint (``seconds.train`` in the provenance then counts the last
   call, ``seconds.train_all_calls`` every call that trained there); a work
   folder that trained other data or another recipe is refused, never resumed;
3. the selected checkpoint is tested on the training family's test split and
   on the held-out family's test split: the gap between the two is the proxy
   for how far the model is from photographs it has never seen;
4. the weights (state dict and dataset meta only) and the flattened config are
   written to ``mmpose_mlehand/bundled/`` with a provenance file (commands,
   seeds, budget, metrics, file size), so that
   ``MMPoseInferencer(pose2d='mlehand-synthetic-hand')`` finds them.

Example::

    python tools/train_bundled_model.py                      # the default model
    python tools/train_bundled_model.py --model mlehand-synthetic-hand-small
    python tools/train_bundled_model.py --num-train 400 --num-heldout 200 \\
        --epochs 1 --out-dir /tmp/bundled                    # a smoke run
"""
import argparse
import json
import os
import os.path as osp
import subprocess
import sys
import time

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
# Let `python tools/train_bundled_model.py` work from a checkout that is not pip-installed.
sys.path.insert(0, REPO_ROOT)

from mmpose_mlehand.bundled import BUNDLED_DIR, DEFAULT_MODEL, POSE_MODELS  # noqa: E402
from mmpose_mlehand.synthetic import STYLES  # noqa: E402
from mmpose_mlehand.synthetic.writers import META_FILE  # noqa: E402
from mmpose_mlehand.utils.schedules import set_training_epochs  # noqa: E402

#: The held-out family's scene style, whatever the training family's: models of
#: any style are selected and compared on the same appearances.
HELDOUT_STYLE = 'photo'
#: Metrics copied into the provenance file (HandPCK, HandNME, MMPose's EPE).
REPORTED = ('frame-PCK@0.2', 'PCK@0.2', 'frame-AUC', 'NME', 'EPE', 'mirror-confusion')


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--model', default=DEFAULT_MODEL, choices=sorted(POSE_MODELS),
                        help='which bundled model to train: its file names, summary '
                        f'and default recipe (default: {DEFAULT_MODEL})')
    parser.add_argument('--config', default=None,
                        help="training config (default: the model's recipe in configs/bundled/)")
    parser.add_argument('--style', default=None, choices=tuple(STYLES),
                        help="the training family's scene style (default: the model's, "
                        "e.g. photo); the held-out family stays in the photo style")
    parser.add_argument('--work-dir', default=None,
                        help='data, logs and checkpoints (default: work_dirs/bundled/MODEL)')
    parser.add_argument('--out-dir', default=BUNDLED_DIR,
                        help='where the bundled files go (default: the package)')
    parser.add_argument('--num-train', type=int, default=20000,
                        help='training-family hands (8:1:1 train/val/test; default 20000)')
    parser.add_argument('--num-heldout', type=int, default=2000,
                        help='held-out-family hands (its val selects, its test '
                        'reports; default 2000)')
    parser.add_argument('--epochs', type=int, default=None,
                        help="training epochs (default: the config's)")
    parser.add_argument('--seed', type=int, default=0,
                        help='training-family data and training seed; the held-out '
                        'family uses seed + 1 (default: 0)')
    parser.add_argument('--workers', type=int, default=2,
                        help='rendering and data-loading processes (default: 2)')
    parser.add_argument('--half', action='store_true',
                        help='store the weights as float16 (half the file size)')
    args = parser.parse_args(argv)
    if args.config is None:
        args.config = osp.join(REPO_ROOT, POSE_MODELS[args.model].recipe)
    if args.style is None:
        args.style = POSE_MODELS[args.model].style
    if args.work_dir is None:
        args.work_dir = osp.join('work_dirs', 'bundled', args.model)
    for name in ('num_train', 'num_heldout'):
        if getattr(args, name) < 20:
            parser.error(f'--{name.replace("_", "-")} must be at least 20 '
                         '(each split needs samples)')
    return args


def run_tool(args: list) -> None:
    """Run one of the project's command-line tools, echoing the command."""
    print('$ ' + ' '.join(['python'] + args), flush=True)
    subprocess.run([sys.executable] + args, check=True, cwd=REPO_ROOT)


def holds_family(root: str, family: str, num: int, seed: int, style: str) -> bool:
    """Whether ``root`` already holds this very family, rendered and converted.

    The generator writes its ``synthetic_meta.json`` last and the converter
    writes its three files all or nothing, so both present means complete.
    """
    meta_path = osp.join(root, META_FILE)
    if not osp.isfile(meta_path) or not all(
            osp.isfile(osp.join(root, 'annotations', f'freihand_{split}.json'))
            for split in ('train', 'val', 'test')):
        return False
    with open(meta_path, encoding='utf-8') as f:
        meta = json.load(f)
    wanted = dict(family=family, num=num, num_eval=0, seed=seed, style=style,
                  label_noise='none')
    return all(meta.get(key) == value for key, value in wanted.items())


def render_and_convert(root: str, family: str, num: int, seed: int, workers: int,
                       style: str = HELDOUT_STYLE) -> None:
    """Render one appearance family in the FreiHAND layout and convert it,
    unless an earlier run of the same command already did."""
    if holds_family(root, family, num, seed, style):
        print(f'{family} family: reusing {root}', flush=True)
        return
    run_tool(['tools/make_synthetic_hands.py', '--format', 'freihand', '--style', style,
              '--family', family, '--num', str(num), '--num-eval', '0', '--out', root,
              '--seed', str(seed), '--workers', str(max(1, workers)), '--overwrite',
              '--quiet'])
    run_tool(['tools/convert_freihand.py', '--root', root, '--out',
              osp.join(root, 'annotations'), '--seed', str(seed), '--bbox', 'keypoints',
              '--quiet'])


def main(argv=None) -> None:
    args = parse_args(argv)
    bundled_model = POSE_MODELS[args.model]
    start = time.perf_counter()
    work_dir = osp.abspath(args.work_dir)
    roots = {family: osp.join(work_dir, 'data', family) for family in ('train', 'heldout')}

    import torch
    from mmengine.config import Config
    from mmengine.runner import Runner

    from mmpose_mlehand.bundled.packaging import (add_train_seconds, check_run_stamp, machine_info,
                                                  seconds_record, write_bundled_model)
    from mmpose_mlehand.utils import atomic_write_json

    cfg = Config.fromfile(args.config)
    cfg.work_dir = osp.join(work_dir, 'train')
    cfg.randomness = dict(seed=args.seed)
    # Train on the training family; select on the held-out family's val split.
    cfg.train_dataloader.dataset.data_root = roots['train']
    cfg.val_dataloader.dataset.data_root = roots['heldout']
    if args.epochs is not None:
        set_training_epochs(cfg, args.epochs)
    # Before any hand is rendered: a work folder that trained other data or
    # another recipe is refused, not resumed (nor its data overwritten).
    resumed = check_run_stamp(cfg.work_dir, dict(
        data=dict(style=args.style, num_train=args.num_train, num_heldout=args.num_heldout,
                  seed=args.seed),
        config=cfg.to_dict()))
    for split in ('train', 'val', 'test'):  # loading processes: not part of the stamp
        loader = cfg[f'{split}_dataloader']
        loader.num_workers = args.workers
        # Train workers start afresh every epoch from that epoch's seed (exact resume).
        loader.persistent_workers = args.workers > 0 and split != 'train'
    data_start = time.perf_counter()
    render_and_convert(roots['train'], 'train', args.num_train, args.seed, args.workers,
                       args.style)
    render_and_convert(roots['heldout'], 'heldout', args.num_heldout, args.seed + 1,
                       args.workers)
    data_seconds = time.perf_counter() - data_start

    # An interrupted run resumes from its last epoch checkpoint (weights,
    # optimizer, schedule and the message hub that knows the best checkpoint).
    cfg.resume = resumed
    train_start = time.perf_counter()
    runner = Runner.from_cfg(cfg)
    runner.train()
    train_seconds = time.perf_counter() - train_start
    all_calls = add_train_seconds(cfg.work_dir, train_seconds)
    checkpoint = runner.message_hub.get_info('best_ckpt')
    if checkpoint is None:
        raise RuntimeError('training saved no best checkpoint; check val_interval '
                           'against --epochs')

    metrics = {}
    for family, root in roots.items():
        test_cfg = cfg.copy()
        test_cfg.load_from = checkpoint
        test_cfg.resume = False
        test_cfg.work_dir = osp.join(work_dir, f'test_{family}')
        test_cfg.test_dataloader.dataset.data_root = root
        result = Runner.from_cfg(test_cfg).test()
        metrics[family] = {key: float(result[key]) for key in REPORTED}
    metrics['gap'] = {key: metrics['train'][key] - metrics['heldout'][key]
                      for key in REPORTED}

    os.makedirs(args.out_dir, exist_ok=True)
    weights = osp.join(args.out_dir, f'{bundled_model.stem}.pth')
    config = osp.join(args.out_dir, f'{bundled_model.stem}.py')
    # The flattened config must not point at this machine's data.
    for split in ('train', 'val', 'test'):
        cfg[f'{split}_dataloader'].dataset.data_root = 'data/synthetic_photo/'
    cfg.work_dir = 'work_dirs/bundled'
    cfg.resume = False
    size = write_bundled_model(checkpoint, cfg, weights, config,
                               dtype=torch.float16 if args.half else torch.float32)
    provenance = dict(
        model=bundled_model.name, summary=bundled_model.summary,
        recipe=osp.relpath(args.config, REPO_ROOT),
        command=' '.join(['python', 'tools/train_bundled_model.py'] + (argv or sys.argv[1:])),
        data=dict(style=args.style, heldout_style=HELDOUT_STYLE,
                  train_family=dict(num=args.num_train, seed=args.seed),
                  heldout_family=dict(num=args.num_heldout, seed=args.seed + 1),
                  boxes='keypoint extent x 1.2 (tools/convert_freihand.py --bbox keypoints)',
                  selection='frame-AUC on the held-out family\'s val split'),
        epochs=cfg.train_cfg.max_epochs, seed=args.seed, resumed=resumed, weights_dtype=str(
            torch.float16 if args.half else torch.float32), weights_bytes=size,
        metrics=metrics,
        seconds=seconds_record(data_seconds, train_seconds, all_calls, start),
        machine=machine_info())
    atomic_write_json(osp.join(args.out_dir, f'{bundled_model.stem}.json'), provenance, indent=2)

    print(f'\nBundled model written in {provenance["seconds"]["total"]:.0f} s '
          f'({size / 2**20:.1f} MiB): {weights}')
    for family in ('train', 'heldout'):
        m = metrics[family]
        print(f'  {family:8s} family test: frame-PCK@0.2 {m["frame-PCK@0.2"]:.3f}  '
              f'PCK@0.2 {m["PCK@0.2"]:.3f}  NME {m["NME"]:.3f}  EPE {m["EPE"]:.1f} px')


if __name__ == '__main__':
    main()

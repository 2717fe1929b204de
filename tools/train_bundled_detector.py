#!/usr/bin/env python
"""Train the bundled hand detector on synthetic scenes only and ship it in the package.

Steps (every part on the CPU, no download):

1. ``tools/make_hand_scenes.py`` renders whole scenes with zero, one or two
   hands (COCO boxes = keypoint extent x 1.2): ``train`` in the training
   appearance family, ``val`` and ``test`` in the held-out family (skin tones,
   lights, white balances, JPEG qualities and backgrounds training never sees),
   ``test_seen`` the test scenes in training-family appearances;
2. mmdet's runner (through MMEngine) trains the recipe
   (``configs/detection/``) and keeps the checkpoint with the best COCO AP on
   the held-out ``val`` split, never on a test split. Run the same command
   again after an interruption: it finds the rendered scenes and resumes from
   the last epoch checkpoint (the provenance file then says ``"resumed":
   true``; its ``train`` seconds count the last call, ``train_all_calls``
   every call that trained in the work folder); a work folder that trained
   other scenes (``--seed``, ``--scene-layout``, counts) or another recipe is
   refused before anything is rendered, never resumed;
3. the score threshold of the boxes an application keeps (MMPose's
   ``bbox_thr``) is chosen on the held-out ``val`` split (best F1 of hand
   recall and precision at IoU 0.5; with ``--max-hand-free``, the lowest
   that gives at most that share of the hand-free scenes a box) and stored
   in the bundled config as ``hand_score_thr`` (the plugin's inferencer
   default for this detector), and with it the fallback
   ``hand_fallback_thr``: when no box passes, the best box above it is kept,
   at the lowest value that gives at most 5% more of the hand-free ``val``
   scenes a box (none if it finds no more hands),
   measured on the test splits and shipped only with ``--ship-fallback``;
4. the selected checkpoint is tested on ``test`` (the reported figures) and
   ``test_seen`` (the gap): COCO AP, AP50, and recall, precision and false
   boxes per image at IoU 0.5 for boxes scoring above the chosen threshold
   (with the fallback, and above MMPose's default 0.3);
5. the weights (state dict and dataset meta) and the flattened config go to
   ``mmpose_mlehand/bundled/`` with a provenance file, so that the plugin's pose
   models detect hands with it when no box is given.

Example::

    python tools/train_bundled_detector.py                 # the shipped recipe, from scratch
    make bundled-detector                                  # the shipped detector's four runs
    python tools/train_bundled_detector.py --num-train 64 --num-eval 16 \\
        --epochs 1 --out-dir /tmp/bundled                  # a smoke run
"""
import argparse
import copy
import json
import os
import os.path as osp
import subprocess
import sys
import time

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
# Let `python tools/train_bundled_detector.py` work from a checkout that is not pip-installed.
sys.path.insert(0, REPO_ROOT)

from mmengine.config import DictAction  # noqa: E402

from mmpose_mlehand.bundled import BUNDLED_DIR, BUNDLED_MODELS, DEFAULT_DETECTOR  # noqa: E402
from mmpose_mlehand.synthetic.hand_scenes import SCENE_LAYOUTS  # noqa: E402
from mmpose_mlehand.synthetic.scene_dataset import annotation_file, holds_scenes  # noqa: E402
from mmpose_mlehand.utils.schedules import set_training_epochs  # noqa: E402

#: COCO metrics copied into the provenance file (the hand-box recall is
#: computed by :func:`box_samples` at the chosen threshold and at 0.3).
REPORTED = ('coco/bbox_mAP', 'coco/bbox_mAP_50')
#: The fallback threshold's budget: at most this many more hand-free val
#: images with a (made-up) box than without a fallback.
MAX_ADDED_FALSE = 0.05
#: Where the flattened config expects the data (not this machine's work dir).
SHIPPED_DATA_ROOT = 'data/hand_scenes/'


def parse_args(argv=None) -> argparse.Namespace:
    model = BUNDLED_MODELS[DEFAULT_DETECTOR]
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--config', default=osp.join(REPO_ROOT, model.recipe),
                        help=f'training config (default: {model.recipe})')
    parser.add_argument('--work-dir', default=osp.join('work_dirs', 'bundled', DEFAULT_DETECTOR),
                        help='scenes, logs and checkpoints (default: '
                        f'work_dirs/bundled/{DEFAULT_DETECTOR})')
    parser.add_argument('--out-dir', default=BUNDLED_DIR,
                        help='where the bundled files go (default: the package)')
    parser.add_argument('--num-train', type=int, default=10000,
                        help='training scenes (default 10000)')
    parser.add_argument('--num-eval', type=int, default=500,
                        help='scenes in each of val, test and test_seen (default 500)')
    parser.add_argument('--epochs', type=int, default=None,
                        help="training epochs (default: the config's)")
    parser.add_argument('--seed', type=int, default=0,
                        help='scene and training seed (default: 0)')
    parser.add_argument('--scene-layout', choices=tuple(SCENE_LAYOUTS), default='default',
                        help='hand sizes and cuts by the frame of every split '
                        '(tools/make_hand_scenes.py --layout; default: default)')
    parser.add_argument('--workers', type=int, default=2,
                        help='rendering processes (default: 2); data loading uses '
                        "the config's")
    parser.add_argument('--load-from', default=None,
                        help='start from the weights of an earlier run (a checkpoint) '
                        'with a fresh schedule of --epochs; the provenance keeps the '
                        "earlier run's record (the .json beside those weights, else the "
                        "bundled one in --out-dir) as previous_stage")
    parser.add_argument('--ship-fallback', action='store_true',
                        help='make the fallback threshold chosen on val the inferencer '
                        "default (hand_fallback_thr); without it the threshold's figures "
                        'are measured and recorded, and no fallback ships')
    parser.add_argument('--max-hand-free', type=float, default=None,
                        help='choose the score threshold as the lowest (step 0.01) at which '
                        'at most this share of the hand-free val scenes keep a box, instead '
                        'of the best F1 (made-up hands weigh more than missed ones)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, default={},
                        help='override config keys, e.g. model.test_cfg.score_thr=0.01')
    args = parser.parse_args(argv)
    if args.num_train < 1 or args.num_eval < 1:
        parser.error('--num-train and --num-eval must be at least 1')
    if args.max_hand_free is not None and not 0 <= args.max_hand_free < 1:
        parser.error('--max-hand-free must be in [0, 1)')
    return args


def render_scenes(root: str, args: argparse.Namespace) -> None:
    """Render the scenes unless ``root`` already holds these very scenes."""
    counts = dict(train=args.num_train, val=args.num_eval, test=args.num_eval,
                  test_seen=args.num_eval)
    if holds_scenes(root, counts, args.seed, args.scene_layout):
        print(f'scenes: reusing {root}', flush=True)
        return
    command = ['tools/make_hand_scenes.py', '--out', root, '--seed', str(args.seed),
               '--layout', args.scene_layout,
               '--workers', str(max(1, args.workers)), '--overwrite', '--quiet']
    for split, num in counts.items():
        command += [f'--num-{split.replace("_", "-")}', str(num)]
    print('$ ' + ' '.join(['python'] + command), flush=True)
    subprocess.run([sys.executable] + command, check=True, cwd=REPO_ROOT)


def point_at_data(cfg, root: str) -> None:
    """Point every data loader and COCO evaluator of ``cfg`` at ``root``."""
    for split, ann in (('train', 'train'), ('val', 'val'), ('test', 'test')):
        cfg[f'{split}_dataloader'].dataset.data_root = root
    for split in ('val', 'test'):
        ann = osp.join(root, annotation_file(split))
        for evaluator in cfg[f'{split}_evaluator']:
            if 'ann_file' in evaluator:
                evaluator.ann_file = ann


def box_samples(detector, root: str, split: str) -> list:
    """``(gt (N, 4), boxes (M, 4), scores (M,))`` per image of a split, xyxy."""
    import numpy as np

    from mmpose_mlehand.utils import read_bgr
    with open(osp.join(root, annotation_file(split)), encoding='utf-8') as f:
        coco = json.load(f)
    truth = {image['id']: [] for image in coco['images']}
    for ann in coco['annotations']:
        x, y, w, h = ann['bbox']
        truth[ann['image_id']].append([x, y, x + w, y + h])
    samples = []
    for image in coco['images']:
        boxes, scores = detector(
            read_bgr(osp.join(root, 'images', split, image['file_name']), 'scene image'))
        samples.append((np.array(truth[image['id']], np.float32).reshape(-1, 4), boxes, scores))
    return samples


def main(argv=None) -> None:
    args = parse_args(argv)
    bundled_model = BUNDLED_MODELS[DEFAULT_DETECTOR]
    start = time.perf_counter()
    work_dir = osp.abspath(args.work_dir)
    root = osp.join(work_dir, 'data')

    from mmengine.config import Config
    from mmengine.runner import Runner

    import mmpose_mlehand.plugin  # noqa: F401  (safe checkpoint loading, hooks, metric)
    from mmpose_mlehand.bundled.packaging import (add_train_seconds, check_run_stamp, machine_info,
                                                  seconds_record, write_bundled_model)
    from mmpose_mlehand.utils import atomic_write_json

    cfg = Config.fromfile(args.config)
    cfg.merge_from_dict(args.cfg_options)
    cfg.work_dir = osp.join(work_dir, 'train')
    cfg.randomness = dict(seed=args.seed)
    point_at_data(cfg, root + '/')
    if args.epochs is not None:
        set_training_epochs(cfg, args.epochs)
    if args.load_from is not None:
        if not osp.isfile(args.load_from):
            raise FileNotFoundError(f'--load-from: no checkpoint at {args.load_from}')
        cfg.load_from = osp.abspath(args.load_from)
    # Before any scene is rendered: a work folder that trained other scenes
    # or another recipe is refused, not resumed (nor its scenes overwritten).
    resumed = check_run_stamp(cfg.work_dir, dict(
        scenes=dict(seed=args.seed, layout=args.scene_layout, num_train=args.num_train,
                    num_eval=args.num_eval),
        config=cfg.to_dict()))
    data_start = time.perf_counter()
    render_scenes(root, args)
    data_seconds = time.perf_counter() - data_start

    # Resume from the last epoch checkpoint of an interrupted run, if any
    # (that takes precedence over --load-from: MMEngine resumes from
    # load_from when both are set, so it is cleared).
    cfg.resume = resumed
    if resumed:
        cfg.load_from = None
    train_start = time.perf_counter()
    runner = Runner.from_cfg(cfg)
    runner.train()
    train_seconds = time.perf_counter() - train_start
    all_calls = add_train_seconds(cfg.work_dir, train_seconds)
    checkpoint = runner.message_hub.get_info('best_ckpt')
    if checkpoint is None:
        raise RuntimeError('training saved no best checkpoint; check val_interval '
                           'against --epochs')

    from mmpose_mlehand.apis.detector import MMPOSE_BBOX_THR, MMDetHandDetector
    from mmpose_mlehand.evaluation import (choose_fallback_threshold, choose_hand_free_threshold,
                                           choose_score_threshold, recall_precision)
    detector = MMDetHandDetector(cfg, checkpoint)
    val_samples = box_samples(detector, root, 'val')
    if args.max_hand_free is None:
        score_thr, thr_table = choose_score_threshold(val_samples)
        thr_chosen_on = 'val (held-out family): best F1 of hand recall and precision'
    else:
        score_thr, thr_table = choose_hand_free_threshold(val_samples, args.max_hand_free)
        thr_chosen_on = ('val (held-out family): the lowest threshold (step 0.01) at which at '
                         f'most {args.max_hand_free:g} of the hand-free scenes keep a box')
    try:
        fallback_thr, fallback_table = choose_fallback_threshold(
            val_samples, score_thr, max_added_false=MAX_ADDED_FALSE)
    except ValueError as exc:  # a val split without hand-free scenes (a tiny run)
        print(f'no fallback threshold: {exc}', flush=True)
        fallback_thr, fallback_table = None, []
    metrics = {}
    for split in ('test', 'test_seen'):
        # A deep copy: the split's paths must not leak into the shipped config.
        test_cfg = copy.deepcopy(cfg)
        test_cfg.resume = False
        test_cfg.load_from = checkpoint
        test_cfg.work_dir = osp.join(work_dir, f'eval_{split}')
        test_cfg.test_dataloader.dataset.ann_file = annotation_file(split)
        test_cfg.test_dataloader.dataset.data_prefix = dict(img=f'images/{split}/')
        for evaluator in test_cfg.test_evaluator:
            if 'ann_file' in evaluator:
                evaluator.ann_file = osp.join(root, annotation_file(split))
        result = Runner.from_cfg(test_cfg).test()
        metrics[split] = {key: float(result[key]) for key in REPORTED}
        samples = box_samples(detector, root, split)
        for thr, fallback, suffix in ((score_thr, None, ''),
                                      (score_thr, fallback_thr, '_fallback'),
                                      (MMPOSE_BBOX_THR, None, f'_thr{MMPOSE_BBOX_THR}')):
            if suffix == '_fallback' and fallback is None:
                continue
            stats = recall_precision(samples, 0.5, thr, fallback)
            for key in ('recall', 'precision', 'false_per_image', 'hand_free_with_box'):
                name = f'{key}@0.5' if key in ('recall', 'precision') else key
                metrics[split][f'hand/{name}{suffix}'] = stats[key]
    metrics['gap'] = {key: metrics['test_seen'][key] - metrics['test'][key]
                      for key in metrics['test']}

    os.makedirs(args.out_dir, exist_ok=True)
    command = ' '.join(['python', 'tools/train_bundled_detector.py'] + (argv or sys.argv[1:]))
    previous_stage = None
    # The record of the run whose weights this one started from: beside
    # those weights (a bundled model's), else the one bundled in --out-dir.
    records = [] if args.load_from is None else [
        osp.splitext(args.load_from)[0] + '.json',
        osp.join(args.out_dir, f'{bundled_model.stem}.json')]
    previous_record = next((path for path in records if osp.isfile(path)), None)
    if previous_record is not None:
        with open(previous_record, encoding='utf-8') as f:
            previous_stage = json.load(f)
        # When this very run was bundled before (the same command run
        # again), the earlier run is the one that record names.
        if previous_stage.get('command') == command:
            previous_stage = previous_stage.get('previous_stage')
    weights = osp.join(args.out_dir, f'{bundled_model.stem}.pth')
    config = osp.join(args.out_dir, f'{bundled_model.stem}.py')
    # The flattened config must not point at this machine's data.
    point_at_data(cfg, SHIPPED_DATA_ROOT)
    cfg.work_dir = 'work_dirs/bundled'
    cfg.resume = False
    cfg.load_from = None  # the shipped weights are the model, not a path on this machine
    # The inferencer's default bbox_thr for this detector and the fallback
    # when no box passes it (both chosen on val).
    cfg.hand_score_thr = score_thr
    cfg.hand_fallback_thr = fallback_thr if args.ship_fallback else None
    size = write_bundled_model(checkpoint, cfg, weights, config)
    provenance = dict(
        model=bundled_model.name, summary=bundled_model.summary,
        recipe=osp.relpath(args.config, REPO_ROOT),
        command=command,
        data=dict(scenes='tools/make_hand_scenes.py', seed=args.seed, layout=args.scene_layout,
                  train=dict(num=args.num_train, family='train'),
                  val=dict(num=args.num_eval, family='heldout'),
                  test=dict(num=args.num_eval, family='heldout'),
                  test_seen=dict(num=args.num_eval, family='train'),
                  boxes='keypoint extent x 1.2, clipped to the frame',
                  selection="COCO bbox AP on the held-out family's val split"),
        epochs=cfg.train_cfg.max_epochs, seed=args.seed, resumed=resumed,
        load_from=None if args.load_from is None else osp.basename(args.load_from),
        previous_stage=previous_stage,
        checkpoint=osp.basename(checkpoint), weights_bytes=size,
        operating_point=dict(iou=0.5, score_thr=score_thr,
                             chosen_on=thr_chosen_on, val_table=thr_table,
                             fallback_thr=fallback_thr,
                             fallback_shipped=bool(args.ship_fallback),
                             fallback_chosen_on='val: the lowest fallback threshold that gives '
                             f'at most {MAX_ADDED_FALSE:.0%} more hand-free images a box',
                             fallback_table=fallback_table),
        metrics=metrics,
        seconds=seconds_record(data_seconds, train_seconds, all_calls, start),
        machine=machine_info())
    atomic_write_json(osp.join(args.out_dir, f'{bundled_model.stem}.json'), provenance, indent=2)

    print(f'\nBundled detector written in {provenance["seconds"]["total"]:.0f} s '
          f'({size / 2**20:.1f} MiB): {weights}')
    for split in ('test', 'test_seen'):
        m = metrics[split]
        print(f'  {split:9s}: AP {m["coco/bbox_mAP"]:.3f}  AP50 {m["coco/bbox_mAP_50"]:.3f}  '
              f'recall@0.5 {m["hand/recall@0.5"]:.3f}  precision@0.5 '
              f'{m["hand/precision@0.5"]:.3f} (boxes above {score_thr:.2f})')
        if fallback_thr is not None:
            print(f'{"":13s}with the fallback above {fallback_thr:.2f}: recall@0.5 '
                  f'{m["hand/recall@0.5_fallback"]:.3f}, hand-free images with a box '
                  f'{m["hand/hand_free_with_box_fallback"]:.3f} (without: '
                  f'{m["hand/hand_free_with_box"]:.3f})')


if __name__ == '__main__':
    main()

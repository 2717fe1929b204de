#!/usr/bin/env python
"""Test a bundled pose model (or any plugin checkpoint) on a synthetic family's split.

The proxy figures of issue 22, for one model: PCK@0.2, frame-PCK@0.2, NME and
AUC (the model's own evaluators), the share of mirror-confused frames (fingers
predicted in mirrored order: ``HandPCK``'s ``mirror-confusion``), how well
its keypoint scores flag errors (``KeypointUncertaintyMetric`` on the scores,
1 - sigma: AUROC of low score against "error above 0.1 and 0.2 of the box")
and, under ``real-protocol/``, PCK and mirror-confusion as the real
photographs are scored: errors divided by the keypoint extent, of which the
box (and so the proxy's own divisor) is 1.2 times.

The data are rendered in the FreiHAND layout and converted as
``tools/train_bundled_model.py`` renders its held-out family (``--num-eval 0``,
8:1:1 by sample), unless ``--work-dir`` already holds them; the ``hard``
family is the one made to rank recipes as the real photographs do (rotated,
closed, side-on, hard-lit, low-contrast hands; ``docs/synthetic_hands.md``).

Example::

    python tools/evaluate_bundled_model.py --family hard --num 2000 --seed 2 \\
        --work-dir /tmp/hard --json /tmp/hard/mlehand-synthetic-hand.json
    python tools/evaluate_bundled_model.py --model mlehand-synthetic-hand-small \\
        --family hard --num 2000 --seed 2 --work-dir /tmp/hard
"""
import argparse
import os.path as osp
import sys
import time

TOOLS_DIR = osp.dirname(osp.abspath(__file__))
REPO_ROOT = osp.dirname(TOOLS_DIR)
# Let `python tools/evaluate_bundled_model.py` work from a checkout that is not pip-installed.
sys.path.insert(0, REPO_ROOT)
sys.path.insert(0, TOOLS_DIR)

from train_bundled_model import HELDOUT_STYLE, render_and_convert  # noqa: E402

from mmpose_mlehand.bundled import DEFAULT_MODEL, POSE_MODELS  # noqa: E402
from mmpose_mlehand.synthetic import FAMILIES  # noqa: E402
from mmpose_mlehand.synthetic.styles import STYLES  # noqa: E402

#: Prefix of the metrics measured as the real photographs are: errors divided
#: by the keypoint extent, not by the box (the extent x 1.2) as the proxy's own.
REAL_PROTOCOL = 'real-protocol'
#: Error thresholds (fractions of the box) of the score AUROC.
AUROC_THRESHOLDS = (0.1, 0.2)
#: Where the converter writes the annotation files, inside the data folder.
ANNOTATIONS = 'annotations'


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--model', default=DEFAULT_MODEL, choices=sorted(POSE_MODELS),
                        help=f'bundled pose model (default: {DEFAULT_MODEL})')
    parser.add_argument('--config', default=None,
                        help='a pose config instead of the bundled model (with --checkpoint)')
    parser.add_argument('--checkpoint', default=None, help='weights for --config')
    parser.add_argument('--family', default='hard', choices=FAMILIES,
                        help='appearance family of the data (default: hard)')
    parser.add_argument('--style', default=HELDOUT_STYLE, choices=tuple(STYLES),
                        help=f'scene style of the data (default: {HELDOUT_STYLE}, as the '
                        'held-out family of tools/train_bundled_model.py); photo-crossed '
                        'beside photo-varied measures what crossed fingers cost')
    parser.add_argument('--num', type=int, default=2000,
                        help='hands rendered (8:1:1 train/val/test by sample; default 2000)')
    parser.add_argument('--seed', type=int, default=2,
                        help='data seed (default 2: neither the bundled training data, '
                        'seed 0, nor their held-out family, seed 1)')
    parser.add_argument('--split', default='test', choices=('val', 'test'),
                        help='split to test on (default: test)')
    parser.add_argument('--work-dir', required=True,
                        help='data and logs; data already there for the same family, '
                        'number and seed are reused')
    parser.add_argument('--workers', type=int, default=2, help='rendering processes')
    parser.add_argument('--json', default=None, help='write the metrics here (atomic)')
    args = parser.parse_args(argv)
    if (args.config is None) != (args.checkpoint is None):
        parser.error('--config and --checkpoint go together')
    if args.num < 10:
        parser.error('--num must be at least 10 (the 8:1:1 split needs a test sample)')
    return args


def test_config(config, root: str, split: str, work_dir: str):
    """The model's config tested on ``root``'s split, with the score AUROC added."""
    cfg = config.copy()
    cfg.work_dir = work_dir
    loader = cfg.test_dataloader
    loader.dataset.data_root = root
    loader.dataset.ann_file = osp.join(ANNOTATIONS, f'freihand_{split}.json')
    loader.dataset.data_prefix = dict(img='')
    loader.num_workers = 0
    loader.persistent_workers = False
    evaluators = list(cfg.test_evaluator) if isinstance(cfg.test_evaluator, (list, tuple)) \
        else [cfg.test_evaluator]
    evaluators.append(dict(type='KeypointUncertaintyMetric', error_thr=list(AUROC_THRESHOLDS),
                           source='scores'))
    evaluators.append(dict(type='HandPCK', thr=0.2, normalize='keypoint-extent',
                           prefix=REAL_PROTOCOL))
    cfg.test_evaluator = evaluators
    return cfg


def main(argv=None) -> dict:
    args = parse_args(argv)
    start = time.perf_counter()
    work_dir = osp.abspath(args.work_dir)
    root = osp.join(work_dir, 'data')
    render_and_convert(root, args.family, args.num, args.seed, args.workers,
                       args.style)  # or reuse

    from mmengine.config import Config
    from mmengine.runner import Runner

    import mmpose_mlehand.plugin  # noqa: F401  (registries, safe checkpoint loading)
    from mmpose_mlehand.bundled import bundled_model_files
    from mmpose_mlehand.utils import atomic_write_json
    if args.config is None:
        config, checkpoint = bundled_model_files(args.model)
        name = args.model
    else:
        config, checkpoint, name = args.config, args.checkpoint, osp.basename(args.checkpoint)
    cfg = test_config(Config.fromfile(config), root + '/', args.split,
                      osp.join(work_dir, 'test', name))
    cfg.load_from = checkpoint
    metrics = {key: float(value) for key, value in Runner.from_cfg(cfg).test().items()}
    record = dict(model=name, config=osp.relpath(config, REPO_ROOT) if config.startswith(
        REPO_ROOT) else config, data=dict(family=args.family, num=args.num, seed=args.seed,
                                          split=args.split, style=args.style),
        command=' '.join(['python', 'tools/evaluate_bundled_model.py'] + (argv or sys.argv[1:])),
        metrics=metrics, seconds=round(time.perf_counter() - start, 1))
    if args.json:
        atomic_write_json(args.json, record, indent=1)
    keys = ('PCK@0.2', 'frame-PCK@0.2', 'NME', 'mirror-confusion', 'unc/AUROC@0.1',
            f'{REAL_PROTOCOL}/PCK@0.2', f'{REAL_PROTOCOL}/mirror-confusion')
    print(f'{name} on the {args.family} family, {args.style} style ({args.split}): ' + '  '.join(
        f'{key} {metrics[key]:.3f}' for key in keys if key in metrics), flush=True)
    return record


if __name__ == '__main__':
    main()

#!/usr/bin/env python
"""Measure every rendering change of the ``photo`` style by the held-out
appearance-family proxy (issue 14).

Thin command line over :mod:`mmpose_mlehand.experiments.rendering_ablation`.
For each rendering variant (``photo``; ``photo`` with one feature switched
off; ``clean`` and ``full``) a training-family data set is rendered and
converted with keypoint boxes, the bundled recipe is trained on it with the
same budget as every other variant, the checkpoint is selected on the
held-out family's validation split and tested on the held-out family's test
split (one shared data set, rendered once) and on the variant's own test
split. One result file per variant goes to ``<work-dir>/results/``, the
table to ``<work-dir>/rendering_ablation.md``. Running the same command
again resumes: finished variants are skipped.

Examples::

    python tools/measure_rendering.py                      # every variant, ~1 h (estimate)
    python tools/measure_rendering.py --variants photo,no-upright,clean
    python tools/measure_rendering.py --table-only         # rewrite the table
    python tools/measure_rendering.py --paired runs/seed0 runs/seed1 runs/seed2
"""
import argparse
import os
import signal
import sys

# Let `python tools/measure_rendering.py` work from a checkout that is not
# pip-installed.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from mmpose_mlehand.experiments import rendering_ablation as ablation  # noqa: E402


def _list(text: str) -> list:
    return [part.strip() for part in text.split(',') if part.strip()]


def parse_args(argv=None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        description=__doc__, epilog=ablation.describe(),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--preset', choices=tuple(ablation.PRESETS), default='small',
                        help='size and defaults (default: small)')
    parser.add_argument('--work-dir', default=None,
                        help='ablation folder (default: work_dirs/rendering/<preset>)')
    parser.add_argument('--variants', type=_list, default=None,
                        help="comma-separated variant keys, or 'all' (default: the preset's)")
    parser.add_argument('--num-samples', type=int, default=None,
                        help="training-family hands per variant (override the preset's)")
    parser.add_argument('--num-heldout', type=int, default=None,
                        help="held-out-family hands (override the preset's)")
    parser.add_argument('--epochs', type=int, default=None, help="override the preset's")
    parser.add_argument('--batch-size', type=int, default=None, help="override the preset's")
    parser.add_argument('--workers', type=int, default=None,
                        help="generator processes and dataloader workers (override)")
    parser.add_argument('--seed', type=int, default=0,
                        help="every variant's data, split and training seed (default: 0)")
    parser.add_argument('--heldout-seed', type=int, default=None,
                        help='seed of the held-out data set (default: --seed + 1)')
    parser.add_argument('--config', default=ablation.RECIPE,
                        help='training recipe, relative to the repository (default: '
                        f'{ablation.RECIPE})')
    parser.add_argument('--proxy', choices=ablation.PROXY_FAMILIES, default=ablation.HELDOUT_FAMILY,
                        help='family of the shared data set that selects (val) and reports '
                        "(test): 'heldout' (held-out appearances, default) or 'hard' (also hard "
                        'light, low contrast, closed, turned and side-on hands)')
    parser.add_argument('--threads', type=int, default=None,
                        help="torch threads per run (default: torch's choice)")
    parser.add_argument('--max-runs', type=int, default=None,
                        help='stop after starting this many variants (resume later)')
    parser.add_argument('--keep-data', action='store_true',
                        help="keep each variant's rendered data after its run")
    parser.add_argument('--table-only', action='store_true',
                        help='only rewrite the table from the stored result files')
    parser.add_argument('--paired', nargs='+', metavar='WORK_DIR', default=None,
                        help='only compare: every variant (and every variant of another '
                        "--config) against photo of the first work dir's recipe over seeds, "
                        'work dirs of each --seed (paired differences, 95%% intervals, verdicts)')
    parser.add_argument('--dry-run', action='store_true', help='print the plan and exit')
    return parser.parse_args(argv)


def _interrupt(signum, frame) -> None:
    """SIGTERM as Ctrl-C: the running child is killed, nothing half-written
    counts as finished."""
    raise KeyboardInterrupt


def main(argv=None) -> int:
    """Plan and run the ablation (or rewrite its table); return the exit status."""
    args = parse_args(argv)
    if args.paired:
        try:
            print(ablation.paired_markdown(args.paired), end='')
        except ValueError as exc:
            print(f'error: {exc}', file=sys.stderr)
            return 2
        return 0
    preset = ablation.PRESETS[args.preset]
    work_dir = args.work_dir or os.path.join('work_dirs', 'rendering', preset.name)
    if args.table_only:
        try:
            path = ablation.write_table(work_dir)
        except ValueError as exc:
            print(f'error: {exc}', file=sys.stderr)
            return 2
        print(f'table: {path}')
        return 0
    overrides = dict(num_samples=args.num_samples, num_heldout=args.num_heldout,
                     epochs=args.epochs, batch_size=args.batch_size, workers=args.workers,
                     threads=args.threads)
    try:
        specs = ablation.plan_variants(preset, work_dir, args.variants, args.seed,
                                       args.heldout_seed, overrides, args.config,
                                       args.proxy)
    except ValueError as exc:
        print(f'error: {exc}', file=sys.stderr)
        return 2
    if args.dry_run:
        for spec in specs:
            print(f'{spec["variant"]}: switched off {spec["changed"] or "-"}; '
                  f'{spec["num_samples"]} hands, {spec["epochs"]} epochs at batch '
                  f'{spec["batch_size"]}; {spec["proxy"]} family {spec["num_heldout"]} hands, '
                  f'seed {spec["heldout_seed"]}')
        return 0
    request = dict(preset=preset.name, description=preset.description,
                   variants=[s['variant'] for s in specs], seed=args.seed,
                   heldout_seed=specs[0]['heldout_seed'], proxy=args.proxy, config=args.config,
                   overrides={k: v for k, v in overrides.items() if v is not None})
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops the current run too
    try:
        status = ablation.run_ablation(specs, work_dir, request=request,
                                       max_runs=args.max_runs, keep_data=args.keep_data,
                                       log=lambda line: print(line, flush=True))
        if status['done'] or status['skipped']:
            print(f'table: {ablation.write_table(work_dir)}')
    except RuntimeError as exc:
        print(f'error: {exc}', file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print('\ninterrupted: run the same command again to resume', file=sys.stderr)
        return 130
    return 1 if status['failed'] else 0


if __name__ == '__main__':
    sys.exit(main())

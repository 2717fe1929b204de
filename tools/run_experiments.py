#!/usr/bin/env python
"""Train and test models on synthetic hands at several training-label noise
levels and seeds, with the same budget for every model.

Thin command line over :mod:`mmpose_mlehand.experiments`. Each (noise level,
seed) data set is rendered once and shared by every model; every run trains
with the same data, epochs and batch, selects its checkpoint on the clean
validation split (frame-AUC) and is tested on the clean test split with the
paper's hand-box metrics (plus stage-wise and uncertainty metrics where the
model has stages / sigmas). One result file per run goes to
``<work-dir>/results/``; ``tools/analyze_results.py`` turns them into a table
and figures. Running the same command again resumes: finished runs are
skipped.

Examples::

    python tools/run_experiments.py --preset small          # ~2 h on 2 CPU cores
    python tools/run_experiments.py --preset small --models mlehand --seeds 0
    python tools/run_experiments.py --preset full --recipe both --work-dir /data/sweep
    python tools/run_experiments.py --repeat docs/medium_runs/results/mlehand__clean__seed0.json
"""
import argparse
import os
import signal
import sys

# Let `python tools/run_experiments.py` work from a checkout that is not
# pip-installed.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from mmpose_mlehand.experiments import PRESETS, plan_runs, run_sweep  # noqa: E402
from mmpose_mlehand.experiments.sweep import describe  # noqa: E402
from mmpose_mlehand.synthetic.styles import STYLES  # noqa: E402


def _list(text: str) -> list:
    return [part.strip() for part in text.split(',') if part.strip()]


def parse_args(argv=None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        description=__doc__, epilog=describe(),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--preset', choices=tuple(PRESETS), default='small',
                        help='size and defaults (default: small)')
    parser.add_argument('--work-dir', default=None,
                        help='sweep folder (default: work_dirs/experiments/<preset>)')
    parser.add_argument('--models', type=_list, default=None,
                        help="comma-separated model keys, or 'all' (default: the preset's)")
    parser.add_argument('--noise', type=_list, default=None,
                        help="comma-separated noise levels (default: the preset's)")
    parser.add_argument('--seeds', type=lambda t: [int(s) for s in _list(t)], default=None,
                        help="comma-separated seeds (default: the preset's)")
    parser.add_argument('--recipe', choices=('shared', 'recommended', 'both'), default=None,
                        help='shared: every model on the same schedule; '
                        "recommended: baselines on their MMPose recipe's lr, warm-up and lr "
                        "steps within the same budget; both (default: the preset's runs, "
                        'else shared)')
    parser.add_argument('--epochs', type=int, default=None, help="override the preset's")
    parser.add_argument('--num-samples', type=int, default=None,
                        help="synthetic hands per data set (override the preset's)")
    parser.add_argument('--batch-size', type=int, default=None, help="override the preset's")
    parser.add_argument('--style', choices=tuple(STYLES), default=None,
                        help="generator scene style (override the preset's)")
    parser.add_argument('--workers', type=int, default=None,
                        help="generator processes and dataloader workers (override)")
    parser.add_argument('--pretrained', action=argparse.BooleanOptionalAction, default=None,
                        help="keep the configs' ImageNet weights (default: the preset's; "
                        'full needs torchvision://resnet50 in the torch hub cache)')
    parser.add_argument('--threads', type=int, default=None,
                        help='torch threads per run (default: torch\'s choice)')
    parser.add_argument('--max-runs', type=int, default=None,
                        help='stop after starting this many runs (resume later)')
    parser.add_argument('--dry-run', action='store_true', help='print the plan and exit')
    parser.add_argument('--repeat', nargs='+', metavar='RESULT_FILE', default=None,
                        help='run these finished runs again from their stored specs in '
                        '--work-dir (default: work_dirs/experiments/repeat), compare every '
                        'test metric and validation-curve point with the stored ones and '
                        'exit with 1 if any differs (the other options are ignored)')
    return parser.parse_args(argv)


def _interrupt(signum, frame) -> None:
    """SIGTERM as Ctrl-C: the running child is killed, nothing half-written
    counts as finished."""
    raise KeyboardInterrupt


def repeat(result_files: list, work_dir: str) -> int:
    """Repeat finished runs and compare (``--repeat``); return the exit status."""
    from mmpose_mlehand.experiments.repeat import repeat_run, report_lines
    signal.signal(signal.SIGTERM, _interrupt)
    differing = 0
    for result_file in result_files:
        try:
            outcome = repeat_run(result_file, work_dir, log=lambda line: print(line, flush=True))
        except (ValueError, RuntimeError) as exc:
            print(f'error: {exc}', file=sys.stderr)
            return 2
        except KeyboardInterrupt:
            print('\ninterrupted: run the same command again to resume', file=sys.stderr)
            return 130
        print('\n'.join(report_lines(outcome)), flush=True)
        differing += bool(outcome['differences'])
    return 1 if differing else 0


def main(argv=None) -> int:
    """Plan and run the sweep; return the exit status."""
    args = parse_args(argv)
    if args.repeat:
        work_dir = args.work_dir or os.path.join('work_dirs', 'experiments', 'repeat')
        return repeat(args.repeat, work_dir)
    preset = PRESETS[args.preset]
    work_dir = args.work_dir or os.path.join('work_dirs', 'experiments', preset.name)
    models = args.models
    if models == ['all']:
        from mmpose_mlehand.experiments.presets import PAPER_MODELS
        models = list(PAPER_MODELS)
    recipes = {None: None, 'both': ('shared', 'recommended')}.get(args.recipe, (args.recipe, ))
    overrides = dict(epochs=args.epochs, num_samples=args.num_samples,
                     batch_size=args.batch_size, workers=args.workers, style=args.style,
                     pretrained=args.pretrained, threads=args.threads)
    try:
        specs = plan_runs(preset, work_dir, models, args.noise, args.seeds, recipes, overrides)
    except ValueError as exc:
        print(f'error: {exc}', file=sys.stderr)
        return 2
    if args.dry_run:
        for spec in specs:
            print(f'{spec["run_id"]}: {spec["config"]}, {spec["epochs"]} epochs at batch '
                  f'{spec["batch_size"]}, {spec["num_samples"]} hands, {spec["label_noise"]}')
        return 0
    request = dict(preset=preset.name, description=preset.description,
                   models=sorted({s['model'] for s in specs}),
                   noise=sorted({s['noise'] for s in specs}),
                   seeds=sorted({s['seed'] for s in specs}),
                   recipes=sorted({s['recipe'] for s in specs}),
                   overrides={k: v for k, v in overrides.items() if v is not None})
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops the current run too
    try:
        status = run_sweep(specs, work_dir, request=request, max_runs=args.max_runs,
                           log=lambda line: print(line, flush=True))
    except RuntimeError as exc:
        print(f'error: {exc}', file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print('\ninterrupted: run the same command again to resume', file=sys.stderr)
        return 130
    print(f'results in {os.path.join(work_dir, "results")}; summarise with '
          f'python tools/analyze_results.py {work_dir}')
    return 1 if status['failed'] else 0


if __name__ == '__main__':
    sys.exit(main())

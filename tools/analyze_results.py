#!/usr/bin/env python
"""Summarise the result files of tools/run_experiments.py: a Markdown table
(mean and 95% interval over seeds for every model, recipe and noise level),
a paired table of the loss claims (mean and 95% interval of the per-seed
difference, method minus ablation, with a verdict) and PNG figures in the
style of the paper's (PCK per stage, NME per joint and PCK curves per loss
and per method, accuracy against label noise, uncertainty calibration).

Thin command line over :mod:`mmpose_mlehand.experiments.results` and
:mod:`mmpose_mlehand.experiments.figures`.

Example::

    python tools/analyze_results.py work_dirs/experiments/small --out docs/results
    python tools/analyze_results.py docs/medium_runs --progress  # how far a sweep is
"""
import argparse
import os
import os.path as osp
import sys

# Let `python tools/analyze_results.py` work from a checkout that is not
# pip-installed.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from mmpose_mlehand.experiments.results import (load_results, mean_pose_references,  # noqa: E402
                                                progress_table, summary_markdown)


def parse_args(argv=None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('inputs', nargs='+',
                        help='sweep folders (their results/) or result files')
    parser.add_argument('--out', default=None,
                        help='output folder (default: <first input>/analysis)')
    parser.add_argument('--no-figures', action='store_true', help='the table only')
    parser.add_argument('--progress', action='store_true',
                        help='print the finished runs in the order they finished (time, '
                        'frame-PCK, NME) as a Markdown table and write nothing')
    parser.add_argument('--mean-pose', action='store_true',
                        help='add the mean-pose baseline of every data set the runs used '
                        '(needs their annotation files)')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    """Write ``results.md`` and the figures; return the exit status."""
    args = parse_args(argv)
    try:
        results = load_results(args.inputs)
    except (ValueError, OSError) as exc:
        print(f'error: {exc}', file=sys.stderr)
        return 2
    if args.progress:
        print(f'{len(results)} finished runs\n')
        print(progress_table(results), end='')
        return 0
    out_dir = args.out or osp.join(args.inputs[0], 'analysis')
    os.makedirs(out_dir, exist_ok=True)
    figures = []
    if not args.no_figures:
        from mmpose_mlehand.experiments.figures import write_figures
        figures = write_figures(results, out_dir)
    from mmpose_mlehand.utils import atomic_open
    table = osp.join(out_dir, 'results.md')
    with atomic_open(table, 'w', encoding='utf-8') as f:
        f.write(summary_markdown(results, figures,
                                 mean_pose_references(results) if args.mean_pose else None))
    print(f'{len(results)} result files -> {table}')
    for path in figures:
        print(f'  {path}')
    return 0


if __name__ == '__main__':
    sys.exit(main())

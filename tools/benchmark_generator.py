#!/usr/bin/env python
"""Print the synthetic generator's speed for 1 and 2 workers.

Thin command line over
:func:`mmpose_mlehand.analysis.benchmark_generator.benchmark_generator`.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from mmpose_mlehand.analysis.benchmark_generator import benchmark_generator  # noqa: E402
from mmpose_mlehand.hand_format import FREIHAND_IMAGE_SIZE  # noqa: E402
from mmpose_mlehand.synthetic import FORMATS  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        description='Time the synthetic-hand generator end to end (rendering '
        'and writing files into a temporary folder) and print images/s per '
        'worker count.')
    parser.add_argument('--num', type=int, default=400,
                        help='images per run (default: 400)')
    parser.add_argument('--workers', type=int, nargs='+', default=[1, 2],
                        help='worker counts to time (default: 1 2)')
    parser.add_argument('--format', choices=FORMATS, default='freihand',
                        help=f'layout (default: freihand, {FREIHAND_IMAGE_SIZE}x'
                        f'{FREIHAND_IMAGE_SIZE} JPEG)')
    parser.add_argument('--seed', type=int, default=0, help='seed (default: 0)')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    """Run the benchmark; return the exit status."""
    args = parse_args(argv)
    try:
        rates = benchmark_generator(args.num, args.workers, args.format,
                                    args.seed)
    except (ValueError, TypeError) as exc:
        print(f'error: {exc}', file=sys.stderr)
        return 2
    for workers, rate in rates.items():
        print(f'{args.format}: workers={workers}: {rate:.1f} images/s '
              f'({args.num} images)')
    return 0


if __name__ == '__main__':
    sys.exit(main())

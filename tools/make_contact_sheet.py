#!/usr/bin/env python
"""Draw a contact sheet of synthetic FreiHAND- and RHD-format samples.

Thin command line over
:func:`mmpose_mlehand.synthetic.make_contact_sheet`.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from mmpose_mlehand.synthetic import make_contact_sheet  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        description='Render a grid of FreiHAND-format samples, a row of '
        'clean-style and a row of photo-style FreiHAND-format samples and a '
        'row of RHD-format samples with their skeletons (filled dots: '
        'visible keypoints, rings: hidden ones) into a PNG.')
    parser.add_argument('--out', default='docs/synthetic_contact_sheet.png',
                        help='output PNG (default: '
                        'docs/synthetic_contact_sheet.png)')
    parser.add_argument('--seed', type=int, default=0, help='seed (default: 0)')
    parser.add_argument('--grid', type=int, default=4,
                        help='FreiHAND part is grid x grid (default: 4)')
    parser.add_argument('--rhd', type=int, default=4,
                        help='number of RHD samples (default: 4)')
    parser.add_argument('--clean', type=int, default=4,
                        help='number of clean-style FreiHAND samples, 0 for '
                        'none (default: 4)')
    parser.add_argument('--photo', type=int, default=4,
                        help='number of photo-style FreiHAND samples, 0 for '
                        'none (default: 4)')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    """Write the sheet; return the exit status."""
    args = parse_args(argv)
    if (args.grid < 1 or args.rhd < 1 or args.clean < 0 or args.photo < 0
            or args.seed < 0):
        print('error: --grid and --rhd must be >= 1, --clean, --photo and '
              '--seed >= 0', file=sys.stderr)
        return 2
    make_contact_sheet(args.out, seed=args.seed, grid=args.grid,
                       rhd_count=args.rhd, clean_count=args.clean,
                       photo_count=args.photo)
    print(f'wrote {args.out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())

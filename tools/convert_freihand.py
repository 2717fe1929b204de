#!/usr/bin/env python
"""Convert the official FreiHAND v2 release into MMPose annotation files.

Thin command line over
:func:`mmpose_mlehand.converters.convert_freihand`.
"""
import argparse
import os
import sys

# Let `python tools/convert_freihand.py` work from a checkout that is not
# pip-installed.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from mmpose_mlehand.converters import convert_freihand, run_conversion  # noqa: E402
from mmpose_mlehand.converters.freihand import BBOX_MODES, SPLIT_RULE  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        description=(
            'Convert FreiHAND v2 (training/rgb, training/mask, '
            'training_K.json, training_xyz.json; optionally evaluation/rgb, '
            'evaluation_K.json, evaluation_xyz.json) into '
            'freihand_{train,val,test}.json and, when evaluation_xyz.json '
            'exists, freihand_eval.json for MMPose\'s FreiHandDataset. The '
            'number n of unique samples is the length of training_xyz.json; '
            'image i of training/rgb belongs to sample i % n and there must '
            'be n, 2n, 3n or 4n images. Keypoints are xyz projected with K, '
            'all visible.'),
        epilog=SPLIT_RULE +
        ' On bad input nothing is written and the exit status is 2.')
    parser.add_argument('--root', required=True,
                        help='folder holding training/ and training_*.json')
    parser.add_argument('--out', required=True,
                        help='output folder (created if missing)')
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of the 8:1:1 split (default: 0)')
    parser.add_argument(
        '--bbox', choices=BBOX_MODES, default='mask',
        help='training boxes: tight integer box of the mask pixels > 127 '
        '(mask, default) or the keypoint extent scaled 1.2x about its centre '
        '(keypoints); evaluation images always use the keypoint box')
    parser.add_argument('--quiet', action='store_true',
                        help='no progress lines on stderr')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    """Run the conversion; return the exit status."""
    args = parse_args(argv)
    return run_conversion(
        lambda: convert_freihand(args.root, seed=args.seed, bbox=args.bbox,
                                 progress=not args.quiet),
        args.out)


if __name__ == '__main__':
    sys.exit(main())

#!/usr/bin/env python
"""Convert the official RHD v1.1 release into MMPose annotation files.

Thin command line over :func:`mmpose_mlehand.converters.convert_rhd`.
"""
import argparse
import os
import sys

# Let `python tools/convert_rhd.py` work from a checkout that is not
# pip-installed.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from mmpose_mlehand.converters import convert_rhd, run_conversion  # noqa: E402
from mmpose_mlehand.converters.rhd import PROTOCOLS, SPLIT_RULE  # noqa: E402
from mmpose_mlehand.hand_format import NUM_KEYPOINTS  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        description=(
            'Convert RHD v1.1 (training/ and evaluation/ with color/, mask/ '
            'and anno_*.pickle) into rhd_train.json, rhd_val.json and '
            'rhd_test.json for MMPose\'s Rhd2DDataset. Keypoints keep RHD\'s '
            'order, v = 1 where uv_vis says visible else 0; bbox = extent of '
            f'the {NUM_KEYPOINTS} keypoints scaled 1.2x about its centre. The pickles are '
            'loaded with an unpickler that accepts numpy arrays only.'),
        epilog=SPLIT_RULE +
        ' On bad input nothing is written and the exit status is 2.')
    parser.add_argument('--root', required=True,
                        help='folder holding training/ and evaluation/')
    parser.add_argument('--out', required=True,
                        help='output folder (created if missing)')
    parser.add_argument(
        '--protocol', choices=PROTOCOLS, default='paper',
        help='paper (default): one instance per hand with at least '
        '--min-visible visible keypoints, annotation id 2*sample_id+side '
        '(0 left, 1 right); mmpose: one instance per image, the hand with '
        'more mask pixels (ties: more visible keypoints, then left), '
        'annotation id = sample id, image dropped if that hand has no '
        'visible keypoint')
    parser.add_argument('--min-visible', type=int, default=10,
                        help='visible keypoints a hand needs under the paper '
                        'protocol (default: 10)')
    parser.add_argument('--val-fraction', type=float, default=0.1,
                        help='fraction of training images for rhd_val.json '
                        '(default: 0.1)')
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of the validation split (default: 0)')
    parser.add_argument('--quiet', action='store_true',
                        help='no progress lines on stderr')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    """Run the conversion; return the exit status."""
    args = parse_args(argv)
    return run_conversion(
        lambda: convert_rhd(args.root, protocol=args.protocol,
                            min_visible=args.min_visible,
                            val_fraction=args.val_fraction, seed=args.seed,
                            progress=not args.quiet),
        args.out)


if __name__ == '__main__':
    sys.exit(main())

#!/usr/bin/env python
"""Generate synthetic hands in the raw FreiHAND or RHD layout.

Thin command line over
:func:`mmpose_mlehand.synthetic.generate_dataset`.
"""
import argparse
import os
import sys

# Let `python tools/make_synthetic_hands.py` work from a checkout that is not
# pip-installed.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from mmpose_mlehand.synthetic import (FAMILIES, FORMATS, STYLES, generate_dataset,  # noqa: E402
                                      parse_label_noise)


def _label_noise(text: str) -> str:
    try:
        parse_label_noise(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def parse_args(argv=None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        description=(
            'Render procedural 3-D hands (kinematic hand with anatomical '
            'limits, perspective camera, z-buffered shading, cluttered '
            'backgrounds, occluders, camera effects) and write them in the '
            'official raw layout of FreiHAND v2 (training/rgb, training/mask, '
            'training_K.json, training_xyz.json, evaluation/rgb, '
            'evaluation_K.json, evaluation_xyz.json) or RHD v1.1 '
            '({training,evaluation}/{color,mask,depth}, '
            'anno_{training,evaluation}.pickle), so that '
            'tools/convert_freihand.py and tools/convert_rhd.py read them '
            'unchanged. The output depends only on --seed, not on --workers.'),
        epilog=(
            'Label noise (training labels only; evaluation labels stay clean '
            'and the clean training labels are written as '
            'training_xyz_clean.json / anno_training_clean.pickle): none, or '
            'models joined by "+", applied left to right: gaussian:SIGMA_PX '
            '(independent N(0, SIGMA^2) pixels on u and v), outliers:FRACTION '
            '(that share of keypoints moved to a uniform point of the hand\'s '
            '1.2x keypoint box), offset:PX (one fixed direction per joint, '
            'PX pixels, for the whole data set), tipshort:FRACTION (fingertips '
            'labelled that share of their last bone short of the tip), '
            'swap:RATE (each pair of neighbouring fingers swapped in that share '
            'of the hands). FreiHAND xyz are lifted back '
            'to their clean depth. Example: --label-noise gaussian:2+'
            'outliers:0.05'))
    parser.add_argument('--format', required=True, choices=FORMATS,
                        help='raw layout to write')
    parser.add_argument('--num', required=True, type=int,
                        help='number of training samples (>= 1)')
    parser.add_argument('--out', required=True,
                        help='dataset root (created if missing)')
    parser.add_argument('--seed', type=int, default=0,
                        help='seed (>= 0, default: 0)')
    parser.add_argument('--num-eval', type=int, default=None,
                        help='number of evaluation samples (default: num // 4)')
    parser.add_argument('--versions', type=int, default=1,
                        help='FreiHAND only: colour versions per training '
                        'sample, 1-4; writes num * versions images, image i '
                        'showing sample i %% num (default: 1)')
    parser.add_argument('--label-noise', type=_label_noise, default='none',
                        metavar='MODEL', help='training-label noise, see '
                        'below (default: none)')
    parser.add_argument('--style', choices=tuple(STYLES), default='full',
                        help='scene style: full (any view, clutter, '
                        'occluders, camera degradations; default), clean '
                        '(palm or back towards the camera within 30 degrees, '
                        'plain gradient background, no occluders, no blur '
                        'or noise), photo (webcam-like: mostly upright '
                        'hands, palm or back within 50 degrees, forearm in '
                        'view, often a person beside the hand, photograph '
                        'or procedural backgrounds, skin texture, colour '
                        'temperature, white balance, webcam noise and blur, '
                        'hands partly out of the frame, held objects); '
                        'photo-varied (photo with more closed, turned and '
                        'side-on hands and a distinct back of the hand: the '
                        'default bundled model\'s) or photo-crossed '
                        '(photo-varied with two fingers crossed on every '
                        'hand that is not closed); see docs/synthetic_hands.md')
    parser.add_argument('--family', choices=FAMILIES, default='train',
                        help='appearance family (photo style only for '
                        'heldout and hard): heldout draws skin tones, light '
                        'colours, white balances, JPEG qualities, '
                        'photographs and procedural backgrounds that train '
                        'never uses; hard (validation and test data only: '
                        'render with --num-eval 0 and use the converted val '
                        'and test splits; refuses --label-noise and '
                        '--versions > 1) adds strong light, low contrast, '
                        'closed hands, side views and hands turned far from '
                        'upright to the heldout appearance (default: train)')
    parser.add_argument('--workers', type=int, default=1,
                        help='worker processes (default: 1)')
    parser.add_argument('--overwrite', action='store_true',
                        help='replace the files of an earlier run in --out')
    parser.add_argument('--quiet', action='store_true',
                        help='no progress bar on stderr')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    """Generate the data set; return the exit status."""
    args = parse_args(argv)
    try:
        stats = generate_dataset(
            args.out, args.format, args.num, seed=args.seed,
            num_eval=args.num_eval, versions=args.versions,
            label_noise=args.label_noise, workers=args.workers,
            overwrite=args.overwrite, progress=not args.quiet,
            style=args.style, family=args.family)
    except (ValueError, TypeError, FileExistsError, RuntimeError) as exc:
        print(f'error: {exc}', file=sys.stderr)
        return 2
    print(f'wrote {stats["training_images"]} training and '
          f'{stats["evaluation_images"]} evaluation images to {args.out} in '
          f'{stats["seconds"]:.1f} s ({stats["images_per_s"]:.0f} images/s)')
    return 0


if __name__ == '__main__':
    sys.exit(main())

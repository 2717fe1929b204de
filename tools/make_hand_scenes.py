#!/usr/bin/env python
"""Render synthetic hand scenes and write them as a COCO detection data set.

Thin command line over
:func:`mmpose_mlehand.synthetic.scene_dataset.generate_scene_dataset`.
"""
import argparse
import os
import sys

# Let `python tools/make_hand_scenes.py` work from a checkout that is not
# pip-installed.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from mmpose_mlehand.synthetic.hand_scenes import SCENE_LAYOUTS  # noqa: E402
from mmpose_mlehand.synthetic.scene_dataset import SPLIT_FAMILIES  # noqa: E402
from mmpose_mlehand.synthetic.scene_dataset import generate_scene_dataset  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        description=(
            'Render whole scenes (256x256 to 640x480 frames) with zero, one or '
            'two procedural hands on their arms, people, skin-coloured '
            'distractors, photograph or procedural backgrounds and webcam '
            'effects, and write them as COCO detection files (category hand; '
            'box = keypoint extent x1.2 clipped to the frame; 21 keypoints and '
            'hand_side per hand): images/<split>/%%06d.jpg and '
            'annotations/hand_scenes_<split>.json. train uses the training '
            'appearance family, val and test the held-out one, test_seen the '
            'test scenes with training-family appearances. The output depends '
            'only on --seed and the counts, not on --workers.'))
    parser.add_argument('--out', required=True, help='data root (created if missing)')
    for split, default in zip(SPLIT_FAMILIES, (8000, 500, 500, 500)):
        parser.add_argument(f'--num-{split.replace("_", "-")}', type=int,
                            default=default, dest=f'num_{split}',
                            help=f'scenes in {split} (default: {default})')
    parser.add_argument('--seed', type=int, default=0, help='seed (>= 0, default: 0)')
    parser.add_argument('--layout', choices=tuple(SCENE_LAYOUTS), default='default',
                        help='hand sizes and cuts by the frame: default (the shipped '
                        "detector's scenes) or close-up (more hands near the camera, up to "
                        'the whole frame, twice as many cut by its edge)')
    parser.add_argument('--workers', type=int, default=1,
                        help='worker processes (default: 1)')
    parser.add_argument('--overwrite', action='store_true',
                        help='replace the files of an earlier run in --out')
    parser.add_argument('--quiet', action='store_true', help='no progress bar on stderr')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    """Generate the scenes; return the exit status."""
    args = parse_args(argv)
    counts = {split: getattr(args, f'num_{split}') for split in SPLIT_FAMILIES}
    try:
        stats = generate_scene_dataset(args.out, counts, seed=args.seed,
                                       workers=args.workers, overwrite=args.overwrite,
                                       progress=not args.quiet, layout=args.layout)
    except (ValueError, FileExistsError, RuntimeError, OSError) as exc:
        print(f'error: {exc}', file=sys.stderr)
        return 2
    print(f'wrote {stats["images"]} scenes with {stats["hands"]} hands to {args.out} in '
          f'{stats["seconds"]:.1f} s ({stats["images_per_s"]:.1f} images/s)')
    return 0


if __name__ == '__main__':
    sys.exit(main())

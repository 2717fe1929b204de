#!/usr/bin/env python
"""Hand recall and PCK of the whole pipeline (detector + pose model) on annotated scenes.

The real-photo protocol on any COCO file with hand boxes and 21 keypoints
(e.g. the held-out scenes of tools/make_hand_scenes.py): MMPose's inferencer
with no box (end to end; each hand matched to the closest predicted instance,
a missed hand wrong in every keypoint) against the same pose model given the
annotated box, and the hand recall at IoU 0.5.

Example:
    python tools/evaluate_pipeline.py --ann data/hand_scenes/annotations/hand_scenes_test.json \\
        --images data/hand_scenes/images/test --json work_dirs/pipeline_test.json
    python tools/evaluate_pipeline.py ... --colour gray    # the same in grayscale

The JSON also keeps one record per hand (best IoU, in or reaching outside the
frame, size, PCK both ways); the recall is printed by group of those.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from mmpose_mlehand.analysis.colour_shifts import COLOUR_SHIFTS, colour_shift  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--ann', required=True, help='COCO file (boxes and 21 keypoints)')
    parser.add_argument('--images', required=True, help='folder of its images')
    parser.add_argument('--pose-model', default='mlehand-synthetic-hand',
                        help='bundled pose model name or a config path')
    parser.add_argument('--pose-weights', help='weights of a --pose-model config')
    parser.add_argument('--det-model', help="detector config (default: the pose model's "
                        'default, the bundled hand detector)')
    parser.add_argument('--det-weights', help='weights of --det-model')
    parser.add_argument('--thr', type=float, default=0.2, help='PCK threshold (default 0.2)')
    parser.add_argument('--colour', choices=['as-is', *COLOUR_SHIFTS],
                        default='as-is', help='colour shift applied to every image first (how '
                        'much the models lean on skin colour; default as-is)')
    parser.add_argument('--clip-boxes', action='store_true',
                        help='match detections against the annotated boxes clipped to the '
                        'image, as the scenes label them (default: as annotated)')
    parser.add_argument('--max-images', type=int, help='only the first images')
    parser.add_argument('--threads', type=int, default=2, help='torch threads (default 2)')
    parser.add_argument('--json', help='write the results here')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    import torch
    from mmpose.apis import MMPoseInferencer

    import mmpose_mlehand.plugin  # noqa: F401
    from mmpose_mlehand.analysis.pipeline_accuracy import evaluate_pipeline
    from mmpose_mlehand.utils import atomic_write_json
    torch.set_num_threads(args.threads)
    inferencer = MMPoseInferencer(pose2d=args.pose_model, pose2d_weights=args.pose_weights,
                                  det_model=args.det_model, det_weights=args.det_weights,
                                  device='cpu')

    def progress(done, total):
        if done % 50 == 0 or done == total:
            print(f'{done}/{total} images', flush=True)

    recolour = None if args.colour == 'as-is' else colour_shift(args.colour)
    result = evaluate_pipeline(inferencer, args.ann, args.images, args.thr, args.max_images,
                               progress, recolour, args.clip_boxes)
    result.update(ann=args.ann, clip_boxes=args.clip_boxes, pose_model=args.pose_model,
                  det_model=args.det_model, det_weights=args.det_weights, colour=args.colour,
                  threads=args.threads)
    for key, value in result.items():
        if key == 'recall_by_group':
            print('recall at IoU 0.5 by group:')
            for group, counts in value.items():
                print(f'  {group}: ' + ', '.join(
                    f'{k} {v:.3f}' if isinstance(v, float) else f'{k} {v}'
                    for k, v in counts.items()))
        elif key != 'per_hand':  # in the JSON only
            print(f'{key}: {value:.4f}' if isinstance(value, float) else f'{key}: {value}')
    if args.json:
        atomic_write_json(args.json, result, indent=2)
    return 0


if __name__ == '__main__':
    sys.exit(main())

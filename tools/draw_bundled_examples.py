#!/usr/bin/env python
"""Draw a bundled hand model's predictions on test images of a converted data set.

Runs ``MMPoseInferencer(pose2d=<bundled model>)`` (default: the default
bundled model) with each image's annotated hand box (x1, y1, x2, y2) and
writes the drawn images side by side. The README's picture::

    python tools/draw_bundled_examples.py \\
        work_dirs/bundled/mlehand-synthetic-hand/data/heldout \\
        docs/bundled_model_heldout_examples.png
"""
import argparse
import json
import os
import os.path as osp
import sys
import tempfile

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmpose_mlehand.bundled import DEFAULT_MODEL, POSE_MODELS  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('data_root', help='data set with annotations/freihand_test.json')
    parser.add_argument('out', help='output PNG')
    parser.add_argument('--num', type=int, default=4, help='images (default: 4)')
    parser.add_argument('--model', default=DEFAULT_MODEL, choices=sorted(POSE_MODELS),
                        help=f'bundled model (default: {DEFAULT_MODEL})')
    return parser.parse_args(argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    ann_file = osp.join(args.data_root, 'annotations', 'freihand_test.json')
    with open(ann_file, encoding='utf-8') as f:
        coco = json.load(f)
    files = {image['id']: image['file_name'] for image in coco['images']}
    annotations = coco['annotations'][:args.num]
    if not annotations:
        raise SystemExit(f'error: {ann_file} has no annotations')

    import cv2
    import numpy as np
    from mmpose.apis import MMPoseInferencer

    import mmpose_mlehand.plugin  # noqa: F401  (the short name; boxes honoured)
    from mmpose_mlehand.utils import atomic_write_bytes

    inferencer = MMPoseInferencer(pose2d=args.model, device='cpu')
    tiles = []
    with tempfile.TemporaryDirectory() as vis_dir:
        for ann in annotations:
            path = osp.join(args.data_root, files[ann['image_id']])
            x, y, w, h = ann['bbox']
            next(inferencer(path, bboxes=[[[x, y, x + w, y + h]]], vis_out_dir=vis_dir,
                            radius=3, thickness=2, draw_bbox=True))
            tiles.append(cv2.imread(osp.join(vis_dir, osp.basename(path))))
            os.remove(osp.join(vis_dir, osp.basename(path)))
    ok, encoded = cv2.imencode('.png', np.concatenate(tiles, axis=1))
    if not ok:
        raise RuntimeError(f'cannot encode {args.out}')
    atomic_write_bytes(args.out, encoded.tobytes())
    print(f'wrote {args.out}')


if __name__ == '__main__':
    main()

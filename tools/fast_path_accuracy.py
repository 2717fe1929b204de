"""Accuracy cost of the fast inference paths on annotated images.

Predicts every annotated hand of an MMPose (COCO-style) annotation file with
the eager fp32 graph (MMPose's numbers), the fast path in fp32 (folded
BatchNorm, channels-last), the fast path with bf16 autocast and, with --onnx,
ONNX Runtime; prints each path's EPE against the labels and its keypoint
differences to eager fp32 (mean, median, 99th percentile, max; image pixels).

Example:
    python tools/fast_path_accuracy.py \\
        configs/quickstart/mlehand_res18-half_synthetic-freihand-96x96.py \\
        work_dirs/quickstart/best.pth data/synthetic_freihand/annotations/freihand_test.json \\
        --img-root data/synthetic_freihand --onnx model.onnx
"""
import argparse
import json
import os.path as osp

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('ann_file', help='COCO-style annotation file (keypoints, bbox)')
    parser.add_argument('--img-root', default='', help='folder of the file names')
    parser.add_argument('--onnx', help='also ONNX Runtime with this export')
    parser.add_argument('--max-images', type=int, default=200)
    parser.add_argument('--whole-image', action='store_true',
                        help='use the whole image as the box (MMPose\'s FreiHAND protocol)')
    args = parser.parse_args()

    from mmpose_mlehand.apis.predictor import TopdownHandPredictor
    from mmpose_mlehand.utils import read_bgr
    predictors = {
        'eager fp32': TopdownHandPredictor(args.config, args.checkpoint),
        'fast fp32': TopdownHandPredictor(args.config, args.checkpoint, fast=True, bf16=False),
        'fast bf16': TopdownHandPredictor(args.config, args.checkpoint, fast=True, bf16=True),
    }
    if args.onnx:
        from mmpose_mlehand.deploy.onnx_predictor import OnnxHandPredictor
        predictors['onnx'] = OnnxHandPredictor(args.onnx)
    with open(args.ann_file) as f:
        coco = json.load(f)
    files = {img['id']: img['file_name'] for img in coco['images']}
    outputs = {name: [] for name in predictors}
    labels, visible = [], []
    for ann in coco['annotations'][:args.max_images]:
        image = read_bgr(osp.join(args.img_root, files[ann['image_id']]))
        x, y, w, h = ann['bbox']
        bboxes = None if args.whole_image else np.array([[x, y, x + w, y + h]], np.float32)
        kpts = np.asarray(ann['keypoints'], np.float64).reshape(-1, 3)
        labels.append(kpts[:, :2])
        visible.append(kpts[:, 2] > 0)
        for name, predictor in predictors.items():
            outputs[name].append(predictor(image, bboxes)[0][0])
    labels, visible = np.stack(labels), np.stack(visible)
    eager = np.stack(outputs['eager fp32'])
    print(f'{len(labels)} hands of {args.ann_file}; distances in image pixels')
    for name, kpts in outputs.items():
        kpts = np.stack(kpts)
        epe = np.linalg.norm(kpts - labels, axis=-1)[visible].mean()
        diff = np.linalg.norm(kpts - eager, axis=-1)
        print(f'{name:10s} EPE {epe:.3f} | vs eager fp32: mean {diff.mean():.4f} median '
              f'{np.median(diff):.4f} p99 {np.percentile(diff, 99):.4f} max {diff.max():.4f}')


if __name__ == '__main__':
    main()

"""Export a pose model's or a hand detector's network to ONNX and check it against PyTorch.

Pose models (MMPose configs): backbone, all stages, integral regression of the
last stage and its sigmas (no flow), flip test inside when the config has it;
a dynamic batch axis; outputs keypoints (N, K, 2, input pixels), scores
(N, K), sigmas (N, K, 2). The crop, normalisation and skeleton go into the
file's metadata for mmpose_mlehand/deploy/onnx_predictor.py (numpy, OpenCV,
ONNX Runtime).

Hand detectors (mmdet configs, told apart by their bbox_head): backbone, neck
and the head's forward on one fixed-size input (the test pipeline's Resize and
Pad size); raw outputs per prior, cls_logits (1, A, C) and bbox_dists (1, A, 4,
input pixels). The test pipeline, normalisation and test_cfg go into the
metadata for mmpose_mlehand/deploy/onnx_detector.py, which runs mmdet's
resize, padding, decoding and NMS in numpy.

Examples:
    python tools/export_onnx.py configs/mlehand_res50_freihand.py best.pth --out model.onnx
    python tools/export_onnx.py CONFIG --out model.onnx        # random weights, to try it
    python tools/export_onnx.py mmpose_mlehand/bundled/rtmdet-nano_synthetic-scenes-320x320.py \\
        mmpose_mlehand/bundled/rtmdet-nano_synthetic-scenes-320x320.pth --out detector.onnx
    python tools/export_onnx.py configs/detection/rtmdet-nano_synthetic-scenes-320x320.py \\
        --out detector.onnx --cfg-options model.test_cfg.score_thr=0.3
"""
import argparse
import os.path as osp

from mmengine.config import Config, DictAction

from mmpose_mlehand.deploy.export import OPSET, compare_with_pytorch, export_onnx, load_model


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', help='MMPose pose model or mmdet detector config')
    parser.add_argument('checkpoint', nargs='?', help='checkpoint (default: random weights)')
    parser.add_argument('--out', required=True, help='ONNX file to write')
    flip = parser.add_mutually_exclusive_group()
    flip.add_argument('--flip-test', dest='flip_test', action='store_true', default=None,
                      help='put flip test in the graph (default: as the config says; pose '
                      'models only)')
    flip.add_argument('--no-flip-test', dest='flip_test', action='store_false')
    parser.add_argument('--opset', type=int, default=OPSET)
    parser.add_argument('--check-batches', type=int, nargs='+', default=[1, 3],
                        help='batch sizes of the random inputs of the check (default: 1 3; '
                        'a detector takes batch 1: one random image per value)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='config overrides, key=value')
    return parser.parse_args()


def export_detector(args: argparse.Namespace, cfg: Config) -> None:
    """The detector branch: export, then compare the raw outputs."""
    from mmpose_mlehand.deploy.export_detector import (compare_detector_with_pytorch,
                                                       export_detector_onnx, load_detector)
    if args.flip_test is not None:
        raise SystemExit('--flip-test / --no-flip-test apply to pose models, not detectors')
    model = load_detector(cfg, args.checkpoint)
    meta = export_detector_onnx(model, args.out, opset=args.opset)
    size_mb = osp.getsize(args.out) / 2**20
    test_cfg = meta['test_cfg']
    print(f'wrote {args.out} ({size_mb:.1f} MB, opset {args.opset}, detector input '
          f'{meta["input_size"][0]}x{meta["input_size"][1]}, strides '
          f'{[s[0] for s in meta["strides"]]}, classes {meta["classes"]}, score_thr '
          f'{test_cfg["score_thr"]}, outputs {meta["outputs"]})')
    worst = compare_detector_with_pytorch(model, args.out, num_inputs=len(args.check_batches))
    print(f'ONNX Runtime vs PyTorch on {len(args.check_batches)} random image(s): largest '
          'difference ' + ', '.join(f'{name} {worst[name]:.3g}' for name in meta['outputs']) +
          ' (largest values ' + ', '.join(f'{name} {worst[name + "_max_abs"]:.3g}'
                                          for name in meta['outputs']) + ')')


def main() -> None:
    args = parse_args()
    if args.checkpoint is None:
        print('no checkpoint: exporting random weights')
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    from mmpose_mlehand.deploy.export_detector import is_detector_config
    if is_detector_config(cfg):
        export_detector(args, cfg)
        return
    model = load_model(cfg, args.checkpoint, 'cpu')
    meta = export_onnx(model, args.out, flip_test=args.flip_test, opset=args.opset)
    size_mb = osp.getsize(args.out) / 2**20
    print(f'wrote {args.out} ({size_mb:.1f} MB, opset {args.opset}, input '
          f'{meta["input_size"][0]}x{meta["input_size"][1]}, flip test '
          f'{"in the graph" if meta["flip_test"] else "off"}, outputs {meta["outputs"]})')
    worst = compare_with_pytorch(model, args.out, args.check_batches, flip_test=args.flip_test)
    batches = ' and '.join(str(b) for b in args.check_batches)
    print(f'ONNX Runtime vs PyTorch on random inputs, batch {batches}: largest difference ' +
          ', '.join(f'{name} {value:.3g}' + (' px' if name == 'keypoints' else '')
                    for name, value in worst.items()))


if __name__ == '__main__':
    main()

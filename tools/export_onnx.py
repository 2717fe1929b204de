"""Export a model's inference graph to ONNX and check it against PyTorch.

The graph: backbone, all stages, integral regression of the last stage and its
sigmas (no flow), flip test inside when the config has it; a dynamic batch
axis; outputs keypoints (N, K, 2, input pixels), scores (N, K), sigmas
(N, K, 2). The crop, normalisation and skeleton go into the file's metadata
for mmpose_mlehand/deploy/onnx_predictor.py (numpy, OpenCV, ONNX Runtime).

Examples:
    python tools/export_onnx.py configs/mlehand_res50_freihand.py best.pth --out model.onnx
    python tools/export_onnx.py CONFIG --out model.onnx        # random weights, to try it
"""
import argparse
import os.path as osp

from mmengine.config import DictAction

from mmpose_mlehand.deploy.export import OPSET, compare_with_pytorch, export_onnx, load_model


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config')
    parser.add_argument('checkpoint', nargs='?', help='checkpoint (default: random weights)')
    parser.add_argument('--out', required=True, help='ONNX file to write')
    flip = parser.add_mutually_exclusive_group()
    flip.add_argument('--flip-test', dest='flip_test', action='store_true', default=None,
                      help='put flip test in the graph (default: as the config says)')
    flip.add_argument('--no-flip-test', dest='flip_test', action='store_false')
    parser.add_argument('--opset', type=int, default=OPSET)
    parser.add_argument('--check-batches', type=int, nargs='+', default=[1, 3],
                        help='batch sizes of the random inputs of the check (default: 1 3)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='config overrides, key=value')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if args.checkpoint is None:
        print('no checkpoint: exporting random weights')
    model = load_model(args.config, args.checkpoint, 'cpu', args.cfg_options)
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

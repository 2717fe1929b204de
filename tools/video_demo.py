"""Follow a hand through a video (or a camera) and write the video with its skeleton.

The first frame is cropped with --bbox, or the whole frame; every later frame
around the previous frame's keypoints. When the mean keypoint score (1 - sigma)
drops (below --reinit-score, or more than --reinit-drop below its running
average), the next frame starts again from the first box.
Frames per second are printed (prediction alone and end to end).

Examples:
    # PyTorch, fast path (folded BatchNorm, channels-last, bf16 where the CPU has it)
    python tools/video_demo.py hand.mp4 --config configs/mlehand_res50_freihand.py \\
        --checkpoint best.pth --fast --out vis.mp4
    # ONNX Runtime, no torch needed at run time
    python tools/video_demo.py hand.mp4 --onnx model.onnx --out vis.mp4 --bbox 100 80 400 380
    # camera 0, shown in a window
    python tools/video_demo.py 0 --onnx model.onnx --show
"""
import argparse
import json


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('source', help='video file, or camera index (e.g. 0)')
    model = parser.add_mutually_exclusive_group(required=True)
    model.add_argument('--onnx', help='ONNX file from tools/export_onnx.py')
    model.add_argument('--config', help='model config (PyTorch)')
    parser.add_argument('--checkpoint', help='checkpoint of --config')
    parser.add_argument('--fast', action='store_true', help='PyTorch fast path')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--out', help='output video (.mp4, .avi, .mkv, .mov)')
    parser.add_argument('--bbox', type=float, nargs=4, metavar=('X1', 'Y1', 'X2', 'Y2'),
                        help='hand box in the first frame (default: the whole frame)')
    parser.add_argument('--reinit-score', type=float, default=0.5,
                        help='re-initialise below this mean keypoint score (default 0.5)')
    parser.add_argument('--reinit-drop', type=float, default=0.1,
                        help='re-initialise when the mean keypoint score falls this much '
                        'below its running average (default 0.1)')
    parser.add_argument('--box-scale', type=float, default=2.0,
                        help='tracking box side / keypoint extent (default 2.0)')
    parser.add_argument('--score-thr', type=float, default=0.0,
                        help='do not draw keypoints scoring below this')
    parser.add_argument('--max-frames', type=int)
    parser.add_argument('--threads', type=int, help='CPU threads of the model')
    parser.add_argument('--show', action='store_true', help='show the frames in a window')
    parser.add_argument('--out-json', help='write per-frame keypoints, scores and boxes')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if args.onnx:
        from mmpose_mlehand.deploy.onnx_predictor import OnnxHandPredictor
        predictor = OnnxHandPredictor(args.onnx, num_threads=args.threads)
    else:
        import torch

        from mmpose_mlehand.apis.predictor import TopdownHandPredictor
        if args.threads:
            torch.set_num_threads(args.threads)
        predictor = TopdownHandPredictor(args.config, args.checkpoint, args.device,
                                         fast=args.fast)
    from mmpose_mlehand.apis.tracking import run_video
    summary = run_video(predictor, args.source, args.out, predictor.meta, init_bbox=args.bbox,
                        reinit_score=args.reinit_score, reinit_drop=args.reinit_drop,
                        box_scale=args.box_scale,
                        max_frames=args.max_frames, score_thr=args.score_thr, show=args.show)
    if args.out_json:
        with open(args.out_json, 'w') as f:
            json.dump({k: (v.tolist() if hasattr(v, 'tolist') else v)
                       for k, v in summary.items()}, f)


if __name__ == '__main__':
    main()

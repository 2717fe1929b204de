"""Follow hands through a video (or a camera) and write the video with their skeletons.

Without --bbox, a hand detector (the bundled one unless --det-config or
--det-onnx says otherwise) finds up to --max-hands hands, and each is followed
by its keypoints from frame to frame; the detector runs again every
--redetect-every frames (to find new hands and to confirm the tracked ones:
a hand it no longer sees is dropped) and after a hand is lost (its mean
keypoint score below --min-score, or keypoints not finite). Where the detector
keeps no box and no hand is tracked, the pose model's prediction on the whole
frame starts a track if its mean keypoint score reaches --whole-image-thr (by
default the bundled pose model's own, as MMPose's inferencer with the plugin
uses it), and a hand no detection confirms is kept while its score reaches it.
With --bbox (or --no-detector), one hand is followed from that box (or the
whole frame); when the mean keypoint score (1 - sigma) drops (below
--reinit-score, or more than --reinit-drop below its running average), the
next frame starts again from the first box.
Frames per second are printed (prediction alone and end to end).

Examples:
    # the bundled pose model and hand detector (PyTorch), up to two hands
    python tools/video_demo.py hand.mp4 --out vis.mp4
    # all ONNX Runtime (tools/export_onnx.py exports both models)
    python tools/video_demo.py 0 --onnx pose.onnx --det-onnx detector.onnx --show
    # PyTorch, fast path (folded BatchNorm, channels-last, bf16 where the CPU has it)
    python tools/video_demo.py hand.mp4 --config configs/mlehand_res50_freihand.py \\
        --checkpoint best.pth --fast --out vis.mp4
    # ONNX Runtime, no torch needed at run time
    python tools/video_demo.py hand.mp4 --onnx model.onnx --out vis.mp4 --bbox 100 80 400 380
    # camera 0, shown in a window
    python tools/video_demo.py 0 --onnx model.onnx --show
"""
import argparse
from typing import Optional, Union


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('source', help='video file, or camera index (e.g. 0)')
    model = parser.add_mutually_exclusive_group()
    model.add_argument('--model', default=None,
                       help='bundled pose model name (default: mlehand-synthetic-hand)')
    model.add_argument('--onnx', help='ONNX file from tools/export_onnx.py')
    model.add_argument('--config', help='model config (PyTorch)')
    parser.add_argument('--checkpoint', help='checkpoint of --config')
    parser.add_argument('--fast', action='store_true', help='PyTorch fast path')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--out', help='output video (.mp4, .avi, .mkv, .mov)')
    parser.add_argument('--bbox', type=float, nargs=4, metavar=('X1', 'Y1', 'X2', 'Y2'),
                        help='follow one hand from this box in the first frame (no detector)')
    detector = parser.add_mutually_exclusive_group()
    detector.add_argument('--det-config', help='mmdet detector config (default: the bundled '
                          'hand detector)')
    detector.add_argument('--det-onnx', help='detector ONNX file from tools/export_onnx.py')
    detector.add_argument('--no-detector', action='store_true',
                          help='no detector: one hand from --bbox or the whole frame')
    parser.add_argument('--det-checkpoint', help='weights of --det-config')
    parser.add_argument('--max-hands', type=int, default=2,
                        help='most hands followed at once (default 2)')
    parser.add_argument('--det-score-thr', type=float, default=None,
                        help="detections kept above this (default: the bundled detector's "
                        'hand_score_thr when no --det-config/--det-onnx is given, else 0.3)')
    parser.add_argument('--det-fallback-thr', type=float, default=None,
                        help='when none passes --det-score-thr, the best detection above '
                        "this (default: the bundled detector's hand_fallback_thr when no "
                        '--det-config/--det-onnx is given, else none)')
    parser.add_argument('--redetect-every', type=int, default=10,
                        help='frames between detector runs while hands are tracked '
                        '(default 10)')
    parser.add_argument('--min-score', type=float, default=0.2,
                        help='with a detector: drop a hand whose mean keypoint score falls '
                        'below this (default 0.2)')
    parser.add_argument('--reinit-score', type=float, default=0.5,
                        help='without a detector: re-initialise below this mean keypoint '
                        'score (default 0.5)')
    parser.add_argument('--reinit-drop', type=float, default=0.1,
                        help='without a detector: re-initialise when the mean keypoint '
                        'score falls this much below its running average (default 0.1)')
    parser.add_argument('--whole-image-thr', type=whole_image_thr_arg, default=None,
                        help='with a detector: mean keypoint score at which the whole-frame '
                        "prediction starts a track (default: the pose model config's "
                        'hand_whole_image_thr, none for --onnx; "off": none)')
    parser.add_argument('--box-scale', type=float, default=None,
                        help='tracking box side / keypoint extent (default 1.5 with a '
                        'detector, 2.0 without)')
    parser.add_argument('--score-thr', type=float, default=0.0,
                        help='do not draw keypoints scoring below this')
    parser.add_argument('--max-frames', type=int)
    parser.add_argument('--threads', type=int, help='CPU threads of the model')
    parser.add_argument('--show', action='store_true', help='show the frames in a window')
    parser.add_argument('--out-json', help='write per-frame keypoints, scores and boxes')
    return parser.parse_args()


def whole_image_thr_arg(value: str) -> Union[float, str]:
    """``--whole-image-thr``: a score in [0, 1], or ``off``."""
    if value == 'off':
        return value
    try:
        thr = float(value)
    except ValueError:
        thr = float('nan')
    if not 0 <= thr <= 1:
        raise argparse.ArgumentTypeError(f'expected a score in [0, 1] or "off", got {value!r}')
    return thr


def whole_image_threshold(args: argparse.Namespace, predictor) -> Optional[float]:
    """The tracker's whole-image threshold: as given (``off``: none), else
    ``hand_whole_image_thr`` of the predictor's pose config (the bundled
    model's or --config's); none for an ONNX model, which carries no config."""
    if args.whole_image_thr is not None:
        return None if args.whole_image_thr == 'off' else args.whole_image_thr
    cfg = getattr(getattr(predictor, 'model', None), 'cfg', None)
    return None if cfg is None else cfg.get('hand_whole_image_thr')


def uses_detector(args: argparse.Namespace) -> bool:
    """Whether hands are found by a detector (no --bbox, no --no-detector)."""
    return args.bbox is None and not args.no_detector


def build_predictor(args: argparse.Namespace):
    """The pose predictor: ONNX Runtime, a config, or a bundled model."""
    if args.onnx:
        from mmpose_mlehand.deploy.onnx_predictor import OnnxHandPredictor

        # With a detector, two sessions take turns: no spinning threads (see the class).
        return OnnxHandPredictor(args.onnx, num_threads=args.threads,
                                 allow_spinning=not uses_detector(args))
    import torch

    from mmpose_mlehand.apis.predictor import TopdownHandPredictor
    if args.threads:
        torch.set_num_threads(args.threads)
    config, checkpoint = args.config, args.checkpoint
    if config is None:
        from mmpose_mlehand.bundled import DEFAULT_MODEL, bundled_model_files
        config, checkpoint = bundled_model_files(args.model or DEFAULT_MODEL)
    return TopdownHandPredictor(config, checkpoint, args.device, fast=args.fast)


def build_detector(args: argparse.Namespace):
    """The hand detector, or None (--bbox or --no-detector)."""
    if not uses_detector(args):
        return None
    if args.det_onnx:
        from mmpose_mlehand.deploy.onnx_detector import OnnxHandDetector
        return OnnxHandDetector(args.det_onnx, num_threads=args.threads, allow_spinning=False)
    from mmpose_mlehand.apis.detector import MMDetHandDetector
    return MMDetHandDetector(args.det_config, args.det_checkpoint, args.device)


def detection_thresholds(args: argparse.Namespace) -> dict:
    """The tracker's detection thresholds: as given, else the bundled
    detector's own when it is the one used (MMPose's 0.3 and no fallback
    for other detectors)."""
    from mmpose_mlehand.apis.detector import MMPOSE_BBOX_THR, hand_thresholds
    score_thr, fallback_thr = MMPOSE_BBOX_THR, None
    if args.det_config is None and args.det_onnx is None:
        from mmpose_mlehand.bundled import DEFAULT_DETECTOR, bundled_model_files
        own_thr, fallback_thr = hand_thresholds(bundled_model_files(DEFAULT_DETECTOR)[0])
        score_thr = MMPOSE_BBOX_THR if own_thr is None else own_thr
    if args.det_score_thr is not None:
        score_thr = args.det_score_thr
    if args.det_fallback_thr is not None:
        fallback_thr = args.det_fallback_thr
    return dict(det_score_thr=score_thr, det_fallback_thr=fallback_thr)


def to_json(value):
    """Arrays to lists, recursively (the per-frame hands are nested)."""
    if hasattr(value, 'tolist'):
        return value.tolist()
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    return value


def main() -> None:
    args = parse_args()
    predictor = build_predictor(args)
    detector = build_detector(args)
    from mmpose_mlehand.apis.tracking import run_video
    from mmpose_mlehand.utils import atomic_write_json
    summary = run_video(predictor, args.source, args.out, predictor.meta, init_bbox=args.bbox,
                        reinit_score=args.reinit_score, reinit_drop=args.reinit_drop,
                        box_scale=args.box_scale,
                        max_frames=args.max_frames, score_thr=args.score_thr, show=args.show,
                        detector=detector, max_hands=args.max_hands,
                        tracker_options=dict(redetect_every=args.redetect_every,
                                             min_score=args.min_score,
                                             whole_image_thr=whole_image_threshold(args, predictor),
                                             **detection_thresholds(args)))
    if args.out_json:
        atomic_write_json(args.out_json, to_json(summary))


if __name__ == '__main__':
    main()

"""Speed of the whole per-frame pipeline (hand detector + pose model) against MediaPipe Hands.

At batch 1 on one generated image with one hand: the detector, then the pose
model on the best detected box (the true box when none is detected), on three
paths: eager (mmdet + eager PyTorch pose), fast (mmdet + the pose model's fast
path) and onnx (both exported to ONNX Runtime). Reports median ms per frame
of the detector alone, the pose model alone and the whole frame; the fastest
path; its ratio to MediaPipe Hands' 17 ms (lite) and 22 ms (full) per frame
on this 2-core CPU (from the project's issue 21). Without the bundled
detector's weights the detector recipe runs with random weights (the JSON
says detector_weights: "random"). See
mmpose_mlehand/analysis/benchmark_pipeline.py.

Examples:
    python tools/benchmark_pipeline.py --json work_dirs/pipeline.json
    python tools/benchmark_pipeline.py --quick --json /tmp/quick.json     # few repeats
    python tools/benchmark_pipeline.py --pose-model mlehand-synthetic-hand-small
    python tools/benchmark_pipeline.py --det-config DET.py --det-checkpoint DET.pth
"""
import argparse

from mmpose_mlehand.analysis.benchmark_pipeline import (DEFAULT_POSE_MODEL, FULL_SETTINGS, PATHS,
                                                        QUICK_SETTINGS, run_pipeline_benchmark,
                                                        summary_lines)
from mmpose_mlehand.utils import atomic_write_json


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--json', help='write every figure to this JSON file')
    parser.add_argument('--threads', type=int, default=2,
                        help='torch, ONNX Runtime and OpenCV threads (default 2)')
    parser.add_argument('--quick', action='store_true',
                        help=f'few repeats ({QUICK_SETTINGS}), for tests')
    pose = parser.add_mutually_exclusive_group()
    pose.add_argument('--pose-model', default=DEFAULT_POSE_MODEL,
                      help=f'bundled pose model (default: {DEFAULT_POSE_MODEL})')
    pose.add_argument('--pose-config', help='pose model config instead of a bundled model')
    parser.add_argument('--pose-checkpoint', help='weights of --pose-config')
    parser.add_argument('--det-config', help='mmdet detector config (default: the bundled '
                        'detector; its recipe with random weights while it is missing)')
    parser.add_argument('--det-checkpoint', help='weights of --det-config')
    parser.add_argument('--paths', nargs='+', choices=PATHS, default=list(PATHS))
    parser.add_argument('--repeats', type=int,
                        help=f'timed calls, median reported (default {FULL_SETTINGS["repeats"]}, '
                        f'{QUICK_SETTINGS["repeats"]} with --quick)')
    parser.add_argument('--warmup', type=int,
                        help=f'warm-up calls (default {FULL_SETTINGS["warmup"]}, '
                        f'{QUICK_SETTINGS["warmup"]} with --quick)')
    parser.add_argument('--scene-seed', type=int, default=0,
                        help='seed of the generated scenes searched for one hand (default 0)')
    args = parser.parse_args()
    if args.pose_checkpoint and not args.pose_config:
        parser.error('--pose-checkpoint needs --pose-config')
    if args.det_checkpoint and not args.det_config:
        parser.error('--det-checkpoint needs --det-config')
    return args


def main() -> None:
    args = parse_args()
    settings = {k: getattr(args, k) for k in FULL_SETTINGS if getattr(args, k) is not None}
    results = run_pipeline_benchmark(
        pose_model=args.pose_model, pose_config=args.pose_config,
        pose_checkpoint=args.pose_checkpoint, det_config=args.det_config,
        det_checkpoint=args.det_checkpoint, threads=args.threads, quick=args.quick,
        paths=args.paths, settings=settings, scene_seed=args.scene_seed)
    machine = results['machine']
    print(f"\n{machine['cpu']}, {args.threads} thread(s), native bf16: "
          f"{machine['bf16_native']}; detector weights: {results['detector_weights']}; image "
          f"{results['image']['width']}x{results['image']['height']}, one hand\n")
    print('\n'.join(summary_lines(results)))
    load = results['load_average_after']
    if load and load[0] > args.threads:
        print(f'note: load average {load[0]:.1f} above {args.threads} thread(s): other '
              'processes shared the cores, so these times are too high')
    if args.json:
        atomic_write_json(args.json, results, indent=2)
        print(f'wrote {args.json}')


if __name__ == '__main__':
    main()

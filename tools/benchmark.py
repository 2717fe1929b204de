"""Speed and memory of the method against MMPose's heatmap ResNet-50, measured in one run.

Inference (batch-1 latency, batch-32 throughput) in eager PyTorch, on the fast
path and in ONNX Runtime, with flip test on and off; one training step at
batch 8 (and, where bf16 is native, the method's under bf16 autocast); peak
memory; every time as a ratio to the heatmap baseline on the same path (like
for like) and to the eager baseline. Times are medians after warm-up. See
mmpose_mlehand/analysis/benchmark_model.py.

Examples:
    python tools/benchmark.py --json work_dirs/benchmark.json        # the README figures
    python tools/benchmark.py --quick --json /tmp/quick.json         # small models, for tests
    python tools/benchmark.py --checkpoint work_dirs/.../best.pth    # fast-path accuracy on it
"""
import argparse

import torch

from mmpose_mlehand.analysis.benchmark_model import (BASELINE, FULL_SETTINGS, METHOD, PATHS,
                                                     QUICK_SETTINGS, run_benchmark, summary_rows)
from mmpose_mlehand.utils import atomic_write_json


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--method', default=METHOD, help=f'method config (default: {METHOD})')
    parser.add_argument('--baseline', default=BASELINE,
                        help=f'heatmap baseline config (default: {BASELINE})')
    parser.add_argument('--quick', action='store_true',
                        help='small models (half-width ResNet-18, 96x96) and tiny batches')
    parser.add_argument('--json', help='write every figure to this JSON file')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--threads', type=int, help='torch (and ONNX Runtime) CPU threads')
    parser.add_argument('--checkpoint', help='trained weights of the method')
    parser.add_argument('--flip', choices=('both', 'on', 'off'), default='both',
                        help='flip test settings to measure (default: both)')
    parser.add_argument('--paths', nargs='+', choices=PATHS, default=list(PATHS))
    parser.add_argument('--input-size', type=int, nargs=2, metavar=('W', 'H'),
                        help='input size of both models (default: the configs\')')
    parser.add_argument('--no-train', action='store_true', help='skip the training step')
    parser.add_argument('--train-bf16', choices=('auto', 'on', 'off'), default='auto',
                        help="also time the method's training step under bf16 autocast "
                        '(BF16AutocastOptimWrapper); auto: where bf16 is native (default)')
    parser.add_argument('--compile', action='store_true', help='torch.compile the fast path')
    for key in FULL_SETTINGS:
        parser.add_argument('--' + key.replace('_', '-'), type=int,
                            help=f'default {FULL_SETTINGS[key]} ({QUICK_SETTINGS[key]} '
                            'with --quick)')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    from mmengine.config import Config
    settings = {k: getattr(args, k) for k in FULL_SETTINGS if getattr(args, k) is not None}
    flips = dict(both=(True, False), on=(True, ), off=(False, ))[args.flip]
    method = None if args.quick and args.method == METHOD else Config.fromfile(args.method)
    baseline = None if args.quick and args.baseline == BASELINE else Config.fromfile(
        args.baseline)
    results = run_benchmark(method, baseline, device=args.device, quick=args.quick,
                            checkpoint=args.checkpoint, flips=flips, paths=args.paths,
                            settings=settings,
                            input_size=tuple(args.input_size) if args.input_size else None,
                            train=not args.no_train, compile=args.compile,
                            train_bf16=dict(auto=None, on=True, off=False)[args.train_bf16])
    machine = results['machine']
    print(f"\n{machine['cpu']}, {machine['logical_cores']} logical cores, torch "
          f"{machine['torch']} with {machine['torch_threads']} threads, onnxruntime "
          f"{machine['onnxruntime']}, native bf16: {machine['bf16_native']}; input "
          f"{results['settings']['input_size']}; times in s, ratios (x) to the heatmap "
          'baseline with the same flip setting: on the same path, and eager\n')
    print('\n'.join(summary_rows(results)))
    flip = 'on' if results['ratio_fastest_bs1_flip_test'] else 'off'
    if 'ratio_fastest_bs1_vs_heatmap_fastest' in results:
        print(f"\nratio_fastest_bs1_vs_heatmap_fastest = "
              f"{results['ratio_fastest_bs1_vs_heatmap_fastest']:.3f} "
              f"(method {results['fastest_bs1_path']}, heatmap "
              f"{results['heatmap_fastest_bs1_path']}, flip test {flip} for both)")
    if 'ratio_fastest_bs1_vs_heatmap_eager' in results:
        print(f"ratio_fastest_bs1_vs_heatmap_eager = "
              f"{results['ratio_fastest_bs1_vs_heatmap_eager']:.3f} "
              f"(method {results['fastest_bs1_path']}, heatmap eager, flip test {flip} "
              'for both)')
    if 'ratio_train_step_vs_heatmap' in results:
        others = ', '.join(f"{mode} {results['ratio_train_step_vs_heatmap_' + mode]:.3f}"
                           for mode in ('as_configured', 'bf16')
                           if 'ratio_train_step_vs_heatmap_' + mode in results)
        print(f"ratio_train_step_vs_heatmap = {results['ratio_train_step_vs_heatmap']:.3f} "
              f"({results['fastest_train_step']}; {others}); forward multiply-adds "
              f"{results['ratios']['method.forward_gmacs']:.2f}x")
    if args.json:
        atomic_write_json(args.json, results, indent=2)
        print(f'wrote {args.json}')


if __name__ == '__main__':
    main()

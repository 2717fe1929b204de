"""Compare model size and speed with the MMPose baseline, measured in the same run.

Example (CPU, 2 threads):
    python tools/benchmark.py
    python tools/benchmark.py --device cuda --train-batch 32
"""
import argparse

import torch

from mmpose_mlehand.analysis.benchmark_model import benchmark_config, ratio_table

METHOD = 'configs/mlehand_res50_freihand.py'
BASELINE = 'configs/baselines/heatmap-l2_res50_freihand-256x256.py'


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--configs', nargs='+', default=[METHOD],
                        help=f'configs to measure (default: {METHOD})')
    parser.add_argument('--baseline', default=BASELINE,
                        help=f'reference config, MMPose modules only (default: {BASELINE})')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--threads', type=int, default=None, help='torch CPU threads')
    parser.add_argument('--infer-batch', type=int, default=1)
    parser.add_argument('--train-batch', type=int, default=8)
    parser.add_argument('--repeats', type=int, default=5)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)

    results = {}
    for config in [args.baseline] + args.configs:
        print(f'measuring {config} ...', flush=True)
        results[config] = benchmark_config(config, args.device, args.infer_batch,
                                           args.train_batch, args.repeats)
    print(f'\ndevice {args.device}, torch threads {torch.get_num_threads()}, '
          f'inference batch {args.infer_batch}, train batch {args.train_batch}')
    print('\n'.join(ratio_table(results, args.baseline)))


if __name__ == '__main__':
    main()

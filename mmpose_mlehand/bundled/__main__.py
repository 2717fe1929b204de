"""List the bundled models, or print one's config and weights paths (for MMPose's demos).

    python -m mmpose_mlehand.bundled                  # every model: one line (name, size,
                                                      # use, measured accuracy), then its paths
    python -m mmpose_mlehand.bundled config           # the config of the default model
    python -m mmpose_mlehand.bundled weights --name mlehand-synthetic-hand

    python demo/image_demo.py photo.jpg \\
        $(python -m mmpose_mlehand.bundled config) \\
        $(python -m mmpose_mlehand.bundled weights)
"""
import argparse
import json
import os.path as osp
import sys
from typing import List, Optional

from . import BUNDLED_MODELS, DEFAULT_MODEL, BundledModel, bundled_model_files

# The provenance figures of each kind of model shown in the listing: (metrics
# section, key, label).
_LISTED_METRICS = {
    'pose': (('heldout', 'PCK@0.2', 'PCK@0.2'), ('heldout', 'frame-PCK@0.2', 'frame-PCK@0.2')),
    'detector': (('test', 'coco/bbox_mAP_50', 'AP50'),
                 ('test', 'hand/recall@0.5', 'recall@IoU0.5')),
}


def describe(model: BundledModel) -> str:
    """One line: name, weights size, what it is for and its measured accuracy
    (held-out synthetic data, from its provenance file)."""
    if not osp.isfile(model.weights):
        return f'{model.name}: not built yet ({model.purpose})'
    size = f'{osp.getsize(model.weights) / 2**20:.1f} MiB'
    accuracy = 'no provenance file'
    if osp.isfile(model.provenance):
        with open(model.provenance, encoding='utf-8') as f:
            metrics = json.load(f).get('metrics', {})
        figures = [f'{label} {metrics[part][key]:.3f}'
                   for part, key, label in _LISTED_METRICS[model.kind]
                   if key in metrics.get(part, {})]
        accuracy = ', '.join(figures) + ' on held-out synthetic data'
    return f'{model.name}: {size}, {model.purpose}; {accuracy}'


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog='python -m mmpose_mlehand.bundled',
                                     description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('what', nargs='?', choices=('config', 'weights'),
                        help='print only this path of one model')
    parser.add_argument('--name', default=DEFAULT_MODEL,
                        help=f'bundled model (default: {DEFAULT_MODEL})')
    args = parser.parse_args(argv)
    try:
        if args.what is None:
            for model in BUNDLED_MODELS.values():
                print(f'{describe(model)}\n  config:  {model.config}\n'
                      f'  weights: {model.weights}')
            return 0
        config, weights = bundled_model_files(args.name)
    except (KeyError, FileNotFoundError) as exc:
        print(f'error: {exc}', file=sys.stderr)
        return 1
    print(config if args.what == 'config' else weights)
    return 0


if __name__ == '__main__':
    sys.exit(main())

"""Print a bundled model's config and weights paths (for MMPose's demo scripts).

    python -m mmpose_mlehand.bundled                  # every model: name, config, weights
    python -m mmpose_mlehand.bundled config           # the config of the default model
    python -m mmpose_mlehand.bundled weights --name mlehand-synthetic-hand

    python demo/image_demo.py photo.jpg \\
        $(python -m mmpose_mlehand.bundled config) \\
        $(python -m mmpose_mlehand.bundled weights)
"""
import argparse
import sys
from typing import List, Optional

from . import BUNDLED_MODELS, DEFAULT_MODEL, bundled_model_files


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
            for name, model in BUNDLED_MODELS.items():
                print(f'{name}: {model.summary}\n  config:  {model.config}\n'
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

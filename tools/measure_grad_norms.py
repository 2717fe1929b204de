"""Gradient norms of the quick-start model with clean and with noisy labels.

The measurement behind the method's gradient clipping (docs/measurements.md,
"Gradient norms and clipping"):

1. ``tools/make_synthetic_hands.py`` renders ``--num`` hands in the FreiHAND
   layout (``--style clean``) with training-label noise ``--label-noise``
   (default: 2 px Gaussian plus 10 % gross outliers); the generator also
   writes the clean training labels, so a second data set with the same
   images and split but clean labels is made from the same render;
2. ``tools/convert_freihand.py`` converts both (val/test labels are clean);
3. the quick-start config trains on each for its schedule (3 epochs) with
   clipping at ``--max-norm`` (default: none, i.e. infinity, which only
   measures), and the global L2 norm of the gradient before clipping is
   recorded at every iteration (MMEngine's ``train/grad_norm``).

Prints percentiles per run and writes every value to ``grad_norms.json`` in
``--work-dir``.

``--probe CHECKPOINT`` measures instead what one gross outlier label does to
a trained model: for ``--probe-batches`` training batches of the clean data, the
gradient norm with the clean labels, then with one visible keypoint of one
sample moved to a uniform point of the crop (no optimizer step; written to
``probe.json``). Together with the predicted sigmas, this is the case a rate
of outliers does not show: a model made confident by clean labels meets a
rare gross error.
"""
import argparse
import json
import os
import os.path as osp
import shutil
import subprocess
import sys
import time
from typing import Dict, List

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, REPO_ROOT)

DEFAULT_CONFIG = osp.join(REPO_ROOT, 'configs', 'quickstart',
                          'mlehand_res18-half_synthetic-freihand-96x96.py')
PERCENTILES = (50, 90, 99, 99.9, 100)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--work-dir', default='work_dirs/grad_norms')
    parser.add_argument('--config', default=DEFAULT_CONFIG)
    parser.add_argument('--num', type=int, default=2000, help='hands to render (8:1:1 split)')
    parser.add_argument('--label-noise', default='gaussian:2+outliers:0.1')
    parser.add_argument('--seed', type=int, default=0, help='data and training seed')
    parser.add_argument('--workers', type=int, default=2)
    parser.add_argument('--runs', default='clean,noisy',
                        help='comma-separated: clean, noisy (default: both)')
    parser.add_argument('--epochs', type=int, default=None,
                        help="epochs (default: the config's); the cosine decay is stretched "
                        'to them')
    parser.add_argument('--max-norm', type=float, default=float('inf'),
                        help='clip_grad max_norm during the runs (default: inf, no clipping)')
    parser.add_argument('--max-iters', type=int, default=None,
                        help='stop each run after this many iterations (default: all)')
    parser.add_argument('--cfg-options', nargs='+', default=[], metavar='KEY=VALUE',
                        help='config overrides, e.g. model.backbone.init_cfg=None')
    parser.add_argument('--probe', default=None, metavar='CHECKPOINT',
                        help='single-outlier probe of this checkpoint (see above)')
    parser.add_argument('--probe-batches', type=int, default=100)
    return parser.parse_args()


def run_tool(args: List[str]) -> None:
    print('$ ' + ' '.join(['python'] + args), flush=True)
    subprocess.run([sys.executable] + args, check=True, cwd=REPO_ROOT)


def make_data(args: argparse.Namespace, work_dir: str) -> Dict[str, str]:
    """Render once; convert with the noisy and with the clean training labels."""
    noisy = osp.join(work_dir, 'noisy')
    clean = osp.join(work_dir, 'clean')
    if not osp.exists(osp.join(noisy, 'annotations', 'freihand_train.json')):
        run_tool(['tools/make_synthetic_hands.py', '--format', 'freihand', '--num',
                  str(args.num), '--num-eval', '0', '--out', noisy, '--seed', str(args.seed),
                  '--style', 'clean', '--label-noise', args.label_noise, '--workers',
                  str(args.workers), '--overwrite', '--quiet'])
        run_tool(['tools/convert_freihand.py', '--root', noisy, '--out',
                  osp.join(noisy, 'annotations'), '--seed', str(args.seed), '--quiet'])
    if not osp.exists(osp.join(clean, 'annotations', 'freihand_train.json')):
        os.makedirs(clean, exist_ok=True)
        if not osp.exists(osp.join(clean, 'training')):
            os.symlink(osp.abspath(osp.join(noisy, 'training')), osp.join(clean, 'training'))
        shutil.copy(osp.join(noisy, 'training_K.json'), osp.join(clean, 'training_K.json'))
        shutil.copy(osp.join(noisy, 'training_xyz_clean.json'),
                    osp.join(clean, 'training_xyz.json'))
        run_tool(['tools/convert_freihand.py', '--root', clean, '--out',
                  osp.join(clean, 'annotations'), '--seed', str(args.seed), '--quiet'])
    return dict(clean=clean, noisy=noisy)


class MaxItersReached(Exception):
    """Ends a run at ``--max-iters``."""


def parse_options(options: List[str]) -> Dict[str, object]:
    """``KEY=VALUE`` strings as MMEngine's ``--cfg-options`` parses them."""
    from mmengine.config import DictAction
    parsed: Dict[str, object] = {}
    for option in options:
        key, value = option.split('=', 1)
        parsed[key] = DictAction._parse_iterable(value)
    return parsed


def train(args: argparse.Namespace, data_root: str, work_dir: str) -> Dict[str, object]:
    """Train the config on ``data_root``; return per-iteration norms and losses."""
    from mmengine.config import Config
    from mmengine.hooks import Hook
    from mmengine.runner import Runner

    from mmpose_mlehand.utils.schedules import set_training_epochs

    class RecordHook(Hook):
        priority = 'LOWEST'

        def __init__(self) -> None:
            self.grad_norms: List[float] = []
            self.losses: List[float] = []

        def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
            hub = runner.message_hub
            self.grad_norms.append(float(hub.get_scalar('train/grad_norm').current()))
            self.losses.append(float(hub.get_scalar('train/loss').current()))
            if args.max_iters is not None and len(self.grad_norms) >= args.max_iters:
                raise MaxItersReached

    cfg = Config.fromfile(args.config)
    cfg.merge_from_dict(parse_options(args.cfg_options))
    cfg.work_dir = work_dir
    cfg.randomness = dict(seed=args.seed)
    cfg.optim_wrapper.clip_grad = dict(max_norm=args.max_norm, norm_type=2)
    for split in ('train', 'val', 'test'):
        loader = cfg[f'{split}_dataloader']
        loader.dataset.data_root = data_root
        loader.num_workers = args.workers
        loader.persistent_workers = split != 'train' and args.workers > 0
    cfg.default_hooks.logger.interval = 50
    if args.epochs is not None:
        set_training_epochs(cfg, args.epochs)
    runner = Runner.from_cfg(cfg)
    hook = RecordHook()
    runner.register_hook(hook)
    start = time.perf_counter()
    try:
        runner.train()
    except MaxItersReached:
        pass
    val = {k.split('/')[-1]: float(v.current())
           for k, v in runner.message_hub.log_scalars.items() if k.startswith('val/')}
    return dict(grad_norms=hook.grad_norms, losses=hook.losses, val=val,
                seconds=round(time.perf_counter() - start, 1))


def probe(args: argparse.Namespace, data_root: str, work_dir: str) -> Dict[str, object]:
    """Gradient norms of a trained model, clean labels vs one gross outlier."""
    import numpy as np
    import torch
    from mmengine.config import Config
    from mmengine.runner import Runner, load_checkpoint

    cfg = Config.fromfile(args.config)
    cfg.merge_from_dict(parse_options(args.cfg_options))
    cfg.work_dir = work_dir
    cfg.randomness = dict(seed=args.seed)
    cfg.train_dataloader.dataset.data_root = data_root
    cfg.train_dataloader.num_workers = 0
    cfg.train_dataloader.persistent_workers = False
    runner = Runner.from_cfg(cfg)
    model = runner.model
    load_checkpoint(model, args.probe, map_location='cpu')
    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    rng = np.random.default_rng(args.seed)

    def grad_norm(data) -> float:
        model.zero_grad()
        losses = model(**data, mode='loss')
        sum(v for k, v in losses.items() if 'loss' in k).backward()
        return float(torch.nn.utils.get_total_norm([p.grad for p in params
                                                    if p.grad is not None]))

    clean, outlier, sigma_px, moved_px = [], [], [], []
    input_w = cfg.codec.input_size[0]
    for index, batch in enumerate(runner.train_dataloader):
        if index == args.probe_batches:
            break
        data = model.data_preprocessor(batch, True)
        clean.append(grad_norm(data))
        with torch.no_grad():
            out = model.head.forward(model.extract_feat(data['inputs']))
            sigma = model.head.activate_sigma(out['raw_sigmas'][:, -1])
        sigma_px.append(float(sigma.median()) * input_w)
        labels = data['data_samples'][0].gt_instance_labels
        visible = torch.nonzero(labels.keypoint_weights[0] > 0).flatten()
        k = int(visible[rng.integers(len(visible))])
        new = torch.from_numpy(rng.uniform(0, 1, 2)).to(labels.keypoint_labels)
        moved_px.append(float((labels.keypoint_labels[0, k] - new).norm()) * input_w)
        labels.keypoint_labels[0, k] = new
        outlier.append(grad_norm(data))
    ratios = [o / c for o, c in zip(outlier, clean)]
    return dict(clean=clean, outlier=outlier, ratios=ratios, median_sigma_px=sigma_px,
                moved_px=moved_px)


def percentiles(values: List[float]) -> Dict[str, float]:
    import numpy as np
    array = np.asarray(values, dtype=float)
    if array.size == 0:
        return {}
    return {f'p{p:g}': float(np.percentile(array, p)) for p in PERCENTILES}


def spike_ratios(values: List[float], window: int = 50) -> List[float]:
    """Each norm divided by the median of the ``window`` norms before it
    (from iteration ``window`` on): how far an iteration stands out from the
    norms of its time, which drift during training."""
    import numpy as np
    array = np.asarray(values, dtype=float)
    return [float(array[i] / np.median(array[i - window:i]))
            for i in range(window, len(array))]


def main() -> None:
    args = parse_args()
    work_dir = osp.abspath(args.work_dir)
    os.makedirs(work_dir, exist_ok=True)
    roots = make_data(args, work_dir)
    if args.probe:
        result = probe(args, roots['clean'], osp.join(work_dir, 'probe'))
        summary = {key: percentiles(result[key])
                   for key in ('clean', 'outlier', 'ratios', 'median_sigma_px', 'moved_px')}
        for key, value in summary.items():
            print(f'probe {key}: ' + ', '.join(f'{k} {v:.3g}' for k, v in value.items()))
        out = osp.join(work_dir, 'probe.json')
        with open(out, 'w', encoding='utf-8') as f:
            json.dump(dict(args=vars(args), result=result, summary=summary), f)
        print(f'values: {out}')
        return
    results = {}
    for name in args.runs.split(','):
        result = train(args, roots[name], osp.join(work_dir, f'train_{name}'))
        norms = result['grad_norms']
        result['percentiles'] = percentiles(norms)
        half = len(norms) // 2
        result['percentiles_second_half'] = percentiles(norms[half:])
        ratios = spike_ratios(norms)
        result['spike_ratio_percentiles'] = percentiles(ratios)
        result['spikes_over_3x'] = sum(r > 3 for r in ratios)
        results[name] = result
        print(f'{name}: {len(norms)} iterations in {result["seconds"]} s; '
              'grad norm ' + ', '.join(f'{k} {v:.3g}' for k, v in result['percentiles'].items())
              + '; second half ' + ', '.join(
                  f'{k} {v:.3g}' for k, v in result['percentiles_second_half'].items())
              + '; norm / median of the 50 before ' + ', '.join(
                  f'{k} {v:.3g}' for k, v in result['spike_ratio_percentiles'].items())
              + f'; {result["spikes_over_3x"]} iterations over 3x; val '
              + ', '.join(f'{k} {v:.4g}' for k, v in result['val'].items()
                          if k in ('PCK', 'AUC', 'EPE', 'NME')), flush=True)
    out = osp.join(work_dir, 'grad_norms.json')
    with open(out, 'w', encoding='utf-8') as f:
        json.dump(dict(args=vars(args), results=results), f)
    print(f'values: {out}')


if __name__ == '__main__':
    main()

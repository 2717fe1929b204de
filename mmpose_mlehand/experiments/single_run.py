"""One run of the benchmark: build the config, train, test, write the result file.

Run as ``python -m mmpose_mlehand.experiments.single_run RUN.json`` by
:mod:`.sweep` (one process per run: memory, dataloader workers and MMEngine's
global state end with it). ``RUN.json`` is the run's :func:`.sweep.RunSpec`
as a dict; the result file is written atomically at the very end, so a run
either has a complete result file or counts as not done.
"""
import json
import math
import os
import os.path as osp
import platform
import sys
import time
from typing import Dict, List

from .presets import MODEL_SPECS, ModelSpec, Recipe

#: Schema version of the result files (:mod:`.results` reads it).
RESULT_SCHEMA = 1
#: Padding of the hand box for the crop (MMPose's default).
HAND_BOX_PADDING = 1.25
FREIHAND_METAINFO = dict(from_file='configs/_base_/datasets/freihand2d.py')
#: Validation metrics (model selection: frame-AUC on the validation split).
VAL_EVALUATOR = [
    dict(type='HandPCK', thr=0.2),
    dict(type='HandNME'),
    dict(type='AUC'),
    dict(type='EPE'),
]
SELECTION_METRIC = 'frame-AUC'


def repo_root() -> str:
    """The checkout's root (configs/ lives there)."""
    return osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def use_hand_boxes(cfg, padding: float = HAND_BOX_PADDING) -> None:
    """Make FreiHAND-style configs keep the annotation's hand boxes.

    MMPose's ``FreiHandDataset`` replaces every box by the whole 224x224 image
    (and the FreiHAND configs crop 0.8 of it). ``CheckedCocoStyleDataset``
    (``BaseCocoStyleDataset`` with the labels checked) with FreiHAND's
    metainfo keeps the converter's boxes; the crop becomes the box
    x ``padding``, and the metrics normalise by the hand box.
    """
    for split in ('train', 'val', 'test'):
        dataset = cfg[f'{split}_dataloader'].dataset
        dataset.type = 'CheckedCocoStyleDataset'
        dataset.metainfo = dict(FREIHAND_METAINFO)
        for step in dataset.pipeline:
            if step['type'] == 'GetBBoxCenterScale':
                step['padding'] = padding


def heatmap_target(cfg) -> dict:
    """The ``GenerateTarget`` encoder of the train pipeline."""
    for step in cfg.train_dataloader.dataset.pipeline:
        if step['type'] == 'GenerateTarget':
            return step['encoder']
    raise KeyError('the train pipeline has no GenerateTarget step')


def apply_variant(cfg, variant: str) -> str:
    """Apply a measured alternative of the heatmap-L2 ablation; describe it.

    - ``'unit-loss'``: loss weight 4 pi sigma^2 H W (a uniform likelihood's
      loss ~1 per stage) instead of eq. 2's K H W;
    - ``'peak1-target'``: Gaussian targets with peak 1 (MMPose's heatmap
      convention) instead of normalised to sum 1 like the likelihood.
    """
    encoder = heatmap_target(cfg)
    if variant == 'unit-loss':
        w, h = encoder['heatmap_size']
        weight = 4 * math.pi * encoder['sigma'] ** 2 * w * h
        cfg.model.head.loss.loss_weight = weight
        return f'loss weight 4*pi*sigma^2*H*W = {weight:.4g} instead of K*H*W'
    if variant == 'peak1-target':
        encoder['normalize'] = False
        return 'Gaussian targets with peak 1 (not normalised to sum 1)'
    raise ValueError(f'unknown variant {variant!r}')


def iterations_per_epoch(ann_file: str, batch_size: int, drop_last: bool) -> int:
    """Training iterations per epoch of a single-process run (the last partial
    batch is dropped with ``drop_last``)."""
    with open(ann_file, encoding='utf-8') as f:
        num = len(json.load(f)['annotations'])
    return max(1, num // batch_size if drop_last else math.ceil(num / batch_size))


def apply_schedule(cfg, spec: dict, model: ModelSpec) -> Dict[str, object]:
    """Set the learning-rate schedule for the run's budget; describe it.

    ``shared`` (every model): the config's own schedule stretched to the
    run's epochs: the CPU recipe's warm-up (100 iterations, at most a tenth of
    training) and cosine decay to 1e-5, or the paper's lr x0.1 after 3/4 of
    training. ``recommended`` (baselines only; the method and the ablations
    have no other recipe): the baseline's MMPose recipe within the same
    budget: its lr relative to the paper's, linear warm-up from 0.001 x lr
    over min(500, a tenth of training) iterations, x0.1 steps at the same
    fractions of training as in the recipe.
    """
    epochs = spec['epochs']
    per_epoch = iterations_per_epoch(
        osp.join(spec['data_root'], 'annotations', 'freihand_train.json'), spec['batch_size'],
        cfg.train_dataloader.get('drop_last', False))
    total = epochs * per_epoch
    base_lr = cfg.optim_wrapper.optimizer.lr
    recipe: Recipe = model.recipe if spec['recipe'] == 'recommended' else None
    if recipe is None:
        if spec['size'] == 'cpu':
            warmup = max(1, min(100, total // 10))
            cfg.param_scheduler = [
                dict(type='LinearLR', begin=0, end=warmup, start_factor=0.01, by_epoch=False),
                dict(type='CosineAnnealingLR', begin=0, end=epochs, T_max=epochs, eta_min=1e-5,
                     by_epoch=True, convert_to_iter_based=True)
            ]
            text = (f'shared: Adam lr {base_lr:g}, linear warm-up {warmup} iterations, cosine '
                    'decay to 1e-5')
        else:
            milestone = max(1, round(0.75 * epochs))
            cfg.param_scheduler = [
                dict(type='MultiStepLR', begin=0, end=epochs, by_epoch=True,
                     milestones=[milestone], gamma=0.1)
            ]
            text = f'shared: Adam lr {base_lr:g}, x0.1 after epoch {milestone} (paper: 90/120)'
        name = 'shared'
    else:
        lr = base_lr * recipe.lr_ratio
        cfg.optim_wrapper.optimizer.lr = lr
        warmup = max(1, min(500, total // 10))
        steps = sorted({max(1, min(total - 1, round(f * total))) for f in recipe.milestones})
        cfg.param_scheduler = [
            dict(type='LinearLR', begin=0, end=warmup, start_factor=0.001, by_epoch=False),
            dict(type='MultiStepLR', begin=0, end=total, by_epoch=False, milestones=steps,
                 gamma=0.1)
        ]
        text = (f'recommended ({recipe.name}): Adam lr {lr:g} ({recipe.lr_ratio:g} x the '
                f'shared {base_lr:g}), linear warm-up from 0.001 over {warmup} iterations, '
                f'x0.1 at iterations {steps} of {total}')
        name = 'recommended'
    return dict(name=name, description=text, iterations=total, iterations_per_epoch=per_epoch,
                lr=cfg.optim_wrapper.optimizer.lr)


def build_config(spec: dict):
    """The MMEngine config of one run (see :func:`.sweep.plan_runs`)."""
    from mmengine.config import Config

    model = MODEL_SPECS[spec['model']]
    cfg = Config.fromfile(osp.join(repo_root(), spec['config']))
    if spec['size'] == 'paper':
        use_hand_boxes(cfg)
    cfg.val_evaluator = [dict(m) for m in VAL_EVALUATOR]
    test_evaluator = [dict(m) for m in VAL_EVALUATOR]
    if model.stages:
        cfg.model.test_cfg.output_stages = True
        test_evaluator.append(dict(type='StagewiseHandMetric', thr=0.2))
    if model.sigmas:
        test_evaluator.append(dict(type='KeypointUncertaintyMetric', error_thr=0.1))
    cfg.test_evaluator = test_evaluator

    cfg.work_dir = osp.join(spec['run_dir'], 'train')
    cfg.randomness = dict(seed=spec['seed'])
    for split in ('train', 'val', 'test'):
        loader = cfg[f'{split}_dataloader']
        loader.dataset.data_root = spec['data_root']
        loader.num_workers = spec['workers']
        if spec['workers'] == 0:
            loader.persistent_workers = False  # PyTorch refuses it without workers
    cfg.train_dataloader.batch_size = spec['batch_size']
    cfg.train_cfg = dict(by_epoch=True, max_epochs=spec['epochs'], val_interval=1)
    cfg.default_hooks.checkpoint = dict(
        type='CheckpointHook', interval=1, max_keep_ckpts=1, save_best=SELECTION_METRIC,
        rule='greater')
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=50)
    if not spec['pretrained']:
        init_cfg = cfg.model.backbone.get('init_cfg')
        if init_cfg is not None and init_cfg.get('type') == 'Pretrained':
            cfg.model.backbone.init_cfg = None
    return cfg


def run(spec: dict) -> dict:
    """Train and test one run; write and return its result dict."""
    from mmengine.runner import Runner

    from mmpose_mlehand.utils import atomic_write_json

    start = time.perf_counter()
    model = MODEL_SPECS[spec['model']]
    cfg = build_config(spec)
    variant = apply_variant(cfg, model.variant) if model.variant else None
    schedule = apply_schedule(cfg, spec, model)

    runner = Runner.from_cfg(cfg)
    runner.train()
    train_s = time.perf_counter() - start
    checkpoint = runner.message_hub.get_info('best_ckpt')
    best_val = runner.message_hub.get_info('best_score')
    if checkpoint is None:
        raise RuntimeError('training saved no best checkpoint')
    val_curves = validation_curves(runner.message_hub)
    del runner

    test_start = time.perf_counter()
    cfg.load_from = checkpoint
    tester = Runner.from_cfg(cfg)
    metrics = tester.test()
    details = {type(m).__name__: m.details for m in tester.test_loop.evaluator.metrics
               if getattr(m, 'details', None)}
    test_s = time.perf_counter() - test_start
    # Epoch checkpoints only serve resuming inside a run, which a sweep never
    # does (it restarts unfinished runs): keep the selected one.
    for name in os.listdir(cfg.work_dir):
        if name.startswith('epoch_') and name.endswith('.pth'):
            os.remove(osp.join(cfg.work_dir, name))
    box_rules = sorted({d['box_rule'] for d in details.values()})

    import mmpose
    import torch
    result = dict(
        schema=RESULT_SCHEMA,
        run_id=spec['run_id'],
        spec=spec,
        model=dict(key=model.key, label=model.label, family=model.family,
                   variant=variant, stages=model.stages, sigmas=model.sigmas),
        recipe=schedule,
        noise=dict(key=spec['noise'], label_noise=spec['label_noise'],
                   description=spec['noise_description']),
        seed=spec['seed'],
        box_rule=box_rules[0] if len(box_rules) == 1 else box_rules,
        metrics={k: _number(v) for k, v in metrics.items()},
        selection=dict(metric=SELECTION_METRIC, split='val', best_val=_number(best_val),
                       checkpoint=checkpoint),
        val_curves=val_curves,
        details=details,
        wall_time_s=dict(train=round(train_s, 1), test=round(test_s, 1),
                         total=round(time.perf_counter() - start, 1)),
        config=cfg.pretty_text,
        environment=dict(python=platform.python_version(), torch=torch.__version__,
                         mmpose=mmpose.__version__, host=platform.node(),
                         threads=torch.get_num_threads(), cpu=cpu_description()),
        finished=time.strftime('%Y-%m-%d %H:%M:%S'))
    atomic_write_json(spec['result_file'], result, indent=1)
    return result


#: Validation metrics kept per epoch in the result file (the learning curves).
CURVE_METRICS = ('frame-AUC', 'frame-PCK@0.2', 'PCK@0.2', 'NME')


#: Instruction sets whose presence changes float32 results: the same run on CPUs
#: with and without AVX-512 differs by about 0.01 frame-PCK (docs/results.md).
RESULT_CHANGING_ISA = ('avx2', 'fma', 'avx512f', 'avx512_bf16', 'amx_bf16')


def cpu_description() -> Dict[str, object]:
    """The CPU a run computed on: ``model`` (its name), ``isa`` (which of
    :data:`RESULT_CHANGING_ISA` it has; empty where /proc/cpuinfo is missing)
    and ``torch_capability`` (the kernel level PyTorch dispatches to)."""
    import torch

    from ..utils.machine import cpu_model_and_flags
    name, flags = cpu_model_and_flags()
    return dict(model=name or platform.processor(),
                isa=[isa for isa in RESULT_CHANGING_ISA if isa in flags],
                torch_capability=torch.backends.cpu.get_cpu_capability())


def validation_curves(message_hub) -> Dict[str, List[float]]:
    """Every validation's value of :data:`CURVE_METRICS`, in order: one per
    epoch (MMEngine's ``RuntimeInfoHook`` logs them as ``val/<key>``)."""
    curves = {}
    for key in CURVE_METRICS:
        name = f'val/{key}'
        if name in message_hub.log_scalars:
            curves[key] = [float(v) for v in message_hub.get_scalar(name).data[0]]
    return curves


def _number(value) -> float:
    """A JSON-ready float from a numpy or torch scalar (None stays None)."""
    return None if value is None else float(value)


def main(argv: List[str] = None) -> int:
    """Entry point: ``python -m mmpose_mlehand.experiments.single_run RUN.json``."""
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print('usage: python -m mmpose_mlehand.experiments.single_run RUN.json', file=sys.stderr)
        return 2
    with open(argv[0], encoding='utf-8') as f:
        spec = json.load(f)
    # Threads as the caller says (the sweep passes its --threads).
    threads = spec.get('threads')
    if threads:
        import torch
        torch.set_num_threads(int(threads))
    os.makedirs(spec['run_dir'], exist_ok=True)
    result = run(spec)
    print(json.dumps(dict(run_id=result['run_id'], metrics=result['metrics'],
                          wall_time_s=result['wall_time_s'])))
    return 0


if __name__ == '__main__':
    sys.exit(main())

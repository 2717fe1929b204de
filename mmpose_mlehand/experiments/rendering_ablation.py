"""Every rendering change of the ``photo`` style, measured (issue 14).

Real photographs cannot be scored here, so the proxy is the held-out
appearance family (:mod:`mmpose_mlehand.synthetic.appearance`): a model is
trained on one rendering variant's training family, its checkpoint is
selected on the held-out family's validation split, and it is tested on the
held-out family's test split and on the variant's own test split. The gap
between the two, and the held-out accuracy against that of ``photo`` with
every feature on, say what each rendering change is worth.

Variants (:data:`VARIANTS`): ``photo``; ``photo`` with exactly one feature
switched off (the :class:`SceneStyle` field set back to its default, which is
what ``full`` uses); ``clean`` and ``full`` as references. Every variant gets
the same budget (hands, epochs, batch, seeds) and the bundled recipe.

Layout of the work folder::

    <work_dir>/ablation.json                what was asked
    <work_dir>/data/heldout_photo_seed<s>/  the held-out family (rendered once)
    <work_dir>/data/<variant>_seed<s>/      a variant's training family
                                            (removed after its run unless
                                            ``keep_data``)
    <work_dir>/runs/<variant>/              run.json, run.log, train/, test_*/
    <work_dir>/results/<variant>.json       one result file per finished variant
    <work_dir>/rendering_ablation.md        the table (:func:`write_table`)

A variant is finished when its result file exists and was made with the same
settings (:func:`.sweep.finished`); running the same command again skips it.
The runs themselves happen in child processes (``python -m
mmpose_mlehand.experiments.rendering_ablation RUN.json``), so memory,
dataloader workers and MMEngine's global state end with each; this module
imports neither torch nor MMPose at module level.
"""
import copy
import dataclasses
import glob
import json
import os
import os.path as osp
import platform
import shutil
import sys
import time
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Union

from ..synthetic.styles import STYLES, SceneStyle
from ..utils.schedules import set_training_epochs
from .single_run import iterations_per_epoch, repo_root
from .sweep import execute as sweep_execute
from .sweep import run_queue

#: Schema version of the result files written here.
RESULT_SCHEMA = 1
#: The bundled model's recipe: trained on ``photo``, selected on held-out val.
RECIPE = 'configs/bundled/mlehand_res18-half_synthetic-photo-96x96.py'
#: Checkpoint selection on the held-out family's validation split.
SELECTION_METRIC = 'frame-AUC'
#: Metrics reported per test split (HandPCK, HandNME, MMPose's AUC and EPE).
REPORTED = ('frame-PCK@0.2', 'PCK@0.2', 'frame-AUC', 'NME', 'EPE', 'mirror-confusion')
#: Metric of the gap and of the comparison with ``photo`` in the table.
GAP_METRIC = 'frame-PCK@0.2'
#: Table columns per test split: metric key and header.
TABLE_METRICS = (('frame-PCK@0.2', 'frame-PCK@0.2'), ('PCK@0.2', 'PCK@0.2'), ('NME', 'NME'),
                 ('mirror-confusion', 'mirror-confused'))
#: The variant every other one is compared with.
REFERENCE = 'photo'
#: Style and family of the shared held-out data set.
HELDOUT_STYLE = 'photo'
HELDOUT_FAMILY = 'heldout'
#: Families the shared held-out data set may come from (``--proxy``): the
#: held-out appearances, or the ``hard`` family (held-out appearances plus
#: hard light, low contrast, closed, turned and side-on hands; issue 22).
PROXY_FAMILIES = (HELDOUT_FAMILY, 'hard')
#: Seed of the held-out data set: the training seed plus this (as
#: tools/train_bundled_model.py does).
HELDOUT_SEED_OFFSET = 1
#: Boxes as the real-photo protocol draws them (keypoint extent x 1.2).
BBOX_MODE = 'keypoints'
#: The recipe's warm-up is capped at this share of the training iterations.
MAX_WARMUP_SHARE = 0.1
#: Name of the table written in the work folder.
TABLE_FILE = 'rendering_ablation.md'
#: Stamp file of a prepared data set.
STAMP_FILE = 'prepared.json'
#: What the child process runs (this module; ``__name__`` is ``__main__`` there).
CHILD_MODULE = 'mmpose_mlehand.experiments.rendering_ablation'


@dataclass(frozen=True)
class RenderingVariant:
    """One rendering variant.

    Attributes:
        key (str): Name on the command line and of the result file.
        base (str): The style it starts from (a key of ``STYLES``).
        field (str, optional): The :class:`SceneStyle` field switched off
            (set back to its default); None for the base style as it is.
        description (str): What switching it off changes, for the table.
    """

    key: str
    base: str
    field: Optional[str] = None
    description: str = ''

    @property
    def style(self) -> SceneStyle:
        """The variant's scene style (``dataclasses.replace`` on the base)."""
        base = STYLES[self.base]
        if self.field is None:
            return base
        off = SceneStyle.__dataclass_fields__[self.field].default
        return dataclasses.replace(base, name=self.key, **{self.field: off})

    @property
    def style_arg(self) -> Union[str, SceneStyle]:
        """What :func:`~mmpose_mlehand.synthetic.generate_dataset` gets: the
        name of a registered style, else the style object."""
        return self.base if self.field is None else self.style


def _off(key: str, field: str, description: str) -> RenderingVariant:
    return RenderingVariant(key, REFERENCE, field, description)


VARIANTS: Dict[str, RenderingVariant] = {v.key: v for v in (
    RenderingVariant(REFERENCE, REFERENCE, None, 'every photo feature on'),
    _off('no-upright', 'upright_sigma_deg',
         'uniform in-plane angle instead of the upright prior (sigma 25 deg)'),
    _off('no-photo-backgrounds', 'photo_background_prob',
         "the family's procedural bases only, no crops of photographs (70%)"),
    _off('no-person', 'person_prob', 'no head and torso beside or behind the hand (60%)'),
    _off('no-skin-texture', 'skin_texture', 'no skin blotches and creases'),
    _off('no-photo-camera', 'photo_camera',
         "full's colour jitter and degradations instead of the webcam model"),
    _off('no-out-of-frame', 'out_of_frame_prob', 'no hands partly outside the frame (20%)'),
    _off('no-held-objects', 'held_object_prob',
         "full's share of occluders among or behind the fingers (30%) instead of 60%"),
    _off('no-arm-in-view', 'arm_in_view',
         'views with the forearm running steeply into the image are kept'),
    _off('no-view-limit', 'max_view_tilt_deg',
         'any 3-D view instead of the palm or back within 50 deg of the camera'),
    # Styles without families draw skin tones from the whole range, the
    # held-out bands included: for them the held-out skin is not unseen.
    RenderingVariant('clean', 'clean', None,
                     'reference: the quick start style (no appearance families: its skin '
                     'tones include the held-out bands)'),
    RenderingVariant('full', 'full', None,
                     'reference: the default style (no appearance families: its skin tones '
                     'include the held-out bands)'),
    RenderingVariant('photo-varied', 'photo-varied', None,
                     'photo plus closed (30%), turned (25%) and side-on (20%) hands and the '
                     "back's tendons and knuckles drawn (issue 22)"),
)}


@dataclass(frozen=True)
class AblationPreset:
    """A size of the rendering ablation.

    Attributes:
        name (str): ``tiny`` or ``small``.
        variants (tuple): Variant keys run by default, in order.
        num_samples (int): Training-family hands per variant (8:1:1 split).
        num_heldout (int): Held-out-family hands (its val selects, its test
            reports; its train split is not used).
        epochs (int): Training epochs, the same for every variant.
        batch_size (int): Training batch, the same for every variant.
        workers (int): Generator processes and dataloader workers.
        description (str): One line for ``--help``.
    """

    name: str
    variants: Tuple[str, ...]
    num_samples: int
    num_heldout: int
    epochs: int
    batch_size: int
    workers: int
    description: str = ''


PRESETS: Dict[str, AblationPreset] = {p.name: p for p in (
    AblationPreset('tiny', (REFERENCE, 'no-upright'), num_samples=40, num_heldout=40,
                   epochs=1, batch_size=4, workers=0,
                   description='seconds, for tests: 40 hands, 1 epoch at batch 4, 2 variants'),
    # Sized for about 1 h for every variant on 2 free CPU cores (an estimate:
    # 0.11-0.13 s per update of this model at batch 8, measured in the
    # label-noise sweep; ~100 photo hands/s with 2 workers; ~1 min of process
    # start, validation and tests per variant: 4-5 min per variant).
    AblationPreset('small', tuple(VARIANTS), num_samples=4000, num_heldout=4000, epochs=3,
                   batch_size=8, workers=2,
                   description='every variant: 4,000 hands (3,200 train, 400 test), 3 epochs '
                   'at batch 8 (1,200 updates) on the bundled recipe; 4,000 held-out hands '
                   '(400 val, 400 test); an estimated 4-5 min per variant on 2 free CPU cores'),
)}


def heldout_root(work_dir: str, heldout_seed: int, family: str = HELDOUT_FAMILY) -> str:
    """Folder of the shared held-out data set."""
    return osp.join(osp.abspath(work_dir), 'data', f'{family}_{HELDOUT_STYLE}_seed{heldout_seed}')


def plan_variants(preset: AblationPreset,
                  work_dir: str,
                  variants: Optional[Sequence[str]] = None,
                  seed: int = 0,
                  heldout_seed: Optional[int] = None,
                  overrides: Optional[Dict[str, object]] = None,
                  config: str = RECIPE,
                  proxy: str = HELDOUT_FAMILY) -> List[dict]:
    """Every variant's run, as JSON-ready specs, in execution order.

    Args:
        preset (AblationPreset): The size and defaults.
        work_dir (str): The ablation's folder.
        variants (Sequence[str], optional): Variant keys (``['all']`` for
            every one); default the preset's.
        seed (int): Seed of every variant's data, split and training.
        heldout_seed (int, optional): Seed of the held-out data set; default
            ``seed + HELDOUT_SEED_OFFSET``.
        overrides (dict, optional): ``num_samples``, ``num_heldout``,
            ``epochs``, ``batch_size``, ``workers``, ``threads`` (None keeps
            the preset's).
        config (str): Training recipe, relative to the repository root.
        proxy (str): Family of the shared held-out data set (its val selects,
            its test reports): one of :data:`PROXY_FAMILIES`.

    Returns:
        list[dict]: Run specs (see :func:`run_variant`).

    Raises:
        ValueError: On an unknown variant, override or proxy family, or a
            budget too small to split.
    """
    if proxy not in PROXY_FAMILIES:
        raise ValueError(f'unknown proxy family {proxy!r}; known: {", ".join(PROXY_FAMILIES)}')
    keys = list(variants or preset.variants)
    if keys == ['all']:
        keys = list(VARIANTS)
    unknown = [k for k in keys if k not in VARIANTS]
    if unknown:
        raise ValueError(f'unknown variant {unknown}; known: {", ".join(VARIANTS)}')
    if len(set(keys)) != len(keys):
        raise ValueError(f'variant given twice: {keys}')
    settings = dict(num_samples=preset.num_samples, num_heldout=preset.num_heldout,
                    epochs=preset.epochs, batch_size=preset.batch_size,
                    workers=preset.workers, threads=None)
    for key, value in (overrides or {}).items():
        if key not in settings:
            raise ValueError(f'unknown override {key!r}; known: {", ".join(settings)}')
        if value is not None:
            settings[key] = value
    for key in ('num_samples', 'num_heldout'):
        if settings[key] < 20:
            raise ValueError(f'{key} must be at least 20 (each split needs hands), '
                             f'got {settings[key]}')
    for key in ('epochs', 'batch_size'):
        if settings[key] < 1:
            raise ValueError(f'{key} must be at least 1, got {settings[key]}')
    heldout_seed = seed + HELDOUT_SEED_OFFSET if heldout_seed is None else heldout_seed
    work_dir = osp.abspath(work_dir)
    specs = []
    for key in keys:
        variant = VARIANTS[key]
        specs.append(dict(
            run_id=key, variant=key, changed=variant.field,
            style=dataclasses.asdict(variant.style),
            preset=preset.name, config=config, seed=int(seed),
            heldout_seed=int(heldout_seed), proxy=proxy,
            data_root=osp.join(work_dir, 'data', f'{key}_seed{seed}'),
            heldout_root=heldout_root(work_dir, heldout_seed, proxy),
            run_dir=osp.join(work_dir, 'runs', key),
            result_file=osp.join(work_dir, 'results', f'{key}.json'),
            **settings))
    return specs


# --- data ----------------------------------------------------------------------


def prepare_data(root: str,
                 style: Union[str, SceneStyle],
                 family: str,
                 num: int,
                 seed: int,
                 workers: int,
                 log: Callable[[str], None] = print) -> float:
    """Render one family in the FreiHAND layout and convert it with hand
    boxes from the keypoints (as ``tools/train_bundled_model.py`` does).

    Done once: a stamp file records what is there, and a folder whose stamp
    matches is kept as it is.

    Args:
        root (str): Data folder (replaced if its stamp differs).
        style (str or SceneStyle): Scene style name or object.
        family (str): ``'train'``, ``'heldout'`` or ``'hard'``.
        num (int): Hands (8:1:1 train/val/test).
        seed (int): Rendering and split seed.
        workers (int): Generator processes.
        log (callable): Progress output.

    Returns:
        float: Seconds spent (0 when the data were there).
    """
    from ..synthetic.styles import get_style, with_current_style
    stamp_file = osp.join(root, STAMP_FILE)
    wanted = dict(style=dataclasses.asdict(get_style(style)), family=family, num=num,
                  seed=seed, bbox=BBOX_MODE, split_seed=seed)
    if osp.isfile(stamp_file):
        with open(stamp_file, encoding='utf-8') as f:
            there = with_current_style(json.load(f).get('settings') or {})
        if there == wanted:
            return 0.0
        os.remove(stamp_file)
    from ..converters import convert_freihand
    from ..converters.common import write_outputs
    from ..synthetic import generate_dataset
    from ..utils import atomic_write_json

    name = style if isinstance(style, str) else style.name
    log(f'  data: rendering {num} hands ({name} style, {family} family, seed {seed}) '
        f'into {root}')
    start = time.perf_counter()
    stats = generate_dataset(root, 'freihand', num, seed=seed, num_eval=0,
                             workers=max(1, workers), overwrite=True, progress=False,
                             style=style, family=family)
    result = convert_freihand(root, seed=seed, bbox=BBOX_MODE, progress=False)
    write_outputs(result.files, osp.join(root, 'annotations'))
    seconds = time.perf_counter() - start
    splits = {split: len(coco['annotations']) for split, coco in result.files.items()}
    atomic_write_json(stamp_file, dict(settings=wanted, generator=stats, splits=splits,
                                       seconds=round(seconds, 1)), indent=1)
    log(f'  data: {splits} in {seconds:.0f} s')
    return seconds


# --- one variant (child process) -----------------------------------------------


def build_config(spec: dict):
    """The MMEngine config of one variant: the recipe, trained on the
    variant's data, validated (and tested) on the held-out family."""
    from mmengine.config import Config

    cfg = Config.fromfile(osp.join(repo_root(), spec['config']))
    cfg.work_dir = osp.join(spec['run_dir'], 'train')
    cfg.randomness = dict(seed=spec['seed'])
    roots = dict(train=spec['data_root'], val=spec['heldout_root'], test=spec['heldout_root'])
    for split, root in roots.items():
        loader = cfg[f'{split}_dataloader']
        loader.dataset.data_root = root
        loader.num_workers = spec['workers']
        # Train workers start afresh every epoch; PyTorch refuses persistent
        # workers without workers.
        loader.persistent_workers = spec['workers'] > 0 and split != 'train'
    cfg.train_dataloader.batch_size = spec['batch_size']
    cfg.train_cfg = dict(by_epoch=True, max_epochs=spec['epochs'], val_interval=1)
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=1, max_keep_ckpts=1,
                                        save_best=SELECTION_METRIC, rule='greater')
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=50)
    cfg.test_evaluator = [dict(m) for m in cfg.val_evaluator] + [
        dict(type='KeypointUncertaintyMetric', error_thr=0.1)
    ]
    return cfg


def apply_budget(cfg, spec: dict) -> dict:
    """Fit the recipe's schedule to the budget; describe it.

    Epoch-based schedulers (the cosine decay) end with the run's epochs; the
    iteration-based warm-up keeps the recipe's length, capped at
    ``MAX_WARMUP_SHARE`` of training (as the label-noise benchmark does).
    """
    per_epoch = iterations_per_epoch(
        osp.join(spec['data_root'], 'annotations', 'freihand_train.json'), spec['batch_size'],
        cfg.train_dataloader.get('drop_last', False))
    total = spec['epochs'] * per_epoch
    set_training_epochs(cfg, spec['epochs'])
    parts = []
    for scheduler in cfg.param_scheduler:
        if scheduler.get('by_epoch', True):
            parts.append(f'{scheduler.type} over {spec["epochs"]} epochs')
        else:
            scheduler.end = max(1, min(scheduler.end, int(total * MAX_WARMUP_SHARE)))
            parts.append(f'{scheduler.type} over iterations 0-{scheduler.end}')
    text = (f'Adam lr {cfg.optim_wrapper.optimizer.lr:g}: ' + ', '.join(parts) +
            f'; {total} iterations ({per_epoch} per epoch at batch {spec["batch_size"]})')
    return dict(description=text, iterations=total, iterations_per_epoch=per_epoch)


def _number(value) -> Optional[float]:
    """A JSON-ready float from a numpy or torch scalar (None stays None)."""
    return None if value is None else float(value)


def _split_size(root: str, split: str) -> int:
    with open(osp.join(root, 'annotations', f'freihand_{split}.json'), encoding='utf-8') as f:
        return len(json.load(f)['annotations'])


def _data_seconds(root: str) -> Optional[float]:
    stamp = osp.join(root, STAMP_FILE)
    if not osp.isfile(stamp):
        return None
    with open(stamp, encoding='utf-8') as f:
        return json.load(f).get('seconds')


def machine() -> dict:
    """Where a run ran (the load average tells whether it had the CPUs)."""
    import mmpose
    import torch
    return dict(host=platform.node(), platform=platform.platform(),
                processor=platform.processor(), cpus=os.cpu_count(),
                python=platform.python_version(), torch=torch.__version__,
                mmpose=mmpose.__version__, torch_threads=torch.get_num_threads(),
                load_average_at_start=[round(x, 2) for x in os.getloadavg()])


def run_variant(spec: dict) -> dict:
    """Train one variant, test it on both families; write and return its
    result dict (atomically, at the very end)."""
    from mmengine.runner import Runner

    from ..utils import atomic_write_json

    start = time.perf_counter()
    env = machine()
    cfg = build_config(spec)
    budget = apply_budget(cfg, spec)
    runner = Runner.from_cfg(cfg)
    runner.train()
    train_s = time.perf_counter() - start
    checkpoint = runner.message_hub.get_info('best_ckpt')
    best_val = runner.message_hub.get_info('best_score')
    if checkpoint is None:
        raise RuntimeError(f'{cfg.work_dir}: training saved no best checkpoint')
    del runner

    test_start = time.perf_counter()
    metrics, sizes = {}, {}
    for where, root in (('in_family', spec['data_root']), ('heldout', spec['heldout_root'])):
        test_cfg = copy.deepcopy(cfg)
        test_cfg.load_from = checkpoint
        test_cfg.work_dir = osp.join(spec['run_dir'], f'test_{where}')
        test_cfg.test_dataloader.dataset.data_root = root
        values = Runner.from_cfg(test_cfg).test()
        metrics[where] = {k: _number(v) for k, v in values.items()}
        sizes[where] = _split_size(root, 'test')
    test_s = time.perf_counter() - test_start
    gap = {k: metrics['in_family'][k] - metrics['heldout'][k] for k in REPORTED
           if metrics['in_family'].get(k) is not None
           and metrics['heldout'].get(k) is not None}
    # Epoch checkpoints only serve resuming inside a run: keep the selected one.
    for name in os.listdir(cfg.work_dir):
        if name.startswith('epoch_') and name.endswith('.pth'):
            os.remove(osp.join(cfg.work_dir, name))

    result = dict(
        schema=RESULT_SCHEMA,
        run_id=spec['run_id'],
        variant=spec['variant'],
        changed=spec['changed'],
        description=VARIANTS[spec['variant']].description,
        spec=spec,
        style=spec['style'],
        budget=dict(num_samples=spec['num_samples'], num_heldout=spec['num_heldout'],
                    epochs=spec['epochs'], batch_size=spec['batch_size'], **budget),
        seeds=dict(data=spec['seed'], split=spec['seed'], training=spec['seed'],
                   heldout=spec['heldout_seed']),
        test_sizes=sizes,
        metrics=metrics,
        gap=gap,
        selection=dict(metric=SELECTION_METRIC,
                       split=("held-out family's val" if spec['proxy'] == HELDOUT_FAMILY
                              else f"{spec['proxy']} family's val"),
                       best_val=_number(best_val), checkpoint=checkpoint),
        wall_time_s=dict(data=_data_seconds(spec['data_root']),
                         heldout_data=_data_seconds(spec['heldout_root']),
                         train=round(train_s, 1), test=round(test_s, 1),
                         total=round(time.perf_counter() - start, 1)),
        machine=env,
        finished=time.strftime('%Y-%m-%d %H:%M:%S'))
    atomic_write_json(spec['result_file'], result, indent=1)
    return result


# --- the ablation (parent process) ---------------------------------------------


def execute(spec: dict, python: str = sys.executable) -> dict:
    """Run one variant in a child process (output to ``run.log``); return its
    result dict (:func:`.sweep.execute` with this module as the child).

    Raises:
        RuntimeError: If the run fails (the message ends with its log's tail).
    """
    return sweep_execute(spec, python, module=CHILD_MODULE,
                         label=f'variant {spec["variant"]}')


def _headline(result: dict) -> str:
    inf, held = result['metrics']['in_family'], result['metrics']['heldout']
    return (f'{GAP_METRIC} in-family {inf[GAP_METRIC]:.3f}, held-out {held[GAP_METRIC]:.3f}, '
            f'gap {result["gap"][GAP_METRIC]:+.3f}')


def run_ablation(specs: Sequence[dict],
                 work_dir: str,
                 request: Optional[dict] = None,
                 max_runs: Optional[int] = None,
                 keep_data: bool = False,
                 log: Callable[[str], None] = print,
                 runner: Callable[[dict], dict] = execute) -> Dict[str, List[str]]:
    """Run every unfinished variant in order, with progress and ETA; rewrite
    the table after each.

    The held-out data set is rendered once, before the first variant that
    runs; each variant's data right before its run (and removed after it
    unless ``keep_data``).

    Args:
        specs (Sequence[dict]): From :func:`plan_variants`.
        work_dir (str): The ablation's folder.
        request (dict, optional): What was asked, stored in ``ablation.json``.
        max_runs (int, optional): Stop after starting this many variants.
        keep_data (bool): Keep each variant's rendered data.
        log (callable): Progress output.
        runner (callable): Runs one spec (default: a child process).

    Returns:
        dict: variants ``skipped`` (already finished), ``done``, ``failed``
        and ``pending`` (left for later).
    """
    from ..utils import atomic_write_json

    os.makedirs(work_dir, exist_ok=True)
    if request is not None:
        atomic_write_json(osp.join(work_dir, 'ablation.json'), request, indent=1)

    def prepare(spec: dict) -> None:
        prepare_data(spec['heldout_root'], HELDOUT_STYLE, spec['proxy'],
                     spec['num_heldout'], spec['heldout_seed'], spec['workers'], log)
        prepare_data(spec['data_root'], VARIANTS[spec['variant']].style_arg, 'train',
                     spec['num_samples'], spec['seed'], spec['workers'], log)

    def after(spec: dict) -> None:
        if not keep_data:
            shutil.rmtree(spec['data_root'], ignore_errors=True)
        write_table(work_dir)

    return run_queue(
        specs, 'variant', 'variants',
        title=lambda spec: f'{spec["variant"]}: {VARIANTS[spec["variant"]].description}',
        prepare=prepare, runner=runner, headline=_headline, after=after, max_runs=max_runs,
        log=log)


# --- results and the table -----------------------------------------------------


def load_results(work_dir: str) -> List[dict]:
    """The result files of an ablation, in :data:`VARIANTS` order (unknown
    variants last).

    Raises:
        ValueError: If there is none, or one is not a result file of this
            schema.
    """
    folder = osp.join(work_dir, 'results')
    files = sorted(glob.glob(osp.join(folder, '*.json')))
    if not files:
        raise ValueError(f'{folder}: no result files (*.json) of the rendering ablation')
    results = []
    for file in files:
        try:
            with open(file, encoding='utf-8') as f:
                result = json.load(f)
        except ValueError as exc:
            raise ValueError(f'{file}: not JSON ({exc})') from None
        if result.get('schema') != RESULT_SCHEMA or 'variant' not in result:
            raise ValueError(f'{file}: expected a rendering-ablation result file of schema '
                             f'{RESULT_SCHEMA} (with "variant" and "metrics")')
        result['_file'] = file
        results.append(result)
    order = {key: i for i, key in enumerate(VARIANTS)}
    return sorted(results, key=lambda r: (order.get(r['variant'], len(order)), r['variant']))


def _cell(value: Optional[float], sign: bool = False) -> str:
    if value is None:
        return '-'
    return f'{value:+.3f}' if sign else f'{value:.3f}'


def _distinct(values) -> list:
    out: list = []
    for value in values:
        if value not in out:
            out.append(value)
    return out


def table_markdown(results: Sequence[dict]) -> str:
    """The Markdown report: settings, then one row per variant."""
    reference = next((r for r in results if r['variant'] == REFERENCE), None)
    lines = ['# Rendering ablation: train on the training family, test on the held-out family',
             '']
    for budget in _distinct(
            (r['budget']['num_samples'], r['budget']['epochs'], r['budget']['batch_size'],
             r['budget']['iterations'], r['spec']['config']) for r in results):
        num, epochs, batch, iterations, config = budget
        lines.append(f'- budget: {num} training-family hands per variant (8:1:1), {epochs} '
                     f'epochs at batch {batch} ({iterations} updates), `{config}`')
    for heldout in _distinct((r['budget']['num_heldout'], r['seeds']['heldout'],
                              r['test_sizes']['heldout'],
                              r['spec'].get('proxy', HELDOUT_FAMILY)) for r in results):
        lines.append(f'- held-out: `{HELDOUT_STYLE}` style, `{heldout[3]}` family, '
                     f'{heldout[0]} hands, seed {heldout[1]}: checkpoint selected on its '
                     f'val split ({SELECTION_METRIC}), tested on its test split '
                     f'({heldout[2]} hands)')
    sizes = ', '.join(map(str, _distinct(r['test_sizes']['in_family'] for r in results)))
    seeds = ', '.join(map(str, _distinct(r['seeds']['data'] for r in results)))
    lines.append(f"- in-family: the test split of the variant's own data ({sizes} hands), "
                 f'seed {seeds}')
    lines.append(f'- gap: in-family minus held-out {GAP_METRIC}; delta: held-out {GAP_METRIC} '
                 f'of the variant minus that of `{REFERENCE}` (positive: the variant did '
                 'better on the held-out family)')
    lines.append('- one training run per variant: with n test hands a frame-PCK has a '
                 'standard error of about sqrt(p (1 - p) / n), and training adds its own '
                 'spread; differences of a few hundredths are not resolved')
    times = [r['wall_time_s']['total'] for r in results]
    lines.append(f'- wall time per variant (training and testing): mean '
                 f'{sum(times) / len(times) / 60:.1f} min; machines: ' + ', '.join(
                     _distinct(f'{r["machine"]["host"]} ({r["machine"]["cpus"]} CPUs)'
                               for r in results)))
    lines.append('')
    header = ['variant', 'switched off']
    header += [f'in-family {h}' for _, h in TABLE_METRICS]
    header += [f'held-out {h}' for _, h in TABLE_METRICS]
    header += [f'gap ({GAP_METRIC})', f'delta held-out {GAP_METRIC} vs {REFERENCE}']
    lines += ['| ' + ' | '.join(header) + ' |', '|' + ' --- |' * len(header)]
    for result in results:
        changed = f'`{result["changed"]}`' if result['changed'] else '-'
        row = [f'`{result["variant"]}`', changed]
        for where in ('in_family', 'heldout'):
            row += [_cell(result['metrics'][where].get(k)) for k, _ in TABLE_METRICS]
        row.append(_cell(result['gap'].get(GAP_METRIC), sign=True))
        delta = None
        if reference is not None:
            delta = (result['metrics']['heldout'][GAP_METRIC] -
                     reference['metrics']['heldout'][GAP_METRIC])
        row.append(_cell(delta, sign=True))
        lines.append('| ' + ' | '.join(row) + ' |')
    lines += ['', 'What each variant switches off:', '']
    lines += [f'- `{r["variant"]}`: {r["description"]}' for r in results]
    return '\n'.join(lines) + '\n'


def write_table(work_dir: str, path: Optional[str] = None) -> str:
    """Write the table from the stored result files; return its path."""
    from ..utils.atomic_io import atomic_open

    path = path or osp.join(work_dir, TABLE_FILE)
    text = table_markdown(load_results(work_dir))
    with atomic_open(path, 'w', encoding='utf-8') as f:
        f.write(text)
    return path


#: The held-out (proxy) metrics of the paired comparison over seeds, and
#: whether higher is better.
PAIRED_METRICS = (('frame-PCK@0.2', True), ('PCK@0.2', True), ('mirror-confusion', False))


def _arm(result: dict, recipe: str) -> str:
    """A run's arm in the paired comparison: its variant, and its recipe's file
    name where that is not ``recipe``."""
    config = result['spec']['config']
    return result['variant'] if config == recipe else f'{result["variant"]}, {osp.basename(config)}'


def _paired_runs(work_dirs: Sequence[str]) -> Dict[Tuple[int, str], dict]:
    """The result files of several ablations by (data seed, arm).

    The reference recipe is that of the first work dir's first result file;
    runs of other recipes are arms of their own (a recipe comparison).

    Raises:
        ValueError: If a (seed, arm) occurs twice, or the runs differ in
            budget or proxy family (they would not be paired).
    """
    runs: Dict[Tuple[int, str], dict] = {}
    settings = set()
    recipe = None
    for work_dir in work_dirs:
        for result in load_results(work_dir):
            recipe = recipe or result['spec']['config']
            key = (result['seeds']['data'], _arm(result, recipe))
            if key in runs:
                raise ValueError(f'{result["_file"]}: seed {key[0]}, {key[1]} also in '
                                 f'{runs[key]["_file"]}: give each seed\'s work dir once')
            runs[key] = result
            budget = result['budget']
            settings.add((budget['num_samples'], budget['epochs'], budget['batch_size'],
                          result['spec'].get('proxy', HELDOUT_FAMILY)))
    if len(settings) > 1:
        raise ValueError('the result files differ in budget or proxy family, so they are '
                         f'not paired: {sorted(settings)}')
    return runs


def paired_markdown(work_dirs: Sequence[str], reference: str = REFERENCE) -> str:
    """Each arm against ``reference`` over seeds: per-seed differences of the
    proxy's test metrics and of the selection metric on its val split, their
    mean, paired 95% Student-t interval and verdict (as
    :func:`mmpose_mlehand.experiments.results.paired_verdict` judges "the arm
    is better").

    An arm is a variant trained with the first work dir's recipe, or a
    variant with another recipe (``--config``), named with its file name.

    Args:
        work_dirs (Sequence[str]): Ablation work dirs, at least one per data
            seed (``--seed``); the reference variant with the first work
            dir's recipe must be among them for every seed compared.
        reference (str): The variant every arm is compared with.

    Returns:
        str: A Markdown table.
    """
    from .results import mean_ci, paired_verdict

    runs = _paired_runs(work_dirs)
    order = {key: i for i, key in enumerate(VARIANTS)}
    arms = _distinct(arm for _, arm in sorted(runs, key=lambda k: (
        order.get(runs[k]['variant'], len(order)), k[1])))
    lines = [f'| arm vs `{reference}` | metric | `{reference}` mean | arm mean | '
             'mean difference [95% interval] | pairs (seeds) | verdict |',
             '| --- | --- | --- | --- | --- | --- | --- |']
    metrics = [(f'{SELECTION_METRIC} (val, selection)', True,
                lambda r: r['selection'].get('best_val'))]
    metrics += [(f'{key} (test)', higher, lambda r, key=key: r['metrics']['heldout'].get(key))
                for key, higher in PAIRED_METRICS]
    for arm in arms:
        if arm == reference:
            continue
        seeds = sorted(s for s, a in runs if a == arm and (s, reference) in runs)
        for name, higher, value in metrics:
            pairs = [(value(runs[(s, arm)]), value(runs[(s, reference)])) for s in seeds]
            pairs = [(a, b) for a, b in pairs if a is not None and b is not None]
            summary = mean_ci([a - b for a, b in pairs])
            mean, low, high, n = summary
            interval = f'{mean:+.3f} [{low:+.3f}, {high:+.3f}]' if n >= 2 else f'{mean:+.3f}'
            used = ', '.join(str(s) for s in seeds)
            lines.append(f'| `{arm}` | {name} | {_mean([b for _, b in pairs])} | '
                         f'{_mean([a for a, _ in pairs])} | {interval} | {n} ({used}) | '
                         f'{paired_verdict(summary, higher)} |')
    return '\n'.join(lines) + '\n'


def _mean(values: Sequence[float]) -> str:
    return _cell(sum(values) / len(values)) if values else '-'


def describe() -> str:
    """Presets and variants, for ``--help``."""
    lines = ['presets:']
    for preset in PRESETS.values():
        lines.append(f'  {preset.name}: {preset.description}; variants '
                     f'{",".join(preset.variants)}')
    lines.append('variants (photo with one SceneStyle field back to its default):')
    for variant in VARIANTS.values():
        field = f' [{variant.field}]' if variant.field else ''
        lines.append(f'  {variant.key}{field}: {variant.description}')
    return '\n'.join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    """Child entry point: ``python -m mmpose_mlehand.experiments.rendering_ablation
    RUN.json``."""
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print('usage: python -m mmpose_mlehand.experiments.rendering_ablation RUN.json',
              file=sys.stderr)
        return 2
    with open(argv[0], encoding='utf-8') as f:
        spec = json.load(f)
    threads = spec.get('threads')
    if threads:
        import torch
        torch.set_num_threads(int(threads))
    os.makedirs(spec['run_dir'], exist_ok=True)
    result = run_variant(spec)
    print(json.dumps(dict(variant=result['variant'], metrics=result['metrics'],
                          wall_time_s=result['wall_time_s'])))
    return 0


if __name__ == '__main__':
    sys.exit(main())

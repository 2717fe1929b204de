"""Plan, prepare and run a label-noise sweep; resume where it stopped.

Layout of a sweep's work folder::

    <work_dir>/sweep.json                     what was asked (preset, models, ...)
    <work_dir>/data/<noise>_seed<seed>/       synthetic hands + annotations/, shared
                                              by every model of that noise and seed
    <work_dir>/runs/<run_id>/                 run.json, run.log, train/ (checkpoints)
    <work_dir>/results/<run_id>.json          one result file per finished run

A run is finished when its result file exists and was made with the same
settings; finished runs are skipped, so running the same command again
resumes an interrupted sweep. A run that failed or was interrupted has no
result file and starts again from scratch.

Only numpy-level imports here: the runs themselves happen in child processes
(:mod:`.single_run`).
"""
import json
import os
import os.path as osp
import shutil
import subprocess
import sys
import time
from typing import Callable, Dict, Iterable, List, Optional, Sequence

from ..synthetic.styles import with_current_style
from .presets import MODEL_SPECS, NOISE_LEVELS, PRESETS, Preset, RunBlock

RECIPES = ('shared', 'recommended')
#: Fields of a run spec that do not change what the run computes.
_NOT_COMPARED = ('threads', )


def run_id(model: str, noise: str, seed: int, recipe: str) -> str:
    """``<model>__<noise>__seed<seed>`` (+ ``__recommended``)."""
    name = f'{model}__{noise}__seed{seed}'
    return name if recipe == 'shared' else f'{name}__{recipe}'


def data_root(work_dir: str, noise: str, seed: int) -> str:
    """Folder of the synthetic data of one noise level and seed."""
    return osp.join(osp.abspath(work_dir), 'data', f'{noise}_seed{seed}')


def _block_runs(block: RunBlock) -> List[tuple]:
    """A block's ``(seed, noise, model, recipe)`` runs, ordered by seed, then
    noise level, then model, so that each data set is rendered right before
    the first run that needs it."""
    return [(seed, level, model, recipe) for seed in block.seeds for level in block.noise
            for model in block.models for recipe in block.recipes]


def plan_runs(preset: Preset,
              work_dir: str,
              models: Optional[Sequence[str]] = None,
              noise: Optional[Sequence[str]] = None,
              seeds: Optional[Sequence[int]] = None,
              recipes: Optional[Sequence[str]] = None,
              overrides: Optional[Dict[str, object]] = None) -> List[dict]:
    """Every run of a sweep, as JSON-ready specs, in execution order.

    Runs are ordered by seed, then noise level, then model, so that each data
    set is generated once, right before the first run that needs it; a
    preset's run blocks run one after the other, in their order (a run that
    two blocks make runs once, in the first). The
    ``recommended`` recipe applies to baselines only (the method and the
    ablations have the paper's schedule as their own); asking for it for them
    adds nothing.

    Args:
        preset (Preset): The size and defaults.
        work_dir (str): The sweep's folder.
        models, noise, seeds, recipes: For a preset with run blocks, select
            among its runs; otherwise replace the preset's lists (recipes:
            ``shared`` by default). ``recipes``: ``shared`` and/or
            ``recommended``.
        overrides (dict, optional): ``epochs``, ``num_samples``,
            ``batch_size``, ``workers``, ``style``, ``pretrained``, ``threads``.

    Returns:
        list[dict]: Run specs (see :mod:`.single_run`).

    Raises:
        ValueError: An unknown model, noise level, recipe or override, or a
            selection that leaves none of the preset's runs.
    """
    checks = (('model', models, MODEL_SPECS), ('noise level', noise, NOISE_LEVELS),
              ('recipe', recipes, RECIPES))
    for name, given, known in checks:
        unknown = [x for x in given or () if x not in known]
        if unknown:
            raise ValueError(f'unknown {name} {unknown}; known: {", ".join(known)}')
    if preset.blocks:
        selection = dict(enumerate((seeds, noise, models, recipes)))
        wanted = [run for block in preset.blocks for run in _block_runs(block)
                  if all(given is None or run[i] in given for i, given in selection.items())]
        if not wanted:
            raise ValueError(f'none of the {preset.name} preset\'s runs has the models, noise '
                             'levels, seeds and recipes asked for')
    else:
        wanted = _block_runs(RunBlock(tuple(models or preset.models),
                                      tuple(noise or preset.noise),
                                      tuple(preset.seeds if seeds is None else seeds),
                                      tuple(recipes or ('shared', ))))
    settings = dict(num_samples=preset.num_samples, style=preset.style, epochs=preset.epochs,
                    batch_size=preset.batch_size, workers=preset.workers,
                    pretrained=preset.pretrained, threads=None)
    for key, value in (overrides or {}).items():
        if key not in settings:
            raise ValueError(f'unknown override {key!r}')
        if value is not None:
            settings[key] = value
    work_dir = osp.abspath(work_dir)
    specs = []
    for seed, level, model, recipe in dict.fromkeys(wanted):
        spec_model = MODEL_SPECS[model]
        if recipe == 'recommended' and spec_model.recipe is None:
            continue
        rid = run_id(model, level, seed, recipe)
        specs.append(dict(
            run_id=rid, model=model, noise=level, seed=int(seed), recipe=recipe,
            preset=preset.name, size=preset.size,
            config=(spec_model.cpu_config if preset.size == 'cpu' else
                    spec_model.paper_config),
            label_noise=NOISE_LEVELS[level].label_noise,
            noise_description=NOISE_LEVELS[level].description,
            data_root=data_root(work_dir, level, seed),
            run_dir=osp.join(work_dir, 'runs', rid),
            result_file=osp.join(work_dir, 'results', f'{rid}.json'),
            **settings))
    return specs


def _comparable(spec: dict) -> dict:
    return with_current_style({k: v for k, v in spec.items() if k not in _NOT_COMPARED})


def finished(spec: dict) -> bool:
    """Whether the run's result file exists and was made with these settings.

    Raises:
        RuntimeError: If it exists but was made with other settings (another
            budget, say): use another work folder, or delete the file.
    """
    if not osp.isfile(spec['result_file']):
        return False
    try:
        with open(spec['result_file'], encoding='utf-8') as f:
            stored = json.load(f)['spec']
    except (ValueError, KeyError) as exc:
        raise RuntimeError(f'{spec["result_file"]}: not a result file ({exc}); delete it') \
            from None
    if _comparable(stored) != _comparable(spec):
        diff = sorted(k for k in _comparable(spec).keys() | _comparable(stored).keys()
                      if spec.get(k) != stored.get(k))
        raise RuntimeError(
            f'{spec["result_file"]} was made with other settings ({", ".join(diff)}); '
            'use another --work-dir or delete that file to run it again')
    return True


def prepare_data(spec: dict, log: Callable[[str], None] = print) -> float:
    """Generate and convert the synthetic data of a run's noise level and seed
    (once: a stamp file records what is there). Returns the seconds spent."""
    root = spec['data_root']
    stamp_file = osp.join(root, 'prepared.json')
    wanted = dict(num_samples=spec['num_samples'], style=spec['style'],
                  label_noise=spec['label_noise'], seed=spec['seed'], bbox='mask',
                  split_seed=spec['seed'])
    if osp.isfile(stamp_file):
        with open(stamp_file, encoding='utf-8') as f:
            if json.load(f).get('settings') == wanted:
                return 0.0
    from mmpose_mlehand.converters import convert_freihand
    from mmpose_mlehand.converters.common import write_outputs
    from mmpose_mlehand.synthetic import generate_dataset
    from mmpose_mlehand.utils import atomic_write_json

    start = time.perf_counter()
    log(f'  data: rendering {spec["num_samples"]} hands ({spec["style"]} style, label noise '
        f'{spec["label_noise"]}, seed {spec["seed"]}) into {root}')
    if osp.exists(stamp_file):
        os.remove(stamp_file)
    stats = generate_dataset(root, 'freihand', spec['num_samples'], seed=spec['seed'],
                             num_eval=0, label_noise=spec['label_noise'],
                             workers=max(1, spec['workers']), overwrite=True, progress=False,
                             style=spec['style'])
    result = convert_freihand(root, seed=spec['seed'], bbox='mask', progress=False)
    write_outputs(result.files, osp.join(root, 'annotations'))
    seconds = time.perf_counter() - start
    splits = {name: len(coco['annotations']) for name, coco in result.files.items()}
    atomic_write_json(stamp_file, dict(settings=wanted, generator=stats, splits=splits,
                                       seconds=round(seconds, 1)), indent=1)
    log(f'  data: {splits} in {seconds:.0f} s')
    return seconds


def format_seconds(seconds: float) -> str:
    """A duration for progress lines: ``42 s``, ``3 min 07 s``, ``1 h 05 min``."""
    seconds = int(round(seconds))
    if seconds < 60:
        return f'{seconds} s'
    if seconds < 3600:
        return f'{seconds // 60} min {seconds % 60:02d} s'
    return f'{seconds // 3600} h {seconds % 3600 // 60:02d} min'


def _headline(result: dict) -> str:
    metrics = result['metrics']
    parts = [f'{key} {metrics[key]:.3f}' for key in ('frame-PCK@0.2', 'PCK@0.2', 'NME')
             if metrics.get(key) is not None]
    if metrics.get('EPE') is not None:
        parts.append(f'EPE {metrics["EPE"]:.1f} px')
    return ', '.join(parts)


def execute(spec: dict, python: str = sys.executable,
            module: str = 'mmpose_mlehand.experiments.single_run',
            label: Optional[str] = None) -> dict:
    """Run one spec in a child process (output to ``run.log``); return its
    result dict.

    Args:
        spec (dict): The run's spec (``run_dir``, ``result_file``).
        python (str): The interpreter of the child.
        module (str): The child's module, run as ``python -m module RUN.json``.
        label (str, optional): Names the run in errors (default
            ``run <run_id>``).

    Raises:
        RuntimeError: If the run fails (the message ends with its log's tail).
    """
    if osp.isdir(spec['run_dir']):
        shutil.rmtree(spec['run_dir'])  # an interrupted or failed attempt
    os.makedirs(spec['run_dir'])
    os.makedirs(osp.dirname(spec['result_file']), exist_ok=True)
    spec_file = osp.join(spec['run_dir'], 'run.json')
    with open(spec_file, 'w', encoding='utf-8') as f:
        json.dump(spec, f, indent=1)
    log_file = osp.join(spec['run_dir'], 'run.log')
    from .single_run import repo_root
    with open(log_file, 'w', encoding='utf-8') as out:
        code = subprocess.call([python, '-m', module, spec_file], stdout=out,
                               stderr=subprocess.STDOUT, cwd=repo_root())
    if code != 0 or not osp.isfile(spec['result_file']):
        with open(log_file, encoding='utf-8', errors='replace') as f:
            tail = ''.join(f.readlines()[-25:])
        label = label or f'run {spec["run_id"]}'
        raise RuntimeError(f'{label} failed (exit status {code}); log {log_file}:\n{tail}')
    with open(spec['result_file'], encoding='utf-8') as f:
        return json.load(f)


def run_queue(specs: Sequence[dict],
              key: str,
              noun: str,
              title: Callable[[dict], str],
              prepare: Callable[[dict], object],
              runner: Callable[[dict], dict],
              headline: Callable[[dict], str],
              after: Optional[Callable[[dict], None]] = None,
              max_runs: Optional[int] = None,
              log: Callable[[str], None] = print) -> Dict[str, List[str]]:
    """Run every unfinished spec in order, with progress and ETA; a spec is
    finished when its result file was made with the same settings
    (:func:`finished`), so a second call resumes.

    Args:
        specs (Sequence[dict]): Run specs, in execution order.
        key (str): The spec field that names a run in ``status`` and the log.
        noun (str): What the runs are called in the log (plural).
        title (callable): The progress line of a spec (after ``[i/n]``).
        prepare (callable): Makes a spec's data before it runs.
        runner (callable): Runs one spec; returns its result dict.
        headline (callable): A result's summary for the log.
        after (callable, optional): Called with each finished spec.
        max_runs (int, optional): Stop after starting this many runs (the
            rest stays for the next call).
        log (callable): Progress output.

    Returns:
        dict: names that were ``skipped`` (already finished), ``done``,
        ``failed`` and ``pending`` (left for later).
    """
    status: Dict[str, List[str]] = dict(skipped=[], done=[], failed=[], pending=[])
    todo = []
    for spec in specs:
        if finished(spec):
            status['skipped'].append(spec[key])
        else:
            todo.append(spec)
    total = len(specs)
    log(f'{total} {noun}: {len(status["skipped"])} already finished, {len(todo)} to run')
    durations: List[float] = []
    for i, spec in enumerate(todo):
        if max_runs is not None and i >= max_runs:
            status['pending'] = [s[key] for s in todo[i:]]
            log(f'stopping after {max_runs} {noun}; {len(status["pending"])} left: run the '
                'same command again to continue')
            break
        number = len(status['skipped']) + i + 1
        log(f'[{number}/{total}] {title(spec)}')
        start = time.perf_counter()
        try:
            prepare(spec)
            result = runner(spec)
        except RuntimeError as exc:
            status['failed'].append(spec[key])
            log(f'  FAILED: {exc}')
            continue
        if after is not None:
            after(spec)
        durations.append(time.perf_counter() - start)
        status['done'].append(spec[key])
        left = len(todo) - i - 1
        eta = (f', about {format_seconds(left * sum(durations) / len(durations))} left'
               if left else '')
        log(f'  done in {format_seconds(durations[-1])}: {headline(result)}{eta}')
    if status['failed']:
        log(f'{len(status["failed"])} {noun} failed: {", ".join(status["failed"])} (run the '
            'same command again to retry them)')
    return status


def run_sweep(specs: Sequence[dict],
              work_dir: str,
              request: Optional[dict] = None,
              max_runs: Optional[int] = None,
              log: Callable[[str], None] = print,
              runner: Callable[[dict], dict] = execute) -> Dict[str, List[str]]:
    """Run every unfinished spec in order, with progress and ETA (:func:`run_queue`).

    Args:
        specs (Sequence[dict]): From :func:`plan_runs`.
        work_dir (str): The sweep's folder (``sweep.json`` goes there).
        request (dict, optional): What was asked, stored in ``sweep.json``.
        max_runs (int, optional): Stop after starting this many runs (the
            rest stays for the next call).
        log (callable): Progress output.
        runner (callable): Runs one spec (default: a child process).

    Returns:
        dict: run ids that were ``skipped`` (already finished), ``done``,
        ``failed`` and ``pending`` (left for later).
    """
    from mmpose_mlehand.utils import atomic_write_json

    os.makedirs(work_dir, exist_ok=True)
    if request is not None:
        atomic_write_json(osp.join(work_dir, 'sweep.json'), request, indent=1)
    return run_queue(specs, 'run_id', 'runs',
                     title=lambda spec: f'{spec["run_id"]} ({spec["recipe"]} recipe)',
                     prepare=lambda spec: prepare_data(spec, log), runner=runner,
                     headline=_headline, max_runs=max_runs, log=log)


def describe(preset_names: Iterable[str] = PRESETS) -> str:
    """Presets, models and noise levels, for ``--help``."""
    lines = ['presets:']
    for name in preset_names:
        preset = PRESETS[name]
        blocks = preset.blocks or (RunBlock(preset.models, preset.noise, preset.seeds), )
        runs = '; '.join(
            f'models {",".join(block.models)} x noise {",".join(block.noise)} x seeds '
            f'{",".join(map(str, block.seeds))} ({" and ".join(block.recipes)} recipe)'
            for block in blocks)
        lines.append(f'  {name}: {preset.description}; {runs}')
    lines.append('models:')
    for spec in MODEL_SPECS.values():
        recipe = f'; recommended recipe: {spec.recipe.name}' if spec.recipe else ''
        lines.append(f'  {spec.key}: {spec.label} [{spec.family}]{recipe}')
    lines.append('noise levels (training labels; val/test labels stay clean):')
    for level in NOISE_LEVELS.values():
        lines.append(f'  {level.key}: {level.label_noise} = {level.description}')
    return '\n'.join(lines)

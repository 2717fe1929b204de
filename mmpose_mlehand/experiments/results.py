"""Read the result files of :mod:`.sweep` and summarise them over seeds.

A group is one (model, recipe, noise level); its runs differ only in the
seed (data and training). Every summary value is the mean over the group's
seeds with a 95% Student-t interval (none for a single seed).

Comparisons of two models pair their runs by seed (a seed fixes the data and
the label noise drawn on them): :func:`paired_difference` gives the mean and
95% Student-t interval of the per-seed difference, and :func:`paired_table`
the verdicts on the paper's loss claims (``docs/results.md``, issue 24).
"""
import glob
import json
import math
import os.path as osp
from collections import OrderedDict
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np
from scipy.stats import t as student_t

from .presets import MODEL_SPECS, NOISE_LEVELS

#: Result-file schema this module reads.
SCHEMA = 1
#: Columns of the main tables: metric key, header, higher is better.
MAIN_METRICS = (
    ('frame-PCK@0.2', 'frame-PCK@0.2 (eq. 8)', True),
    ('PCK@0.2', 'PCK@0.2 per keypoint', True),
    ('NME', 'NME (eq. 9)', False),
    ('frame-AUC', 'frame-AUC (0-0.5)', True),
    ('EPE', 'EPE (px)', False),
)
UNCERTAINTY_METRICS = (
    ('unc/AUROC@0.1', 'AUROC (error > 0.1)'),
    ('unc/Spearman', 'Spearman(sigma, error)'),
    ('unc/NME-confident10', 'NME, 10% most confident'),
    ('unc/NME-uncertain10', 'NME, 10% least confident'),
)

#: The paper's claims as paired comparisons (A, B[, recipe of B]) of models,
#: A on the shared schedule: the method against its head trained with another
#: loss (the loss claims), then against the baselines of Fig. 7 (shared
#: schedule, and each baseline's recommended recipe where it ran).
PAIRED_COMPARISONS = (
    ('mlehand', 'mlehand-ablation-integral-l1'),
    ('mlehand', 'mlehand-ablation-heatmap-l2-peak1'),
    ('mlehand', 'mlehand-ablation-heatmap-l2'),
    ('mlehand', 'integral-l1'),
    ('mlehand', 'integral-l1', 'recommended'),
    ('mlehand', 'heatmap-l2'),
    ('mlehand', 'heatmap-l2', 'recommended'),
    ('mlehand', 'rle'),
    ('mlehand', 'rle', 'recommended'),
    ('mlehand', 'cpm'),
    ('mlehand', 'cpm', 'recommended'),
)
#: Robustness to label noise: (A, B); A is the more robust when its drop from
#: clean to noisy labels is smaller than B's, seed by seed.
ROBUSTNESS_COMPARISONS = (('mlehand', 'mlehand-ablation-integral-l1'), )
#: Metrics of the paired table: key, higher is better.
PAIRED_METRICS = (('frame-PCK@0.2', True), ('NME', False))
#: Spec fields two runs of a seed must share to be a pair (same data set, same
#: budget); runs of one sweep always do.
PAIR_FIELDS = ('num_samples', 'style', 'epochs', 'batch_size')

GroupKey = Tuple[str, str, str]  # (model, recipe, noise)


def load_results(paths: Iterable[str]) -> List[dict]:
    """Result files from files and folders (a sweep folder, its ``results/``).

    Raises:
        ValueError: If no result file is found or one has another schema.
    """
    files: List[str] = []
    for path in paths:
        if osp.isdir(path):
            inner = osp.join(path, 'results')
            folder = inner if osp.isdir(inner) else path
            files += sorted(glob.glob(osp.join(folder, '*.json')))
        else:
            files.append(path)
    results = []
    for file in files:
        with open(file, encoding='utf-8') as f:
            result = json.load(f)
        if result.get('schema') != SCHEMA:
            raise ValueError(f'{file}: not a result file of schema {SCHEMA}')
        result['_file'] = file
        results.append(result)
    if not results:
        raise ValueError(f'no result files in {list(paths)}')
    return results


def mean_ci(values: Sequence[float], level: float = 0.95) -> Tuple[float, float, float, int]:
    """Mean and two-sided Student-t interval of the mean.

    Returns:
        tuple: ``(mean, low, high, n)``; low and high are NaN for n < 2.
        NaN values are left out.
    """
    x = np.asarray([v for v in values if v is not None], np.float64)
    x = x[np.isfinite(x)]
    n = x.size
    if n == 0:
        return float('nan'), float('nan'), float('nan'), 0
    mean = float(x.mean())
    if n < 2:
        return mean, float('nan'), float('nan'), n
    half = float(student_t.ppf(0.5 + level / 2, n - 1) * x.std(ddof=1) / math.sqrt(n))
    return mean, mean - half, mean + half, n


def group_results(results: Sequence[dict]) -> 'OrderedDict[GroupKey, List[dict]]':
    """Results by (model, recipe, noise), in the order of the model and noise
    tables of :mod:`.presets`, each group sorted by seed."""
    model_order = {key: i for i, key in enumerate(MODEL_SPECS)}
    noise_order = {key: i for i, key in enumerate(NOISE_LEVELS)}
    groups: Dict[GroupKey, List[dict]] = {}
    for result in results:
        spec = result['spec']
        groups.setdefault((spec['model'], spec['recipe'], spec['noise']), []).append(result)
    ordered = sorted(groups, key=lambda k: (model_order.get(k[0], 99), k[1],
                                            noise_order.get(k[2], 99), k))
    out: 'OrderedDict[GroupKey, List[dict]]' = OrderedDict()
    for key in ordered:
        runs = sorted(groups[key], key=lambda r: r['spec']['seed'])
        seeds = [r['spec']['seed'] for r in runs]
        if len(set(seeds)) != len(seeds):
            raise ValueError(f'{key}: seed given twice ({[r["_file"] for r in runs]}); '
                             'analyse one sweep at a time')
        out[key] = runs
    return out


def metric_summary(runs: Sequence[dict], key: str) -> Tuple[float, float, float, int]:
    """:func:`mean_ci` of one metric over the runs of a group."""
    return mean_ci([r['metrics'].get(key) for r in runs])


def format_ci(summary: Tuple[float, float, float, int], digits: int = 3) -> str:
    """``0.812 [0.801, 0.823]``, or ``0.812 (n=1)``, or ``-``."""
    mean, low, high, n = summary
    if n == 0:
        return '-'
    if n < 2:
        return f'{mean:.{digits}f} (n=1)'
    return f'{mean:.{digits}f} [{low:.{digits}f}, {high:.{digits}f}]'


def model_label(model: str, recipe: str) -> str:
    """Row label: the model's label, with the recipe when it is not the
    shared one."""
    label = MODEL_SPECS[model].label if model in MODEL_SPECS else model
    return label if recipe == 'shared' else f'{label}, recommended recipe'


def _noise_columns(groups) -> List[str]:
    present = {k[2] for k in groups}
    return [n for n in NOISE_LEVELS if n in present] + sorted(present - set(NOISE_LEVELS))


def _rows(groups) -> List[Tuple[str, str]]:
    rows: List[Tuple[str, str]] = []
    for model, recipe, _ in groups:
        if (model, recipe) not in rows:
            rows.append((model, recipe))
    return rows


def metric_table(groups, key: str, digits: int = 3) -> str:
    """Markdown table of one metric: a row per (model, recipe), a column per
    noise level, cells mean [95% interval] over seeds."""
    noise = _noise_columns(groups)
    lines = ['| model | ' + ' | '.join(noise) + ' |', '| --- |' + ' --- |' * len(noise)]
    for model, recipe in _rows(groups):
        cells = [format_ci(metric_summary(groups[(model, recipe, n)], key), digits)
                 if (model, recipe, n) in groups else '-' for n in noise]
        lines.append(f'| {model_label(model, recipe)} | ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def stage_table(groups, thr: str = '0.2') -> Optional[str]:
    """Markdown table of PCK@thr per stage for models with stages."""
    keys = [k for k, runs in groups.items()
            if any(f'stage1/PCK@{thr}' in r['metrics'] for r in runs)]
    if not keys:
        return None
    num_stages = max(int(m.split('/')[0][5:]) for k in keys for r in groups[k]
                     for m in r['metrics'] if m.startswith('stage'))
    lines = ['| model | noise | ' + ' | '.join(f'stage {t}' for t in range(1, num_stages + 1)) +
             ' |', '| --- | --- |' + ' --- |' * num_stages]
    for key in keys:
        cells = [format_ci(metric_summary(groups[key], f'stage{t}/PCK@{thr}'))
                 for t in range(1, num_stages + 1)]
        lines.append(f'| {model_label(key[0], key[1])} | {key[2]} | ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def learning_curve_table(groups, key: str = 'frame-PCK@0.2') -> Optional[str]:
    """Markdown table of the validation ``key`` after each epoch, mean over
    the group's seeds (the result files' ``val_curves``; runs without
    them, from before they were kept, are left out)."""
    rows = []
    for group, runs in groups.items():
        curves = [r['val_curves'][key] for r in runs if key in r.get('val_curves', {})]
        if curves:
            epochs = min(len(c) for c in curves)
            rows.append((group, len(curves), np.mean([c[:epochs] for c in curves], axis=0)))
    if not rows:
        return None
    width = max(len(mean) for _, _, mean in rows)
    lines = ['| model | noise | seeds | ' + ' | '.join(f'ep {e}' for e in range(1, width + 1)) +
             ' |', '| --- | --- | --- |' + ' --- |' * width]
    for (model, recipe, noise), seeds, mean in rows:
        cells = [f'{v:.3f}' for v in mean] + [''] * (width - len(mean))
        lines.append(f'| {model_label(model, recipe)} | {noise} | {seeds} | ' + ' | '.join(cells)
                     + ' |')
    return '\n'.join(lines)


def uncertainty_table(groups) -> Optional[str]:
    """Markdown table of the uncertainty metrics for models with sigmas."""
    keys = [k for k, runs in groups.items()
            if any(UNCERTAINTY_METRICS[0][0] in r['metrics'] for r in runs)]
    if not keys:
        return None
    lines = ['| model | noise | ' + ' | '.join(h for _, h in UNCERTAINTY_METRICS) + ' |',
             '| --- | --- |' + ' --- |' * len(UNCERTAINTY_METRICS)]
    for key in keys:
        cells = [format_ci(metric_summary(groups[key], m)) for m, _ in UNCERTAINTY_METRICS]
        lines.append(f'| {model_label(key[0], key[1])} | {key[2]} | ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def _seed_runs(groups, *group_keys: GroupKey) -> Dict[int, List[dict]]:
    """The runs of the given groups by seed, for the seeds that all of them
    ran (a seed fixes the data, so these are the pairs).

    Raises:
        ValueError: If a seed's runs differ in data or budget (``PAIR_FIELDS``).
    """
    by_group = [{r['spec']['seed']: r for r in groups.get(key, ())} for key in group_keys]
    seeds = sorted(set.intersection(*(set(runs) for runs in by_group)))
    out = {}
    for seed in seeds:
        runs = [runs[seed] for runs in by_group]
        # The same seed is the same data only within one data set and budget.
        differ = [f for f in PAIR_FIELDS if len({str(r['spec'].get(f)) for r in runs}) > 1]
        if differ:
            raise ValueError(
                f'{" and ".join("/".join(k) for k in group_keys)} (seed {seed}) ran with other '
                f'{differ} ({", ".join(str(r.get("_file")) for r in runs)}): not a pair; '
                'analyse one sweep at a time')
        out[seed] = runs
    return out


def _finite(value) -> bool:
    return value is not None and math.isfinite(value)


def _paired(groups, model_a: str, model_b: str, noise: str, key: str, recipe: str,
            recipe_b: str, level: float) -> Tuple[float, float, float, int]:
    """:func:`paired_difference` on grouped results."""
    differences = []
    for a, b in _seed_runs(groups, (model_a, recipe, noise), (model_b, recipe_b, noise)).values():
        value_a, value_b = a['metrics'].get(key), b['metrics'].get(key)
        if _finite(value_a) and _finite(value_b):
            differences.append(value_a - value_b)
    return mean_ci(differences, level)


def paired_difference(results: Sequence[dict], model_a: str, model_b: str, noise: str,
                      key: str, recipe: str = 'shared', recipe_b: Optional[str] = None,
                      level: float = 0.95) -> Tuple[float, float, float, int]:
    """Mean and Student-t interval of the per-seed difference A - B of a metric.

    Runs pair by seed: a seed fixes the data (train, val and test sets and the
    label noise drawn on them) and the training seed, so d = A - B of one seed
    compares the two models on the same data. Seeds that only one of the two
    ran, and pairs where a run lacks the metric (or it is NaN), are left out.

    Args:
        results (Sequence[dict]): Result files (:func:`load_results`).
        model_a (str): Model A (``MODEL_SPECS`` key).
        model_b (str): Model B.
        noise (str): Noise level of both.
        key (str): Metric key, e.g. ``'frame-PCK@0.2'``.
        recipe (str): Recipe of A (``'shared'`` or ``'recommended'``).
        recipe_b (str, optional): Recipe of B; defaults to ``recipe``.
        level (float): Confidence level of the two-sided interval.

    Returns:
        tuple: ``(mean, low, high, n)`` of d over the n pairs, as
        :func:`mean_ci` (n - 1 degrees of freedom; NaN bounds for n < 2).

    Raises:
        ValueError: If a seed's two runs differ in data or budget
            (``PAIR_FIELDS``), or a group holds a seed twice.
    """
    return _paired(group_results(results), model_a, model_b, noise, key, recipe,
                   recipe if recipe_b is None else recipe_b, level)


def paired_verdict(summary: Tuple[float, float, float, int], higher_is_better: bool) -> str:
    """The verdict on "A is better than B" from the interval of d = A - B.

    Returns:
        str: ``'supported'`` if the interval lies entirely on the better side
        of 0 (above for a higher-is-better metric, below otherwise),
        ``'contradicted'`` if entirely on the other side, ``'not separable'``
        if it holds 0, ``'too few seeds'`` for fewer than 2 pairs.
    """
    _, low, high, n = summary
    if n < 2:
        return 'too few seeds'
    if low > 0:
        return 'supported' if higher_is_better else 'contradicted'
    if high < 0:
        return 'contradicted' if higher_is_better else 'supported'
    return 'not separable'


def paired_table(results: Sequence[dict],
                 comparisons: Sequence[Tuple[str, str]] = PAIRED_COMPARISONS,
                 metrics: Sequence[Tuple[str, bool]] = PAIRED_METRICS,
                 recipe: str = 'shared') -> Optional[str]:
    """Markdown table of paired differences and their verdicts.

    A row per comparison (A, B), noise level where both ran and metric that A
    has: the mean of d = A - B over the paired seeds [95% interval], the
    number of pairs and :func:`paired_verdict`.

    Args:
        results (Sequence[dict]): Result files (:func:`load_results`).
        comparisons (Sequence[tuple]): (A, B) model keys.
        metrics (Sequence[tuple]): (metric key, higher is better).
        recipe (str): Recipe of both models.

    Returns:
        str or None: The table; None if no comparison has both models.
    """
    groups = group_results(results)
    lines = []
    for comparison in comparisons:
        model_a, model_b = comparison[:2]
        recipe_b = comparison[2] if len(comparison) > 2 else recipe
        for noise in _noise_columns(groups):
            if (model_a, recipe, noise) not in groups or (model_b, recipe_b, noise) not in groups:
                continue
            for key, higher in metrics:
                if not any(key in r['metrics'] for r in groups[(model_a, recipe, noise)]):
                    continue
                summary = _paired(groups, model_a, model_b, noise, key, recipe, recipe_b, 0.95)
                lines.append(f'| {model_label(model_a, recipe)} vs '
                             f'{model_label(model_b, recipe_b)} '
                             f'| {noise} | {key} | {format_ci(summary, 4)} | {summary[3]} '
                             f'| {paired_verdict(summary, higher)} |')
    if not lines:
        return None
    return '\n'.join(['| A vs B | noise | metric | mean of A - B [95% interval] | pairs | '
                      'verdict on "A better" |', '| --- | --- | --- | --- | --- | --- |'] + lines)


def stage_step_table(results: Sequence[dict], model: str = 'mlehand', noise: str = 'clean',
                     recipe: str = 'shared', thr: str = '0.2') -> Optional[str]:
    """Markdown table of the per-seed gain of each stage over the one before
    (PCK@thr of stage t+1 minus stage t, the same run), with verdicts on
    "stage t+1 better"; the claim "accuracy rises up to the last stage" holds
    when every step is supported.

    Returns:
        str or None: The table; None without stage-wise results of the group.
    """
    runs = group_results(results).get((model, recipe, noise), [])
    stages = sorted({int(k.split('/')[0][5:]) for r in runs for k in r['metrics']
                     if k.startswith('stage') and k.endswith(f'/PCK@{thr}')})
    if len(stages) < 2:
        return None
    lines = ['| step | mean of the gain [95% interval] | seeds | verdict on "later stage '
             'better" |', '| --- | --- | --- | --- |']
    for t in stages[:-1]:
        gains = [r['metrics'][f'stage{t + 1}/PCK@{thr}'] - r['metrics'][f'stage{t}/PCK@{thr}']
                 for r in runs if _finite(r['metrics'].get(f'stage{t}/PCK@{thr}'))
                 and _finite(r['metrics'].get(f'stage{t + 1}/PCK@{thr}'))]
        summary = mean_ci(gains)
        lines.append(f'| stage {t} -> {t + 1} | {format_ci(summary, 4)} | {summary[3]} '
                     f'| {paired_verdict(summary, True)} |')
    return '\n'.join(lines)


def robustness_table(results: Sequence[dict],
                     comparisons: Sequence[Tuple[str, str]] = ROBUSTNESS_COMPARISONS,
                     metrics: Sequence[Tuple[str, bool]] = PAIRED_METRICS,
                     recipe: str = 'shared') -> Optional[str]:
    """Markdown table of "A loses less than B to label noise", seed by seed.

    For each noisy level both models ran with clean labels too, each seed
    gives the loss of each model from clean to noisy labels (clean - noisy
    for a higher-is-better metric, noisy - clean otherwise) and d = loss of
    B - loss of A; the verdict on "A more robust" is :func:`paired_verdict`
    of d (higher is better).

    Returns:
        str or None: The table; None if no comparison has both models clean
        and noisy.
    """
    groups = group_results(results)
    lines = []
    for model_a, model_b in comparisons:
        for noise in _noise_columns(groups):
            if noise == 'clean':
                continue
            keys = [(model_a, recipe, 'clean'), (model_a, recipe, noise),
                    (model_b, recipe, 'clean'), (model_b, recipe, noise)]
            if not all(k in groups for k in keys):
                continue
            for key, higher in metrics:
                sign = 1.0 if higher else -1.0
                d = []
                for a_clean, a_noisy, b_clean, b_noisy in _seed_runs(groups, *keys).values():
                    values = [r['metrics'].get(key) for r in (a_clean, a_noisy, b_clean, b_noisy)]
                    if all(_finite(v) for v in values):
                        d.append(sign * ((values[2] - values[3]) - (values[0] - values[1])))
                summary = mean_ci(d)
                lines.append(f'| {model_label(model_a, recipe)} vs {model_label(model_b, recipe)} '
                             f'| {noise} | {key} | {format_ci(summary, 4)} | {summary[3]} '
                             f'| {paired_verdict(summary, True)} |')
    if not lines:
        return None
    header = ['| A vs B | noise | metric | loss of B - loss of A [95% interval] | pairs | '
              'verdict on "A more robust" |', '| --- | --- | --- | --- | --- | --- |']
    return '\n'.join(header + lines)


def progress_table(results: Sequence[dict]) -> str:
    """The finished runs of a sweep in the order they finished, as Markdown.

    Columns: run id, day finished, wall time of training and testing (the
    result file's ``wall_time_s.total``), test frame-PCK@0.2 and NME.
    """
    lines = ['| run | finished | time | frame-PCK@0.2 | NME |', '| --- | --- | --- | --- | --- |']
    for run in sorted(results, key=lambda r: r['finished']):
        minutes, seconds = divmod(int(round(run['wall_time_s']['total'])), 60)
        lines.append(f"| `{run['run_id']}` | {run['finished'][:10]} | {minutes} min "
                     f"{seconds:02d} s | {run['metrics']['frame-PCK@0.2']:.3f} | "
                     f"{run['metrics']['NME']:.3f} |")
    return '\n'.join(lines) + '\n'


def _distinct(values: Iterable) -> List:
    out: List = []
    for value in values:
        if value not in out:
            out.append(value)
    return out


def settings_section(results: Sequence[dict]) -> str:
    """What the runs were: preset, data, budget, recipes, noise levels, box
    rule, seeds and time."""
    specs = [r['spec'] for r in results]
    lines = []
    for preset in _distinct(s['preset'] for s in specs):
        of = [s for s in specs if s['preset'] == preset]
        budgets = _distinct((s['num_samples'], s['style'], s['epochs'], s['batch_size'])
                            for s in of)
        for num, style, epochs, batch in budgets:
            iters = _distinct(r['recipe']['iterations'] for r in results
                              if r['spec']['preset'] == preset
                              and r['spec']['epochs'] == epochs)
            lines.append(f'- preset `{preset}` ({of[0]["size"]} size): {num} synthetic hands '
                         f'({style} style; 8:1:1 train/val/test by sample), {epochs} epochs at '
                         f'batch {batch} ({", ".join(map(str, iters))} updates) for every '
                         'model')
    lines.append('- box rule: errors are normalised by ' + '; '.join(
        _distinct(str(r['box_rule']) for r in results)))
    lines.append('- seeds: ' + ', '.join(map(str, sorted({s['seed'] for s in specs}))) +
                 ' (each seed: its own data and training); cells are the mean over seeds '
                 '[95% Student-t interval]')
    lines.append('- model selection: the best frame-AUC on the clean validation split; '
                 'test on the clean test split')
    lines.append('- training-label noise: ' + '; '.join(
        f'`{k}` = {NOISE_LEVELS[k].label_noise} ({NOISE_LEVELS[k].description})'
        if k in NOISE_LEVELS else f'`{k}`' for k in _distinct(s['noise'] for s in specs)))
    for text in _distinct(r['recipe']['description'] for r in results):
        users = _distinct(model_label(r['spec']['model'], r['spec']['recipe'])
                          for r in results if r['recipe']['description'] == text)
        lines.append(f'- schedule of {", ".join(users)}: {text}')
    for variant in _distinct(r['model'].get('variant') for r in results):
        if variant:
            lines.append(f'- variant: {variant}')
    times = [r['wall_time_s']['total'] for r in results]
    lines.append(f'- wall time per run: mean {np.mean(times) / 60:.1f} min, '
                 f'total {np.sum(times) / 3600:.2f} h for {len(results)} runs '
                 '(training and testing; data generation not included)')
    return '\n'.join(lines)


def mean_pose_references(results: Sequence[dict]) -> Dict[str, Dict[str, float]]:
    """The mean-pose baseline on the test split of every data set the runs used.

    Returns:
        dict: ``'<noise> seed <s>'`` -> ``PCK@0.2``, ``frame-PCK@0.2``,
        ``NME`` of the training split's mean pose placed in each test box
        (:func:`~mmpose_mlehand.evaluation.mean_pose.mean_pose_hand_box_metrics`);
        data sets whose annotation files are gone are left out.
    """
    from ..evaluation.mean_pose import mean_pose_hand_box_metrics
    references = {}
    for spec in _distinct(r['spec'] for r in results):
        files = [osp.join(spec['data_root'], 'annotations', f'freihand_{split}.json')
                 for split in ('train', 'test')]
        name = f'{spec["noise"]} seed {spec["seed"]}'
        if name not in references and all(osp.isfile(f) for f in files):
            references[name] = mean_pose_hand_box_metrics(*files)
    return references


def references_section(references: Dict[str, Dict[str, float]]) -> str:
    """A table of the mean-pose baseline per data set (what learning nothing
    from the image scores)."""
    keys = ('frame-PCK@0.2', 'PCK@0.2', 'NME')
    lines = ['| data set | ' + ' | '.join(keys) + ' |', '|---' * (len(keys) + 1) + '|']
    for name, metrics in references.items():
        lines.append(f'| {name} | ' + ' | '.join(f'{metrics[k]:.3f}' for k in keys) + ' |')
    return '\n'.join(lines)


def summary_markdown(results: Sequence[dict], figures: Sequence[str] = (),
                     references: Optional[Dict[str, Dict[str, float]]] = None) -> str:
    """The whole Markdown summary: settings, the mean-pose baseline (if given),
    one table per main metric, the paired differences of the loss claims,
    stage and uncertainty tables, links to figures."""
    groups = group_results(results)
    parts = ['# Label-noise benchmark results', '', settings_section(results), '']
    if references:
        parts += ['## Mean pose (learns nothing from the image)', '',
                  'The training split\'s mean pose, in box units, placed in every test box; '
                  'same metrics and boxes as the models.', '', references_section(references),
                  '']
    for key, header, higher in MAIN_METRICS:
        if any(key in r['metrics'] for r in results):
            better = 'higher' if higher else 'lower'
            parts += [f'## {header} ({better} is better)', '', metric_table(groups, key), '']
    sections = (
        ('## Paired differences: the loss claims',
         'Runs pair by seed (a seed fixes the data, the label noise drawn on them and the '
         'training seed); seeds that only one model ran are left out. A cell is the mean over '
         'the pairs of d = A - B [95% Student-t interval, n - 1 degrees of freedom]. Verdict on '
         '"A better than B": *supported* when the interval lies entirely above 0 (for NME: '
         'entirely below 0), *contradicted* when entirely on the other side, *not separable* '
         'when it holds 0, *too few seeds* for fewer than 2 pairs. Each row is judged alone at '
         '95%.', paired_table(results)),
        ('## Paired differences: robustness to label noise',
         'Per seed, each model\'s loss from clean to noisy labels (clean - noisy; for NME '
         'noisy - clean) and d = loss of B - loss of A; same verdict rule as above on "A more '
         'robust".', robustness_table(results)),
        ('## PCK@0.2 per stage (paper Fig. 4)', None, stage_table(groups)),
        ('## Paired differences: stage by stage (the method, clean labels)',
         'Per seed, PCK@0.2 of each stage minus the stage before it (the same run); same '
         'verdict rule as above on "the later stage better".', stage_step_table(results)),
        ('## Learning curves (validation frame-PCK@0.2 after each epoch)',
         'Mean over the seeds; a model still rising at its last epoch was stopped by the '
         'budget.', learning_curve_table(groups)),
        ('## Uncertainty of the predicted sigmas',
         'AUROC of sigma for "error above 0.1 x max(w, h)" (0.5: no information), Spearman '
         'correlation of sigma and error, and the NME of the 10% most and least confident '
         'keypoints.', uncertainty_table(groups)),
    )
    for title, text, table in sections:
        if table:
            parts += [title, ''] + ([text, ''] if text else []) + [table, '']
    if figures:
        parts += ['## Figures', '']
        parts += [f'![{osp.splitext(osp.basename(f))[0]}]({osp.basename(f)})' for f in figures]
        parts.append('')
    return '\n'.join(parts)

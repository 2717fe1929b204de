"""PNG figures of a sweep in the style of the paper's (matplotlib, Agg canvas).

- ``stages.png``: PCK@0.2 per stage of the sequential models (paper Fig. 4);
- ``losses_<noise>.png`` / ``methods_<noise>.png``: (a) NME per joint for the
  paper's 11 joints, overall NME in the legend, (b) the frame-PCK curve over
  thresholds ("percentage of good frames"), for the loss comparison (method
  and ablations) and the method comparison (method and baselines) (Figs. 5-7);
- ``noise.png``: frame-PCK@0.2 and NME against the training-label noise level;
- ``calibration.png``: mean error against mean predicted sigma in bins of
  increasing sigma, for the models that predict sigmas.

Every value is the mean over seeds; error bars are 95% Student-t intervals.
"""
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .results import GroupKey, group_results, mean_ci, model_label

PAPER_JOINT_NAMES = ('wrist', 'thumb R', 'thumb T', 'index R', 'index T', 'middle R',
                     'middle T', 'ring R', 'ring T', 'little R', 'little T')


def _save(fig: Figure, path: str) -> str:
    FigureCanvasAgg(fig)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return path


def _errorbar(summaries: Sequence[Tuple[float, float, float, int]]) -> Tuple[list, list]:
    means = [s[0] for s in summaries]
    errors = [[0.0 if np.isnan(s[1]) else s[0] - s[1] for s in summaries],
              [0.0 if np.isnan(s[2]) else s[2] - s[0] for s in summaries]]
    return means, errors


def _noise_levels(groups) -> List[str]:
    from .presets import NOISE_LEVELS
    present = {k[2] for k in groups}
    return [n for n in NOISE_LEVELS if n in present] + sorted(present - set(NOISE_LEVELS))


def _detail(run: dict, metric: str, key: str):
    return run.get('details', {}).get(metric, {}).get(key)


def stages_figure(groups, path: str) -> Optional[str]:
    """PCK@0.2 per stage, one panel per noise level (paper Fig. 4)."""
    keys = [k for k, runs in groups.items() if _detail(runs[0], 'StagewiseHandMetric', 'pck')]
    if not keys:
        return None
    noise = [n for n in _noise_levels(groups) if any(k[2] == n for k in keys)]
    fig = Figure(figsize=(4.2 * len(noise), 3.6))
    for i, level in enumerate(noise):
        ax = fig.add_subplot(1, len(noise), i + 1)
        for key in (k for k in keys if k[2] == level):
            per_run = np.array([_detail(r, 'StagewiseHandMetric', 'pck') for r in groups[key]])
            summaries = [mean_ci(per_run[:, t]) for t in range(per_run.shape[1])]
            means, errors = _errorbar(summaries)
            ax.errorbar(np.arange(1, len(means) + 1), means, yerr=errors, marker='o',
                        capsize=3, label=model_label(key[0], key[1]))
        ax.set_xlabel('stage')
        ax.set_ylabel('PCK@0.2 (hand box)')
        ax.set_title(f'noise: {level}')
        ax.set_xticks(range(1, per_run.shape[1] + 1))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    return _save(fig, path)


def _joint_values(run: dict) -> Tuple[List[str], List[float]]:
    paper = _detail(run, 'HandNME', 'paper_joints')
    if paper:
        return list(PAPER_JOINT_NAMES), [paper[name] for name in PAPER_JOINT_NAMES]
    joints = _detail(run, 'HandNME', 'joint_nme') or []
    return [str(i) for i in range(len(joints))], joints


def comparison_figure(groups, keys: Sequence[GroupKey], title: str, path: str
                      ) -> Optional[str]:
    """(a) NME per joint (bars), (b) frame-PCK over thresholds (curves)."""
    keys = [k for k in keys if _detail(groups[k][0], 'HandNME', 'joint_nme')]
    if not keys:
        return None
    fig = Figure(figsize=(12, 4.2))
    ax_bar, ax_curve = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
    width = 0.8 / len(keys)
    for i, key in enumerate(keys):
        runs = groups[key]
        names, _ = _joint_values(runs[0])
        values = np.array([_joint_values(r)[1] for r in runs], dtype=np.float64)
        summaries = [mean_ci(values[:, j]) for j in range(values.shape[1])]
        means, errors = _errorbar(summaries)
        overall = mean_ci([r['metrics']['NME'] for r in runs])[0]
        label = f'{model_label(key[0], key[1])} ({overall:.3f})'
        ax_bar.bar(np.arange(len(names)) + (i - (len(keys) - 1) / 2) * width, means, width,
                   yerr=errors, capsize=2, label=label)
        thrs = _detail(runs[0], 'HandPCK', 'curve_thrs')
        curves = np.array([_detail(r, 'HandPCK', 'frame_pck_curve') for r in runs])
        ax_curve.plot(thrs, curves.mean(axis=0), label=model_label(key[0], key[1]))
        if len(runs) > 1:
            ax_curve.fill_between(thrs, curves.min(axis=0), curves.max(axis=0), alpha=0.15)
    ax_bar.set_xticks(np.arange(len(names)))
    ax_bar.set_xticklabels(names, rotation=45, ha='right', fontsize=8)
    ax_bar.set_ylabel('NME (hand box)')
    ax_bar.set_title('(a) NME per joint; mean NME in parentheses')
    ax_bar.legend(fontsize=7)
    ax_curve.set_xlabel('threshold (fraction of max(w, h) of the hand box)')
    ax_curve.set_ylabel('frames with mean error <= threshold')
    ax_curve.set_title('(b) percentage of good frames (PCK, eq. 8)')
    ax_curve.set_ylim(0, 1.01)
    ax_curve.grid(alpha=0.3)
    ax_curve.legend(fontsize=7, loc='lower right')
    fig.suptitle(title, fontsize=10)
    return _save(fig, path)


def noise_figure(groups, path: str) -> Optional[str]:
    """frame-PCK@0.2 and NME against the noise level, a line per model."""
    noise = _noise_levels(groups)
    if len(noise) < 2:
        return None
    fig = Figure(figsize=(10, 4))
    panels = (('frame-PCK@0.2', 'frame-PCK@0.2 (eq. 8)'), ('NME', 'NME (eq. 9)'))
    rows: List[Tuple[str, str]] = []
    for model, recipe, _ in groups:
        if (model, recipe) not in rows:
            rows.append((model, recipe))
    for i, (metric, name) in enumerate(panels):
        ax = fig.add_subplot(1, 2, i + 1)
        for model, recipe in rows:
            levels = [n for n in noise if (model, recipe, n) in groups]
            summaries = [mean_ci([r['metrics'].get(metric) for r in groups[(model, recipe, n)]])
                         for n in levels]
            means, errors = _errorbar(summaries)
            ax.errorbar([noise.index(n) for n in levels], means, yerr=errors, marker='o',
                        capsize=3, label=model_label(model, recipe))
        ax.set_xticks(range(len(noise)))
        ax.set_xticklabels(noise)
        ax.set_xlabel('training-label noise')
        ax.set_ylabel(name)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    return _save(fig, path)


def calibration_figure(groups, path: str) -> Optional[str]:
    """Mean error against mean predicted sigma (equal-count bins)."""
    keys = [k for k, runs in groups.items()
            if _detail(runs[0], 'KeypointUncertaintyMetric', 'calibration')]
    if not keys:
        return None
    noise = [n for n in _noise_levels(groups) if any(k[2] == n for k in keys)]
    fig = Figure(figsize=(4.2 * len(noise), 3.8))
    for i, level in enumerate(noise):
        ax = fig.add_subplot(1, len(noise), i + 1)
        top = 0.0
        for key in (k for k in keys if k[2] == level):
            bins = [_detail(r, 'KeypointUncertaintyMetric', 'calibration')
                    for r in groups[key]]
            size = min(len(b['uncertainty']) for b in bins)
            sigma = np.mean([b['uncertainty'][:size] for b in bins], axis=0)
            error = np.mean([b['error'][:size] for b in bins], axis=0)
            auroc = mean_ci([r['metrics'].get('unc/AUROC@0.1') for r in groups[key]])[0]
            ax.plot(sigma, error, marker='o',
                    label=f'{model_label(key[0], key[1])} (AUROC {auroc:.2f})')
            top = max(top, float(sigma.max()), float(error.max()))
        ax.plot([0, top], [0, top], 'k--', linewidth=0.8, label='error = sigma')
        ax.set_xlabel('mean predicted sigma (hand box units)')
        ax.set_ylabel('mean error (hand box units)')
        ax.set_title(f'noise: {level}')
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    return _save(fig, path)


def write_figures(results: Sequence[dict], out_dir: str) -> List[str]:
    """Every figure the results allow; returns the paths written."""
    os.makedirs(out_dir, exist_ok=True)
    groups = group_results(results)
    written: List[Optional[str]] = [stages_figure(groups, osp.join(out_dir, 'stages.png'))]
    families: Dict[str, Tuple[str, ...]] = dict(losses=('method', 'ablation'),
                                                methods=('method', 'baseline'))
    titles = dict(losses='loss comparison (the method\'s model, different losses)',
                  methods='comparison with the baselines')
    for level in _noise_levels(groups):
        for name, wanted in families.items():
            keys = [k for k, runs in groups.items()
                    if k[2] == level and runs[0]['model']['family'] in wanted]
            families_present = {groups[k][0]['model']['family'] for k in keys}
            if len(keys) < 2 or families_present == {'method'}:
                continue
            written.append(comparison_figure(
                groups, keys, f'{titles[name]}, noise: {level}',
                osp.join(out_dir, f'{name}_{level}.png')))
    written.append(noise_figure(groups, osp.join(out_dir, 'noise.png')))
    written.append(calibration_figure(groups, osp.join(out_dir, 'calibration.png')))
    return [path for path in written if path]

"""Paired differences of tools/analyze_results.py on result files whose numbers are known."""
import json
import math
import os.path as osp
import subprocess
import sys

import pytest

from mmpose_mlehand.experiments.results import (paired_difference, paired_table, paired_verdict,
                                                robustness_table, stage_step_table,
                                                summary_markdown)

T_975_2 = 4.302652729911275  # Student t, 0.975 quantile, 2 degrees of freedom
T_975_1 = 12.706204736174694  # ...and 1 degree of freedom
FAMILY = {'mlehand': 'method', 'rle': 'baseline'}


def result(model, seed, noise, pck, nme, recipe='shared', **spec):
    """A result file as :func:`load_results` gives it: only what the summary reads."""
    spec = dict(dict(model=model, recipe=recipe, noise=noise, seed=seed, preset='medium',
                     size='cpu', num_samples=6000, style='clean', epochs=2, batch_size=8),
                **spec)
    return dict(schema=1, spec=spec,
                model=dict(key=model, family=FAMILY.get(model, 'ablation'), variant=None),
                recipe=dict(name=recipe, description=f'{recipe}: test', iterations=1200),
                box_rule='max(w, h) of the ground-truth hand box',
                metrics={'frame-PCK@0.2': pck, 'NME': nme}, details={},
                wall_time_s=dict(total=60.0), _file=f'{model}__{noise}__seed{seed}__{recipe}')


def known_results():
    """Per-seed differences chosen so that every verdict occurs once or more."""
    runs = []
    for seed, pck, nme in zip((0, 1, 2, 5), (0.81, 0.83, 0.82, 0.99), (0.10, 0.11, 0.12, 0.01)):
        runs.append(result('mlehand', seed, 'clean', pck, nme))
    # Seed 3 only for the ablation and seed 5 only for the method: no pair.
    for seed, pck in zip((0, 1, 2, 3), (0.80, 0.80, 0.80, 0.10)):
        runs.append(result('mlehand-ablation-integral-l1', seed, 'clean', pck, 0.20))
    for seed, pck, nme in zip((0, 1, 2), (0.89, 0.93, 0.91), (0.10, 0.11, 0.12)):
        runs.append(result('mlehand-ablation-heatmap-l2-peak1', seed, 'clean', pck, nme))
    runs.append(result('mlehand-ablation-heatmap-l2', 0, 'clean', 0.80, 0.20))
    for seed, pck in zip((0, 1, 2), (0.75, 0.76, 0.77)):
        runs.append(result('mlehand', seed, 'gauss6', pck, 0.15))
        runs.append(result('mlehand-ablation-integral-l1', seed, 'gauss6', 0.70, 0.14))
    return runs


def test_paired_interval_by_hand():
    results = known_results()
    # frame-PCK, seeds 0-2: d = [0.01, 0.03, 0.02], mean 0.02, sd 0.01.
    mean, low, high, n = paired_difference(results, 'mlehand', 'mlehand-ablation-integral-l1',
                                           'clean', 'frame-PCK@0.2')
    half = T_975_2 * 0.01 / math.sqrt(3)
    assert (mean, n) == (pytest.approx(0.02), 3)
    assert (low, high) == (pytest.approx(0.02 - half), pytest.approx(0.02 + half))
    # NME: d = [-0.10, -0.09, -0.08], mean -0.09, sd 0.01.
    mean, low, high, n = paired_difference(results, 'mlehand', 'mlehand-ablation-integral-l1',
                                           'clean', 'NME')
    assert (mean, low, high, n) == (pytest.approx(-0.09), pytest.approx(-0.09 - half),
                                    pytest.approx(-0.09 + half), 3)
    # B - A is the mirror image.
    mean, low, high, n = paired_difference(results, 'mlehand-ablation-integral-l1', 'mlehand',
                                           'clean', 'NME')
    assert (mean, low, high, n) == (pytest.approx(0.09), pytest.approx(0.09 - half),
                                    pytest.approx(0.09 + half), 3)
    # One pair: a mean, no interval.
    mean, low, high, n = paired_difference(results, 'mlehand', 'mlehand-ablation-heatmap-l2',
                                           'clean', 'frame-PCK@0.2')
    assert (mean, n) == (pytest.approx(0.01), 1) and math.isnan(low) and math.isnan(high)
    # No run of B at that level, or no such metric: no pairs.
    assert paired_difference(results, 'mlehand', 'mlehand-ablation-heatmap-l2', 'gauss6',
                             'NME')[3] == 0
    assert paired_difference(results, 'mlehand', 'mlehand-ablation-integral-l1', 'clean',
                             'EPE')[3] == 0


def test_pairs_need_both_runs_of_a_seed_and_the_metric():
    results = known_results()
    # Without the unpaired seeds 3 and 5 the answer is the same.
    paired = [r for r in results if r['spec']['seed'] not in (3, 5)]
    for key in ('frame-PCK@0.2', 'NME'):
        assert paired_difference(results, 'mlehand', 'mlehand-ablation-integral-l1', 'clean',
                                 key) == paired_difference(paired, 'mlehand',
                                                           'mlehand-ablation-integral-l1',
                                                           'clean', key)
    # A NaN metric drops its pair: d = [0.01, 0.02].
    results[1]['metrics']['frame-PCK@0.2'] = float('nan')
    mean, low, high, n = paired_difference(results, 'mlehand', 'mlehand-ablation-integral-l1',
                                           'clean', 'frame-PCK@0.2')
    half = T_975_1 * math.sqrt(0.00005) / math.sqrt(2)  # sd of [0.01, 0.02]
    assert (mean, low, high, n) == (pytest.approx(0.015), pytest.approx(0.015 - half),
                                    pytest.approx(0.015 + half), 2)


def test_recipes_pair_separately():
    results = [result('mlehand', s, 'clean', pck, 0.1) for s, pck in ((0, 0.81), (1, 0.83))]
    results += [result('rle', s, 'clean', 0.5, 0.2) for s in (0, 1)]
    results += [result('rle', s, 'clean', pck, 0.2, recipe='recommended')
                for s, pck in ((0, 0.70), (1, 0.80))]
    mean, _, _, n = paired_difference(results, 'mlehand', 'rle', 'clean', 'frame-PCK@0.2')
    assert (mean, n) == (pytest.approx(0.32), 2)
    # d = [0.11, 0.03]: mean 0.07, sd 0.08 / sqrt(2).
    mean, low, high, n = paired_difference(results, 'mlehand', 'rle', 'clean', 'frame-PCK@0.2',
                                           recipe_b='recommended')
    half = T_975_1 * (0.08 / math.sqrt(2)) / math.sqrt(2)
    assert (mean, low, high, n) == (pytest.approx(0.07), pytest.approx(0.07 - half),
                                    pytest.approx(0.07 + half), 2)


def test_runs_of_other_settings_are_not_pairs():
    results = [result('mlehand', 0, 'clean', 0.8, 0.1),
               result('mlehand-ablation-integral-l1', 0, 'clean', 0.7, 0.2, epochs=40)]
    with pytest.raises(ValueError, match=r"other \['epochs'\].*not a pair"):
        paired_difference(results, 'mlehand', 'mlehand-ablation-integral-l1', 'clean', 'NME')


def test_verdicts():
    assert paired_verdict((0.02, 0.001, 0.04, 3), True) == 'supported'
    assert paired_verdict((0.02, 0.001, 0.04, 3), False) == 'contradicted'
    assert paired_verdict((-0.02, -0.04, -0.001, 3), True) == 'contradicted'
    assert paired_verdict((-0.02, -0.04, -0.001, 3), False) == 'supported'
    assert paired_verdict((0.02, -0.001, 0.04, 3), True) == 'not separable'
    assert paired_verdict((0.0, 0.0, 0.0, 3), True) == 'not separable'  # touches 0
    assert paired_verdict((0.02, 0.0, 0.04, 2), False) == 'not separable'
    nan = float('nan')
    assert paired_verdict((0.5, nan, nan, 1), True) == 'too few seeds'
    assert paired_verdict((nan, nan, nan, 0), False) == 'too few seeds'


MLE, INTEGRAL = 'MLE loss (method)', 'Integral L1 loss (ablation)'
PEAK1 = 'heatmap L2 loss, peak-1 target (ablation variant)'
EXPECTED_ROWS = [
    # d = [0.01, 0.03, 0.02]: 0.02 -+ 0.0248.
    f'| {MLE} vs {INTEGRAL} | clean | frame-PCK@0.2 | 0.0200 [-0.0048, 0.0448] | 3 '
    '| not separable |',
    f'| {MLE} vs {INTEGRAL} | clean | NME | -0.0900 [-0.1148, -0.0652] | 3 | supported |',
    # d = [0.05, 0.06, 0.07]; NME d = [0.01, 0.01, 0.01].
    f'| {MLE} vs {INTEGRAL} | gauss6 | frame-PCK@0.2 | 0.0600 [0.0352, 0.0848] | 3 '
    '| supported |',
    f'| {MLE} vs {INTEGRAL} | gauss6 | NME | 0.0100 [0.0100, 0.0100] | 3 | contradicted |',
    # d = [-0.08, -0.10, -0.09]; NME d = [0, 0, 0].
    f'| {MLE} vs {PEAK1} | clean | frame-PCK@0.2 | -0.0900 [-0.1148, -0.0652] | 3 '
    '| contradicted |',
    f'| {MLE} vs {PEAK1} | clean | NME | 0.0000 [0.0000, 0.0000] | 3 | not separable |',
    f'| {MLE} vs heatmap L2 loss (ablation) | clean | frame-PCK@0.2 | 0.0100 (n=1) | 1 '
    '| too few seeds |',
    f'| {MLE} vs heatmap L2 loss (ablation) | clean | NME | -0.1000 (n=1) | 1 '
    '| too few seeds |',
]


def test_paired_table_of_known_results():
    table = paired_table(known_results()).splitlines()
    assert table[0].startswith('| A vs B | noise | metric | mean of A - B [95% interval] |')
    assert table[2:] == EXPECTED_ROWS
    # A model no claim names is compared with nothing.
    assert paired_table([result('mlehand', 0, 'clean', 0.8, 0.1),
                         result('mlehand-ablation-heatmap-l2-unitloss', 0, 'clean', 0.7,
                                0.2)]) is None


def test_baselines_pair_on_their_recommended_recipe_too():
    runs = [result('mlehand', seed, 'clean', 0.8 + seed / 100, 0.1) for seed in (0, 1)]
    runs += [result('rle', seed, 'clean', 0.7, 0.2, recipe='recommended') for seed in (0, 1)]
    table = paired_table(runs)
    # d = [0.10, 0.11]: mean 0.105, sd 0.00707, t(0.975, 1).
    half = T_975_1 * math.sqrt(0.00005) / math.sqrt(2)
    assert (f'| MLE loss (method) vs RLE, recommended recipe | clean | frame-PCK@0.2 | '
            f'0.1050 [{0.105 - half:.4f}, {0.105 + half:.4f}] | 2 | supported |') in table
    assert '| MLE loss (method) vs RLE |' not in table  # no RLE run on the shared schedule


def test_robustness_to_label_noise_by_hand():
    table = robustness_table(known_results()).splitlines()
    # Seeds 0-2. frame-PCK loss clean - gauss6: method 0.06, 0.07, 0.05; the
    # Integral-L1 ablation 0.10 each: d = 0.04, 0.03, 0.05 (mean 0.04, sd 0.01).
    half = T_975_2 * 0.01 / math.sqrt(3)
    assert table[2] == ('| MLE loss (method) vs Integral L1 loss (ablation) | gauss6 | '
                        f'frame-PCK@0.2 | 0.0400 [{0.04 - half:.4f}, {0.04 + half:.4f}] | 3 | '
                        'supported |')
    # NME loss gauss6 - clean: method 0.05, 0.04, 0.03; ablation -0.06 each:
    # d = -0.11, -0.10, -0.09.
    assert table[3] == ('| MLE loss (method) vs Integral L1 loss (ablation) | gauss6 | NME | '
                        f'-0.1000 [{-0.1 - half:.4f}, {-0.1 + half:.4f}] | 3 | contradicted |')
    assert len(table) == 4
    assert robustness_table([r for r in known_results() if r['spec']['noise'] == 'clean']) is None


def test_stage_steps_by_hand():
    runs = []
    for seed, stages in enumerate(([0.5, 0.6, 0.7], [0.5, 0.62, 0.7], [0.5, 0.58, 0.71])):
        run = result('mlehand', seed, 'clean', stages[-1], 0.1)
        run['metrics'].update({f'stage{t + 1}/PCK@0.2': v for t, v in enumerate(stages)})
        runs.append(run)
    table = stage_step_table(runs).splitlines()
    half = T_975_2 * 0.02 / math.sqrt(3)
    # Gains 0.10, 0.12, 0.08 (mean 0.10, sd 0.02), then 0.10, 0.08, 0.13.
    assert table[2] == (f'| stage 1 -> 2 | 0.1000 [{0.1 - half:.4f}, {0.1 + half:.4f}] | 3 | '
                        'supported |')
    assert table[3].startswith('| stage 2 -> 3 | 0.1033 [') and table[3].endswith('| supported |')
    assert stage_step_table([result('mlehand', 0, 'clean', 0.8, 0.1)]) is None


def test_summary_and_analyze_results_include_the_paired_table(repo_root, tmp_path):
    results = known_results()
    summary = summary_markdown(results)
    assert '## Paired differences: the loss claims' in summary
    assert all(row in summary for row in EXPECTED_ROWS)
    assert '## Paired differences' not in summary_markdown(
        [result('mlehand', 0, 'clean', 0.8, 0.1)])

    folder = tmp_path / 'sweep' / 'results'
    folder.mkdir(parents=True)
    for run in results:
        with open(folder / (run.pop('_file') + '.json'), 'w') as f:
            json.dump(run, f)
    out = str(tmp_path / 'analysis')
    done = subprocess.run([sys.executable, 'tools/analyze_results.py', str(tmp_path / 'sweep'),
                           '--out', out, '--no-figures'], cwd=repo_root, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    with open(osp.join(out, 'results.md'), encoding='utf-8') as f:
        written = f.read()
    assert all(row in written for row in EXPECTED_ROWS)

"""tools/run_experiments.py and tools/analyze_results.py.

The tiny preset runs for real (rendered hands, training, testing) and is
interrupted after one run; the analysis is checked against result files whose
numbers are known.
"""
import dataclasses
import glob
import json
import os
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
import torch

from mmpose_mlehand.evaluation.mean_pose import mean_pose_hand_box_metrics
from mmpose_mlehand.experiments import PRESETS, Preset, RunBlock, finished, plan_runs
from mmpose_mlehand.experiments.results import (format_ci, group_results, mean_ci, progress_table,
                                                summary_markdown)

PNG_MAGIC = b'\x89PNG\r\n\x1a\n'


def tool(repo_root, name, *args, timeout=900):
    result = subprocess.run([sys.executable, f'tools/{name}', *args], cwd=repo_root,
                            capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


# --- the sweep ---------------------------------------------------------------


@pytest.fixture(scope='module')
def tiny_sweep(repo_root, tmp_path_factory):
    """The tiny preset for the method and RLE on clean labels, run in two
    goes: stopped after one run, then resumed."""
    work_dir = str(tmp_path_factory.mktemp('sweep'))
    args = ['--preset', 'tiny', '--work-dir', work_dir, '--models', 'mlehand,rle',
            '--noise', 'clean']
    first = tool(repo_root, 'run_experiments.py', *args, '--max-runs', '1')
    results = osp.join(work_dir, 'results')
    after_first = {f: os.stat(osp.join(results, f)).st_mtime_ns for f in os.listdir(results)}
    second = tool(repo_root, 'run_experiments.py', *args)
    return dict(work_dir=work_dir, first=first, second=second, after_first=after_first)


def test_tiny_sweep_stops_and_resumes_without_repeating(tiny_sweep):
    results = osp.join(tiny_sweep['work_dir'], 'results')
    assert '2 runs: 0 already finished, 2 to run' in tiny_sweep['first']
    assert 'stopping after 1 runs; 1 left' in tiny_sweep['first']
    assert list(tiny_sweep['after_first']) == ['mlehand__clean__seed0.json']
    assert '2 runs: 1 already finished, 1 to run' in tiny_sweep['second']
    assert '[2/2] rle__clean__seed0' in tiny_sweep['second']
    assert 'mlehand__clean__seed0 (' not in tiny_sweep['second']
    # The finished run's file is untouched; the data were rendered once.
    assert os.stat(osp.join(results, 'mlehand__clean__seed0.json')).st_mtime_ns == \
        tiny_sweep['after_first']['mlehand__clean__seed0.json']
    assert sorted(os.listdir(results)) == ['mlehand__clean__seed0.json',
                                           'rle__clean__seed0.json']
    assert 'data: rendering' not in tiny_sweep['second']


def test_result_files_hold_what_a_run_is(tiny_sweep):
    with open(osp.join(tiny_sweep['work_dir'], 'results', 'mlehand__clean__seed0.json')) as f:
        method = json.load(f)
    spec = method['spec']
    assert (spec['model'], spec['noise'], spec['seed'], spec['recipe']) == (
        'mlehand', 'clean', 0, 'shared')
    assert spec['epochs'] == PRESETS['tiny'].epochs and spec['num_samples'] == 40
    assert method['box_rule'] == 'max(w, h) of the ground-truth hand box'
    assert 'SequentialIntegralHead' in method['config']
    assert method['recipe']['iterations'] == 8  # 32 training hands at batch 4
    assert method['wall_time_s']['total'] > 0
    # The CPU, since float32 results differ between CPUs with and without AVX-512.
    cpu = method['environment']['cpu']
    assert cpu['torch_capability'] == torch.backends.cpu.get_cpu_capability()
    assert set(cpu['isa']) <= {'avx2', 'fma', 'avx512f', 'avx512_bf16', 'amx_bf16'}
    metrics = method['metrics']
    for key in ('PCK@0.2', 'frame-PCK@0.2', 'NME', 'EPE', 'stage5/PCK@0.2',
                'unc/AUROC@0.1', 'unc/Spearman'):
        assert key in metrics
    # The last stage is the prediction.
    assert metrics['stage5/NME'] == pytest.approx(metrics['NME'], rel=1e-5)
    assert set(method['details']) == {'HandPCK', 'HandNME', 'StagewiseHandMetric',
                                      'KeypointUncertaintyMetric'}
    assert len(method['details']['HandNME']['joint_nme']) == 21
    # The learning curves: one validation per epoch, the selected one among them.
    curves = method['val_curves']
    assert set(curves) == {'frame-AUC', 'frame-PCK@0.2', 'PCK@0.2', 'NME'}
    assert all(len(values) == PRESETS['tiny'].epochs for values in curves.values())
    assert method['selection']['best_val'] == pytest.approx(max(curves['frame-AUC']))
    assert method['details']['KeypointUncertaintyMetric']['source'] == 'keypoint_sigmas'

    with open(osp.join(tiny_sweep['work_dir'], 'results', 'rle__clean__seed0.json')) as f:
        rle = json.load(f)
    assert 'stage1/PCK@0.2' not in rle['metrics']
    assert rle['details']['KeypointUncertaintyMetric']['source'] == '1 - keypoint_scores'


def test_analyze_results_of_the_tiny_sweep(repo_root, tiny_sweep, tmp_path):
    out = str(tmp_path / 'analysis')
    printed = tool(repo_root, 'analyze_results.py', tiny_sweep['work_dir'], '--out', out,
                   '--mean-pose')
    assert '2 result files' in printed
    with open(osp.join(out, 'results.md')) as f:
        table = f.read()
    assert '| MLE loss (method) |' in table and '| RLE |' in table
    # The mean-pose baseline of the runs' data set, as the function computes it.
    data_root = json.load(open(glob.glob(osp.join(tiny_sweep['work_dir'], 'results',
                                                  '*.json'))[0]))['spec']['data_root']
    reference = mean_pose_hand_box_metrics(
        *[osp.join(data_root, 'annotations', f'freihand_{s}.json') for s in ('train', 'test')])
    assert ('| clean seed 0 | ' + ' | '.join(
        f'{reference[k]:.3f}' for k in ('frame-PCK@0.2', 'PCK@0.2', 'NME')) + ' |') in table
    for name in ('stages.png', 'methods_clean.png', 'calibration.png'):
        with open(osp.join(out, name), 'rb') as f:
            assert f.read(8) == PNG_MAGIC, name
        assert f'![{name[:-4]}]({name})' in table
    # How far the sweep is: printed, nothing written.
    printed = tool(repo_root, 'analyze_results.py', tiny_sweep['work_dir'], '--progress')
    assert printed.startswith('2 finished runs\n')
    assert printed.count('| `') == 2 and '| run | finished | time |' in printed
    assert not osp.exists(osp.join(tiny_sweep['work_dir'], 'analysis'))


def test_a_repeated_tiny_run_reproduces_its_result_file(repo_root, tiny_sweep, tmp_path):
    stored = osp.join(tiny_sweep['work_dir'], 'results', 'mlehand__clean__seed0.json')
    printed = tool(repo_root, 'run_experiments.py', '--repeat', stored,
                   '--work-dir', str(tmp_path))
    assert 'mlehand__clean__seed0: reproduced: all' in printed
    assert 'note:' not in printed  # the same CPU
    repeated = json.load(open(tmp_path / 'results' / 'mlehand__clean__seed0.json'))
    assert repeated['metrics'] == json.load(open(stored))['metrics']
    # Its data were rendered again, in the repeat's own folder.
    assert repeated['spec']['data_root'] == str(tmp_path / 'data' / 'clean_seed0')
    assert osp.isfile(tmp_path / 'data' / 'clean_seed0' / 'prepared.json')


def test_a_repeat_reports_every_figure_that_differs(tiny_sweep, tmp_path):
    from mmpose_mlehand.experiments.repeat import repeat_run, report_lines
    stored_file = osp.join(tiny_sweep['work_dir'], 'results', 'rle__clean__seed0.json')
    stored = json.load(open(stored_file))

    def runner(spec):  # a repeat whose PCK and last validation point moved
        result = json.loads(json.dumps(stored))
        result['spec'] = spec
        result['metrics']['PCK@0.2'] += 0.01
        result['val_curves']['NME'][-1] = 0.5
        result['environment']['cpu'] = dict(model='Other CPU', isa=['avx2', 'fma', 'avx512f'])
        os.makedirs(osp.dirname(spec['result_file']), exist_ok=True)
        with open(spec['result_file'], 'w') as f:
            json.dump(result, f)
        return result

    outcome = repeat_run(stored_file, str(tmp_path), runner=runner, log=lambda line: None)
    pck, nme_curve = stored['metrics']['PCK@0.2'], stored['val_curves']['NME']
    assert outcome['differences'] == {
        'PCK@0.2': (pck, pck + 0.01), f'val/NME[{len(nme_curve)}]': (nme_curve[-1], 0.5)}
    assert 'Other CPU (avx2, fma, avx512f)' in outcome['cpu_note']
    lines = report_lines(outcome)
    assert lines[0] == (f'rle__clean__seed0: NOT reproduced: 2 of {outcome["compared"]} '
                        'figures differ (stored -> repeated):')
    # Called again, the finished repeat is compared, not run again.
    again = repeat_run(stored_file, str(tmp_path), runner=None, log=lambda line: None)
    assert again['differences'] == outcome['differences']
    # Never into the stored run's own folder, never from a file that is no result.
    with pytest.raises(ValueError, match='own work folder'):
        repeat_run(stored_file, tiny_sweep['work_dir'], runner=runner)
    (tmp_path / 'not_a_result.json').write_text('{"metrics": {}}')
    with pytest.raises(ValueError, match='not_a_result.json: not a result file'):
        repeat_run(str(tmp_path / 'not_a_result.json'), str(tmp_path / 'x'), runner=runner)


def test_figure_differences_and_cpu_note_by_hand():
    from mmpose_mlehand.experiments.repeat import cpu_note, figure_differences
    nan = float('nan')
    a = dict(metrics={'NME': 0.1, 'AUC': nan, 'EPE': 3.0},
             val_curves={'NME': [0.3, 0.2], 'PCK@0.2': [0.5]},
             environment=dict(cpu=dict(model='A', isa=['avx2', 'fma'])))
    b = dict(metrics={'NME': 0.1, 'AUC': nan, 'PCK@0.2': 0.7},
             val_curves={'NME': [0.3, 0.25], 'PCK@0.2': [0.5, 0.6]},
             environment=dict(cpu=dict(model='B', isa=['fma', 'avx2'])))
    assert figure_differences(a, b) == {
        'EPE': (3.0, None), 'PCK@0.2': (None, 0.7), 'val/NME[2]': (0.2, 0.25),
        'val/PCK@0.2': ([0.5], [0.5, 0.6])}
    assert figure_differences(a, a) == {}
    assert cpu_note(a, b) is None  # another model name, the same instruction sets
    assert 'records no CPU' in cpu_note(dict(environment={}), b)
    b['environment']['cpu']['isa'] = ['avx2']
    assert cpu_note(a, b).startswith('the stored run computed on A (avx2, fma), this one on B')


# --- planning ----------------------------------------------------------------


def test_plan_orders_by_data_and_gives_recipes_to_baselines_only(tmp_path):
    specs = plan_runs(PRESETS['small'], str(tmp_path), recipes=('shared', 'recommended'))
    ids = [s['run_id'] for s in specs]
    # 4 models x 3 noise levels x 2 seeds, plus RLE's recommended recipe.
    assert len(ids) == 4 * 3 * 2 + 3 * 2
    assert ids[:5] == ['mlehand__clean__seed0', 'mlehand-ablation-integral-l1__clean__seed0',
                       'mlehand-ablation-heatmap-l2__clean__seed0', 'rle__clean__seed0',
                       'rle__clean__seed0__recommended']
    data_roots = [s['data_root'] for s in specs]
    assert len(set(data_roots)) == 6
    # Each data set is used by consecutive runs only (rendered once, right before).
    changes = sum(a != b for a, b in zip(data_roots, data_roots[1:]))
    assert changes == 5
    budgets = {(s['epochs'], s['batch_size'], s['num_samples']) for s in specs}
    assert budgets == {(2, 8, 6000)}  # the same budget for every model
    with pytest.raises(ValueError, match='unknown model'):
        plan_runs(PRESETS['tiny'], str(tmp_path), models=['nope'])


def test_plan_of_run_blocks_makes_their_runs_and_selects_among_them(tmp_path):
    preset = Preset('blocks', 'cpu', (), (), (), num_samples=40, style='clean', epochs=1,
                    batch_size=4, workers=0, blocks=(
                        RunBlock(('mlehand', 'mlehand-ablation-integral-l1'), ('clean', ),
                                 (0, 1)),
                        RunBlock(('mlehand', ), ('swap10', ), (1, )),
                        RunBlock(('rle', 'mlehand'), ('clean', ), (0, ),
                                 ('shared', 'recommended'))))
    ids = [s['run_id'] for s in plan_runs(preset, str(tmp_path))]
    # Block after block; within one by seed, then noise level, then model.
    # Blocks overlap (mlehand, clean, seed 0: run once); the method has no
    # recommended recipe.
    assert ids == ['mlehand__clean__seed0', 'mlehand-ablation-integral-l1__clean__seed0',
                   'mlehand__clean__seed1', 'mlehand-ablation-integral-l1__clean__seed1',
                   'mlehand__swap10__seed1',
                   'rle__clean__seed0', 'rle__clean__seed0__recommended']
    ids = [s['run_id'] for s in plan_runs(preset, str(tmp_path), models=['mlehand'],
                                          seeds=[1])]
    assert ids == ['mlehand__clean__seed1', 'mlehand__swap10__seed1']
    ids = [s['run_id'] for s in plan_runs(preset, str(tmp_path), recipes=['recommended'])]
    assert ids == ['rle__clean__seed0__recommended']
    with pytest.raises(ValueError, match='none of the blocks preset'):
        plan_runs(preset, str(tmp_path), models=['cpm'])


def test_finished_detects_other_settings(tmp_path):
    spec, = plan_runs(PRESETS['tiny'], str(tmp_path), models=['mlehand'], noise=['clean'])
    assert not finished(spec)
    os.makedirs(osp.dirname(spec['result_file']))
    with open(spec['result_file'], 'w') as f:
        json.dump(dict(spec=dict(spec, threads=4)), f)
    assert finished(spec)  # the thread count does not change the result
    with open(spec['result_file'], 'w') as f:
        json.dump(dict(spec=dict(spec, epochs=5)), f)
    with pytest.raises(RuntimeError, match='other settings'):
        finished(spec)


def test_a_style_recorded_before_a_later_switch_is_the_same_style(tmp_path):
    from mmpose_mlehand.synthetic.styles import STYLES
    fields = dataclasses.asdict(STYLES['photo-varied'])
    spec = dict(result_file=str(tmp_path / 'r.json'), style=fields, seed=0)
    older = {k: v for k, v in fields.items() if k != 'crossed_pose_prob'}
    with open(spec['result_file'], 'w') as f:
        json.dump(dict(spec=dict(spec, style=older)), f)
    assert finished(spec)  # the switch's default draws what was drawn before it
    with open(spec['result_file'], 'w') as f:
        json.dump(dict(spec=dict(spec, style=dict(older, closed_pose_prob=0.0))), f)
    with pytest.raises(RuntimeError, match='other settings'):
        finished(spec)


# --- the analysis on known numbers -------------------------------------------


def fake_result(model, family, seed, noise, frame_pck, nme, stages=None, sigmas=False):
    thrs = [0.0, 0.25, 0.5]
    details = dict(
        HandPCK=dict(box_rule='max(w, h) of the ground-truth hand box', curve_thrs=thrs,
                     frame_pck_curve=[0.0, frame_pck, 1.0]),
        HandNME=dict(joint_nme=[nme] * 21, paper_joints={
            n: nme for n in ('wrist', 'thumb R', 'thumb T', 'index R', 'index T', 'middle R',
                             'middle T', 'ring R', 'ring T', 'little R', 'little T')}))
    metrics = {'frame-PCK@0.2': frame_pck, 'NME': nme}
    if stages:
        details['StagewiseHandMetric'] = dict(pck=stages)
        metrics.update({f'stage{t + 1}/PCK@0.2': v for t, v in enumerate(stages)})
    if sigmas:
        details['KeypointUncertaintyMetric'] = dict(calibration=dict(
            uncertainty=[0.05, 0.1], error=[0.06, 0.12]))
        metrics['unc/AUROC@0.1'] = 0.8
    spec = dict(model=model, recipe='shared', noise=noise, seed=seed, preset='small',
                size='cpu', num_samples=6000, style='clean', epochs=2, batch_size=8)
    return dict(schema=1, spec=spec, model=dict(key=model, family=family, variant=None),
                recipe=dict(name='shared', description='shared: test', iterations=1200),
                box_rule='max(w, h) of the ground-truth hand box', metrics=metrics,
                details=details, wall_time_s=dict(total=60.0), _file=f'{model}{seed}')


def fake_sweep():
    results = []
    for seed, pck in enumerate([0.7, 0.8, 0.9]):
        results.append(fake_result('mlehand', 'method', seed, 'clean', pck, 0.1 + seed / 100,
                                   stages=[0.5, 0.6, 0.7, 0.75, pck], sigmas=True))
        results.append(fake_result('mlehand-ablation-integral-l1', 'ablation', seed, 'clean',
                                   pck - 0.1, 0.2, stages=[0.4, 0.5, 0.5, 0.6, pck - 0.1]))
        results.append(fake_result('mlehand', 'method', seed, 'gauss6', pck - 0.05, 0.15))
    return results


def test_mean_and_interval_by_hand():
    mean, low, high, n = mean_ci([0.7, 0.8, 0.9])
    half = 4.302652729911275 * 0.1 / np.sqrt(3)  # t(0.975, 2) * sd / sqrt(n)
    assert (mean, n) == (pytest.approx(0.8), 3)
    assert (low, high) == (pytest.approx(0.8 - half), pytest.approx(0.8 + half))
    assert format_ci((mean, low, high, n)) == '0.800 [0.552, 1.048]'
    assert format_ci(mean_ci([0.5])) == '0.500 (n=1)'
    assert format_ci(mean_ci([])) == '-'


def test_summary_table_of_known_results():
    results = fake_sweep()
    groups = group_results(results)
    assert list(groups) == [('mlehand', 'shared', 'clean'), ('mlehand', 'shared', 'gauss6'),
                            ('mlehand-ablation-integral-l1', 'shared', 'clean')]
    table = summary_markdown(results)
    assert '| model | clean | gauss6 |' in table
    assert '| MLE loss (method) | 0.800 [0.552, 1.048] | 0.750 [0.502, 0.998] |' in table
    assert '| Integral L1 loss (ablation) | 0.700 [0.452, 0.948] | - |' in table
    # NME 0.10, 0.11, 0.12: mean 0.11, sd 0.01.
    assert '| MLE loss (method) | 0.110 [0.085, 0.135] |' in table
    assert '| MLE loss (method) | clean | 0.500 [0.500, 0.500] |' in table  # stage 1
    assert 'box rule: errors are normalised by max(w, h) of the ground-truth hand box' in table
    assert 'seeds: 0, 1, 2' in table


def test_figures_of_known_results(tmp_path):
    from mmpose_mlehand.experiments.figures import write_figures
    written = write_figures(fake_sweep(), str(tmp_path))
    names = sorted(osp.basename(p) for p in written)
    assert names == ['calibration.png', 'losses_clean.png', 'noise.png', 'stages.png']
    for path in written:
        with open(path, 'rb') as f:
            assert f.read(8) == PNG_MAGIC


def test_experiment_tools_start_without_torch(repo_root):
    """Planning, resuming and analysing import neither torch nor MMPose (runs
    train in child processes)."""
    code = (
        'import sys\n'
        'import mmpose_mlehand.experiments, mmpose_mlehand.experiments.results\n'
        'import mmpose_mlehand.experiments.figures, mmpose_mlehand.experiments.repeat\n'
        "heavy = sorted(m for m in ('torch', 'mmpose', 'mmengine', 'mmcv') if m in sys.modules)\n"
        'assert not heavy, heavy\n')
    subprocess.run([sys.executable, '-c', code], check=True, cwd=repo_root)


def test_learning_curves_are_averaged_over_seeds_by_epoch():
    results = fake_sweep()
    method_clean = [r for r in results if r['spec']['model'] == 'mlehand'
                    and r['spec']['noise'] == 'clean']
    for result, curve in zip(method_clean, ([0.2, 0.5], [0.4, 0.7], [0.3, 0.6, 0.9])):
        result['val_curves'] = {'frame-PCK@0.2': curve}
    table = summary_markdown(results)
    assert '## Learning curves' in table
    # Three seeds of the method on clean labels: the common two epochs,
    # (0.2 + 0.4 + 0.3) / 3 and (0.5 + 0.7 + 0.6) / 3.
    assert '| MLE loss (method) | clean | 3 | 0.300 | 0.600 |' in table
    assert 'Integral L1' not in table.split('## Learning curves')[1].split('##')[0]
    for result in results:
        result.pop('val_curves', None)
    assert '## Learning curves' not in summary_markdown(results)


def test_medium_preset_resolves_to_its_budget_for_every_model(tmp_path):
    """Every run of the medium sweep trains for the same stated budget: the
    configs it builds are compared key by key (issue 24)."""
    from mmpose_mlehand.experiments.presets import MODEL_SPECS
    from mmpose_mlehand.experiments.single_run import apply_schedule, apply_variant, build_config

    preset = PRESETS['medium']
    specs = plan_runs(preset, str(tmp_path))
    for spec in specs:
        ann_dir = osp.join(spec['data_root'], 'annotations')
        if not osp.isdir(ann_dir):  # only the number of training hands is read
            os.makedirs(ann_dir)
            with open(osp.join(ann_dir, 'freihand_train.json'), 'w') as f:
                json.dump(dict(annotations=[{}] * 4800), f)
    seen = set()
    for spec in specs:
        key = (spec['model'], spec['recipe'])
        assert (spec['num_samples'], spec['style'], spec['epochs'], spec['batch_size']) == (
            6000, 'photo', 12, 8), spec['run_id']
        assert not spec['pretrained'] and spec['size'] == 'cpu'
        if key in seen:
            continue
        seen.add(key)
        model = MODEL_SPECS[spec['model']]
        cfg = build_config(spec)
        if model.variant:
            apply_variant(cfg, model.variant)
        schedule = apply_schedule(cfg, spec, model)
        assert cfg.train_cfg == dict(by_epoch=True, max_epochs=12, val_interval=1), key
        assert cfg.train_dataloader.batch_size == 8, key
        assert cfg.randomness == dict(seed=spec['seed']), key
        assert cfg.train_dataloader.dataset.data_root == spec['data_root'], key
        # 4,800 training hands at batch 8: 600 updates an epoch, 7,200 in all.
        assert schedule['iterations'] == 7200, key
        assert schedule['name'] == spec['recipe'], key
        assert cfg.param_scheduler[-1]['end'] in (12, 7200), key
    # The blocks of issue 24: the loss comparison on 6 seeds, robustness on
    # 6 seeds at two noisy levels, the Fig. 7 baselines but CPM on both recipes.
    runs = {(s['model'], s['noise'], s['recipe']): set() for s in specs}
    for s in specs:
        runs[(s['model'], s['noise'], s['recipe'])].add(s['seed'])
    for model in ('mlehand', 'mlehand-ablation-integral-l1', 'mlehand-ablation-heatmap-l2-peak1'):
        assert runs[(model, 'clean', 'shared')] == set(range(6))
    for model in ('mlehand', 'mlehand-ablation-integral-l1'):
        for level in ('gauss6-out20', 'swap10'):
            assert runs[(model, level, 'shared')] == set(range(6))
    for model in ('integral-l1', 'heatmap-l2', 'rle'):
        assert runs[(model, 'clean', 'shared')] == runs[(model, 'clean', 'recommended')] == \
            {0, 1, 2}
    assert len(specs) == 18 + 24 + 18


def test_progress_table_lists_runs_in_the_order_they_finished():
    late = dict(fake_result('mlehand', 'method', 1, 'clean', 0.8, 0.12),
                run_id='mlehand__clean__seed1', finished='2026-12-07 10:00:00',
                wall_time_s=dict(total=1294.5))
    early = dict(fake_result('mlehand', 'method', 0, 'clean', 0.8634, 0.1254),
                 run_id='mlehand__clean__seed0', finished='2026-12-06 09:00:00',
                 wall_time_s=dict(total=59.6))
    lines = progress_table([late, early]).splitlines()
    assert lines[2] == '| `mlehand__clean__seed0` | 2026-12-06 | 1 min 00 s | 0.863 | 0.125 |'
    assert lines[3] == '| `mlehand__clean__seed1` | 2026-12-07 | 21 min 34 s | 0.800 | 0.120 |'
    assert len(lines) == 4

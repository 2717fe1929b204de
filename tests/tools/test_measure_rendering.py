"""tools/measure_rendering.py and :mod:`mmpose_mlehand.experiments.rendering_ablation`.

The variants are checked on their SceneStyle objects; the tiny preset runs for
real (two variants: rendering, training, two tests), then again to check that
it resumes without running anything.
"""
import dataclasses
import json
import os
import os.path as osp
import pickle
import subprocess
import sys

import pytest

from mmpose_mlehand.experiments.rendering_ablation import (GAP_METRIC, PRESETS, REFERENCE,
                                                           TABLE_FILE, TABLE_METRICS, VARIANTS,
                                                           paired_markdown, plan_variants)
from mmpose_mlehand.synthetic.styles import STYLES, SceneStyle

#: Keys every result file has.
RESULT_KEYS = {'schema', 'variant', 'changed', 'style', 'budget', 'seeds', 'metrics', 'gap',
               'selection', 'test_sizes', 'wall_time_s', 'machine', 'spec'}


def _differences(a: SceneStyle, b: SceneStyle) -> set:
    a, b = dataclasses.asdict(a), dataclasses.asdict(b)
    return {k for k in a if k != 'name' and a[k] != b[k]}


def test_each_variant_differs_from_photo_in_exactly_its_field():
    photo = STYLES['photo']
    assert VARIANTS[REFERENCE].style == photo
    for key in ('clean', 'full'):
        assert VARIANTS[key].style == STYLES[key] and VARIANTS[key].style_arg == key
    for variant in VARIANTS.values():
        if variant.base != 'photo' or variant.field is None:
            continue
        style = variant.style
        assert _differences(style, photo) == {variant.field}, variant.key
        # Off is the SceneStyle default, which is what `full` uses.
        assert getattr(style, variant.field) == getattr(STYLES['full'], variant.field)
        assert style.name == variant.key and variant.style_arg == style
        # The generator's pool workers get it pickled.
        assert pickle.loads(pickle.dumps(style)) == style


def test_every_photo_feature_that_can_be_switched_off_alone_has_a_variant():
    photo_features = _differences(STYLES['photo'], SceneStyle('default'))
    # `families` cannot go alone: three other switches need it.
    measured = {v.field for v in VARIANTS.values() if v.field}
    assert measured == photo_features - {'families'}


def test_plan_gives_every_variant_the_same_budget_and_one_heldout_set(tmp_path):
    specs = plan_variants(PRESETS['small'], str(tmp_path), ['all'])
    assert [s['variant'] for s in specs] == list(VARIANTS)
    assert len({(s['num_samples'], s['epochs'], s['batch_size'], s['seed']) for s in specs}) == 1
    assert len({s['heldout_root'] for s in specs}) == 1
    assert {s['heldout_seed'] for s in specs} == {specs[0]['seed'] + 1}
    with pytest.raises(ValueError, match='unknown variant'):
        plan_variants(PRESETS['tiny'], str(tmp_path), ['photo', 'nope'])
    with pytest.raises(ValueError, match='num_heldout must be at least 20'):
        plan_variants(PRESETS['tiny'], str(tmp_path), overrides=dict(num_heldout=5))


def test_plan_on_the_hard_proxy_selects_and_tests_on_the_hard_family(tmp_path):
    heldout, = {s['heldout_root'] for s in plan_variants(PRESETS['small'], str(tmp_path))}
    specs = plan_variants(PRESETS['small'], str(tmp_path), ['photo', 'photo-varied'],
                          proxy='hard')
    assert {s['proxy'] for s in specs} == {'hard'}
    hard, = {s['heldout_root'] for s in specs}
    assert osp.basename(hard) == 'hard_photo_seed1' and osp.basename(heldout) == \
        'heldout_photo_seed1'
    assert VARIANTS['photo-varied'].style == STYLES['photo-varied']
    assert specs[1]['style'] == dataclasses.asdict(STYLES['photo-varied'])
    with pytest.raises(ValueError, match='unknown proxy family'):
        plan_variants(PRESETS['tiny'], str(tmp_path), proxy='train')


def _tool(repo_root: str, *args: str) -> str:
    result = subprocess.run([sys.executable, 'tools/measure_rendering.py', *args],
                            cwd=repo_root, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


@pytest.fixture(scope='module')
def tiny_ablation(repo_root, tmp_path_factory):
    """The tiny preset (photo and no-upright), run twice."""
    work_dir = str(tmp_path_factory.mktemp('rendering'))
    # One torch thread: on a busy machine two threads per run can wait on
    # each other for seconds per iteration.
    args = ('--preset', 'tiny', '--work-dir', work_dir, '--threads', '1')
    first = _tool(repo_root, *args, '--keep-data')
    results = osp.join(work_dir, 'results')
    mtimes = {f: os.stat(osp.join(results, f)).st_mtime_ns for f in os.listdir(results)}
    second = _tool(repo_root, *args)
    return dict(work_dir=work_dir, first=first, second=second, mtimes=mtimes)


def _load(work_dir: str, variant: str) -> dict:
    with open(osp.join(work_dir, 'results', f'{variant}.json'), encoding='utf-8') as f:
        return json.load(f)


def test_tiny_run_writes_a_result_file_per_variant(tiny_ablation):
    work_dir = tiny_ablation['work_dir']
    assert sorted(tiny_ablation['mtimes']) == ['no-upright.json', 'photo.json']
    assert '2 variants: 0 already finished, 2 to run' in tiny_ablation['first']
    for variant in ('photo', 'no-upright'):
        result = _load(work_dir, variant)
        assert RESULT_KEYS <= set(result)
        assert result['style'] == dataclasses.asdict(VARIANTS[variant].style)
        assert result['budget']['iterations'] == 8  # 32 training hands at batch 4
        assert result['seeds'] == dict(data=0, split=0, training=0, heldout=1)
        for where in ('in_family', 'heldout'):
            assert 0.0 <= result['metrics'][where]['PCK@0.2'] <= 1.0
        assert result['gap'][GAP_METRIC] == pytest.approx(
            result['metrics']['in_family'][GAP_METRIC] - result['metrics']['heldout'][GAP_METRIC])
        assert result['selection']['split'] == "held-out family's val"
        assert result['wall_time_s']['total'] > 0 and result['machine']['cpus'] >= 1
    # The variant's data say which style object rendered them.
    with open(osp.join(work_dir, 'data', 'no-upright_seed0', 'synthetic_meta.json')) as f:
        meta = json.load(f)
    assert meta['style'] == 'no-upright' and meta['style_fields']['upright_sigma_deg'] is None
    with open(osp.join(work_dir, 'data', 'heldout_photo_seed1', 'synthetic_meta.json')) as f:
        meta = json.load(f)
    assert (meta['style'], meta['family']) == ('photo', 'heldout')


def test_second_invocation_resumes_without_running(tiny_ablation):
    results = osp.join(tiny_ablation['work_dir'], 'results')
    assert '2 variants: 2 already finished, 0 to run' in tiny_ablation['second']
    assert 'data: rendering' not in tiny_ablation['second']
    assert {f: os.stat(osp.join(results, f)).st_mtime_ns
            for f in os.listdir(results)} == tiny_ablation['mtimes']


def test_table_holds_the_stored_numbers(repo_root, tiny_ablation):
    work_dir = tiny_ablation['work_dir']
    table_file = osp.join(work_dir, TABLE_FILE)
    with open(table_file, encoding='utf-8') as f:
        table = f.read()
    rows = {}
    for line in table.splitlines():
        if line.startswith('| `'):
            cells = [c.strip() for c in line.strip('|').split('|')]
            rows[cells[0].strip('`')] = cells
    assert list(rows) == ['photo', 'no-upright']
    reference = _load(work_dir, 'photo')['metrics']['heldout'][GAP_METRIC]
    for variant, cells in rows.items():
        result = _load(work_dir, variant)
        expected = [f'{result["metrics"][where][key]:.3f}'
                    for where in ('in_family', 'heldout') for key, _ in TABLE_METRICS]
        expected.append(f'{result["gap"][GAP_METRIC]:+.3f}')
        expected.append(f'{result["metrics"]["heldout"][GAP_METRIC] - reference:+.3f}')
        assert cells[2:] == expected, variant
    assert rows['no-upright'][1] == '`upright_sigma_deg`'
    # --table-only writes the same table from the stored results.
    os.remove(table_file)
    _tool(repo_root, '--preset', 'tiny', '--work-dir', work_dir, '--table-only')
    with open(table_file, encoding='utf-8') as f:
        assert f.read() == table


def _fake_result(work_dir: str, seed: int, variant: str, frame_pck: float, mirror: float,
                 best_val: float, epochs: int = 3, config: str = 'recipe.py') -> None:
    """A result file with only what the paired comparison reads."""
    folder = osp.join(work_dir, 'results')
    os.makedirs(folder, exist_ok=True)
    result = dict(schema=1, variant=variant, seeds=dict(data=seed),
                  budget=dict(num_samples=4000, epochs=epochs, batch_size=8),
                  spec=dict(config=config, proxy='hard'),
                  selection=dict(best_val=best_val),
                  metrics=dict(heldout={'frame-PCK@0.2': frame_pck, 'PCK@0.2': frame_pck,
                                        'mirror-confusion': mirror}))
    with open(osp.join(folder, f'{variant}.json'), 'w', encoding='utf-8') as f:
        json.dump(result, f)


def _paired_rows(table: str) -> dict:
    rows = {}
    for line in table.splitlines()[2:]:
        cells = [c.strip() for c in line.strip('|').split('|')]
        rows[(cells[0].strip('`'), cells[1])] = cells[2:]
    return rows


def test_paired_comparison_over_seeds_by_hand(repo_root, tmp_path):
    photo = dict(frame=[0.50, 0.60, 0.55], mirror=[0.20, 0.22, 0.18], val=[0.70, 0.71, 0.72])
    varied = dict(frame=[0.56, 0.63, 0.58], mirror=[0.10, 0.12, 0.09], val=[0.69, 0.70, 0.71])
    dirs = []
    for seed in range(3):
        work_dir = str(tmp_path / f'seed{seed}')
        dirs.append(work_dir)
        _fake_result(work_dir, seed, 'photo', photo['frame'][seed], photo['mirror'][seed],
                     photo['val'][seed])
        _fake_result(work_dir, seed, 'photo-varied', varied['frame'][seed],
                     varied['mirror'][seed], varied['val'][seed])
    # A recipe comparison in other work dirs: photo with another config.
    for seed in range(2):
        _fake_result(str(tmp_path / f'colour{seed}'), seed, 'photo', photo['frame'][seed] + 0.1,
                     photo['mirror'][seed], photo['val'][seed], config='configs/colour.py')
    rows = _paired_rows(paired_markdown(dirs + [str(tmp_path / 'colour0'),
                                                str(tmp_path / 'colour1')]))
    assert rows[('photo, colour.py', 'frame-PCK@0.2 (test)')][2:4] == [
        '+0.100 [+0.100, +0.100]', '2 (0, 1)']
    # frame-PCK differences 0.06, 0.03, 0.03: mean 0.04, sd 0.01732, se 0.01,
    # t(0.975, 2) = 4.3027: [-0.003, +0.083], which holds 0.
    assert rows[('photo-varied', 'frame-PCK@0.2 (test)')] == [
        '0.550', '0.590', '+0.040 [-0.003, +0.083]', '3 (0, 1, 2)', 'not separable']
    # mirror-confusion differences -0.10, -0.10, -0.09: mean -0.0967, sd
    # 0.005774, se 0.003333: [-0.111, -0.082], below 0 and lower is better.
    assert rows[('photo-varied', 'mirror-confusion (test)')][2:] == [
        '-0.097 [-0.111, -0.082]', '3 (0, 1, 2)', 'supported']
    # val frame-AUC lower by exactly 0.01 at every seed: a zero-width interval below 0.
    assert rows[('photo-varied', 'frame-AUC (val, selection)')][-1] == 'contradicted'
    # The command line prints the same table.
    out = subprocess.run([sys.executable, 'tools/measure_rendering.py', '--paired', *dirs],
                         cwd=repo_root, capture_output=True, text=True, check=True).stdout
    assert _paired_rows(out) == {k: v for k, v in rows.items() if k[0] == 'photo-varied'}


def test_paired_comparison_refuses_runs_that_are_not_paired(tmp_path):
    _fake_result(str(tmp_path / 'a'), 0, 'photo', 0.5, 0.2, 0.7)
    _fake_result(str(tmp_path / 'b'), 0, 'photo', 0.5, 0.2, 0.7)
    with pytest.raises(ValueError, match='seed 0, photo also in'):
        paired_markdown([str(tmp_path / 'a'), str(tmp_path / 'b')])
    _fake_result(str(tmp_path / 'c'), 1, 'photo', 0.5, 0.2, 0.7, epochs=6)
    with pytest.raises(ValueError, match='not paired'):
        paired_markdown([str(tmp_path / 'a'), str(tmp_path / 'c')])


def test_data_stamped_before_a_later_style_switch_is_kept(tmp_path):
    from mmpose_mlehand.experiments.rendering_ablation import STAMP_FILE, prepare_data
    from mmpose_mlehand.synthetic.styles import get_style
    fields = dataclasses.asdict(get_style('photo-varied'))
    older = {k: v for k, v in fields.items() if k != 'crossed_pose_prob'}
    settings = dict(style=older, family='heldout', num=40, seed=3, bbox='keypoints',
                    split_seed=3)
    stamp = tmp_path / STAMP_FILE
    stamp.write_text(json.dumps(dict(settings=settings)))
    # The stamp matches today's photo-varied: nothing is rendered, the stamp stays.
    assert prepare_data(str(tmp_path), 'photo-varied', 'heldout', 40, 3, workers=1) == 0.0
    assert stamp.exists()
    # Another style's fields do not match: the stamp goes (and the data are rendered anew).
    other = dict(older, closed_pose_prob=0.0)
    stamp.write_text(json.dumps(dict(settings=dict(settings, style=other))))
    assert prepare_data(str(tmp_path), 'photo-varied', 'heldout', 40, 3, workers=1,
                        log=lambda _: None) > 0

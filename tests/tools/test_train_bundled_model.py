"""tools/train_bundled_model.py: which recipe it trains, and end to end on a few dozen
hands (about a minute)."""
import importlib.util
import json
import os.path as osp
import subprocess
import sys

import pytest
import torch

from mmpose_mlehand.bundled import DEFAULT_MODEL, POSE_MODELS

SMALL = 'mlehand-synthetic-hand-small'


def test_each_model_trains_from_its_own_recipe_unless_told(repo_root):
    spec = importlib.util.spec_from_file_location(
        'train_bundled_model', osp.join(repo_root, 'tools', 'train_bundled_model.py'))
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    parse_args = tool.parse_args
    default = parse_args([])
    assert default.model == DEFAULT_MODEL == next(iter(POSE_MODELS)) == 'mlehand-synthetic-hand'
    assert default.work_dir == osp.join('work_dirs', 'bundled', DEFAULT_MODEL)
    for name, model in POSE_MODELS.items():
        assert parse_args(['--model', name]).config == osp.join(repo_root, model.recipe)
    assert parse_args(['--model', SMALL, '--config', 'x.py']).config == 'x.py'
    # The training family's style is the model's unless told.
    for name, model in POSE_MODELS.items():
        assert parse_args(['--model', name]).style == model.style
    assert parse_args(['--style', 'photo-varied']).style == 'photo-varied'
    with pytest.raises(SystemExit):  # an unknown style is refused before any rendering
        parse_args(['--style', 'photo-variied'])


def test_train_bundled_model_writes_a_loadable_model_with_its_provenance(repo_root, tmp_path):
    out_dir, work_dir = tmp_path / 'bundled', tmp_path / 'work'
    command = [sys.executable, 'tools/train_bundled_model.py', '--model', SMALL, '--num-train',
               '60', '--num-heldout', '40', '--epochs', '1', '--workers', '0', '--work-dir',
               str(work_dir), '--out-dir', str(out_dir), '--half', '--style', 'photo-varied']
    stem = POSE_MODELS[SMALL].stem

    def run_and_read_provenance():
        result = subprocess.run(command, cwd=repo_root, capture_output=True, text=True,
                                timeout=900)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        with open(out_dir / f'{stem}.json', encoding='utf-8') as f:
            return result.stdout, json.load(f)

    first_stdout, provenance = run_and_read_provenance()
    assert 'reusing' not in first_stdout and provenance['resumed'] is False
    # The same command again (as after an interruption) renders nothing, resumes
    # from the last checkpoint and ships the same selected model.
    rerun_stdout, rerun = run_and_read_provenance()
    assert 'train family: reusing' in rerun_stdout
    assert 'heldout family: reusing' in rerun_stdout
    assert rerun['resumed'] is True and rerun['metrics'] == provenance['metrics']
    assert provenance['seconds']['train_calls'] == 1
    assert provenance['seconds']['train_all_calls'] == provenance['seconds']['train']
    assert rerun['seconds']['train_calls'] == 2
    assert rerun['seconds']['train_all_calls'] == pytest.approx(
        provenance['seconds']['train'] + rerun['seconds']['train'], abs=0.11)
    assert 'resume = False' in (out_dir / f'{stem}.py').read_text()
    # More data in the same work folder: refused, not resumed as if it were that run.
    result = subprocess.run(command + ['--num-heldout', '60'], cwd=repo_root,
                            capture_output=True, text=True, timeout=900)
    assert result.returncode != 0
    assert 'holds a checkpoint of another run (it differs in data.num_heldout)' in result.stderr
    assert (provenance['model'], provenance['recipe']) == (SMALL, POSE_MODELS[SMALL].recipe)
    # Trained on the training family in the style asked for, selected on the
    # held-out family's val split, which stays in the photo style.
    for family, style in (('train', 'photo-varied'), ('heldout', 'photo')):
        meta = json.load(open(work_dir / 'data' / family / 'synthetic_meta.json'))
        assert (meta['style'], meta['family']) == (style, family)
    assert (provenance['data']['style'], provenance['data']['heldout_style']) == (
        'photo-varied', 'photo')
    assert provenance['data']['heldout_family'] == dict(num=40, seed=1)
    metrics = provenance['metrics']
    for key, value in metrics['gap'].items():
        assert value == metrics['train'][key] - metrics['heldout'][key]
        assert 0.0 <= metrics['train']['PCK@0.2'] <= 1.0
    weights = out_dir / f'{stem}.pth'
    assert provenance['weights_bytes'] == osp.getsize(weights)
    saved = torch.load(weights, map_location='cpu', weights_only=True)
    floats = [v for v in saved['state_dict'].values() if v.is_floating_point()]
    assert floats and all(v.dtype == torch.float16 for v in floats)
    # The flattened config does not point at this run's data.
    assert str(work_dir) not in (out_dir / f'{stem}.py').read_text()

"""tools/train_bundled_model.py end to end on a few dozen hands (about a minute)."""
import json
import os.path as osp
import subprocess
import sys

import torch


def test_train_bundled_model_writes_a_loadable_model_with_its_provenance(repo_root, tmp_path):
    out_dir, work_dir = tmp_path / 'bundled', tmp_path / 'work'
    result = subprocess.run(
        [sys.executable, 'tools/train_bundled_model.py', '--num-train', '60', '--num-heldout',
         '40', '--epochs', '1', '--workers', '0', '--work-dir', str(work_dir), '--out-dir',
         str(out_dir), '--half'],
        cwd=repo_root, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    stem = 'mlehand_res18-half_synthetic-photo-96x96'
    with open(out_dir / f'{stem}.json', encoding='utf-8') as f:
        provenance = json.load(f)
    # Trained on the training family, selected on the held-out family's val split.
    meta = json.load(open(work_dir / 'data' / 'heldout' / 'synthetic_meta.json'))
    assert (meta['style'], meta['family']) == ('photo', 'heldout')
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

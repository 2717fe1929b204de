"""tools/evaluate_bundled_model.py: the proxy figures of a bundled model on a
rendered family, data reused on a second call."""
import json
import os
import os.path as osp
import sys

import pytest

TOOLS = osp.join(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))), 'tools')
sys.path.insert(0, TOOLS)

import evaluate_bundled_model  # noqa: E402

from mmpose_mlehand.synthetic.writers import META_FILE  # noqa: E402


def test_hard_family_figures_and_data_reuse(tmp_path):
    out = tmp_path / 'figures.json'
    args = ['--family', 'hard', '--num', '40', '--seed', '3', '--work-dir', str(tmp_path),
            '--workers', '1', '--json', str(out)]
    record = evaluate_bundled_model.main(args)
    metrics = record['metrics']
    for key in ('PCK@0.2', 'frame-PCK@0.2', 'mirror-confusion', 'unc/AUROC@0.1',
                'unc/AUROC@0.2', 'real-protocol/PCK@0.2', 'real-protocol/mirror-confusion'):
        assert 0.0 <= metrics[key] <= 1.0, (key, metrics[key])
    assert record['data'] == dict(family='hard', num=40, seed=3, split='test', style='photo')
    with open(out, encoding='utf-8') as f:
        assert json.load(f)['metrics'] == metrics
    # The extent is 1/1.2 of the box: the same errors weigh more.
    assert metrics['real-protocol/PCK@0.2'] <= metrics['PCK@0.2']
    meta = tmp_path / 'data' / META_FILE
    before = os.stat(meta).st_mtime_ns
    again = evaluate_bundled_model.main(args[:-2])
    assert os.stat(meta).st_mtime_ns == before  # not rendered again
    assert again['metrics'] == metrics  # and the same figures


def test_config_and_checkpoint_go_together():
    with pytest.raises(SystemExit):
        evaluate_bundled_model.parse_args(['--work-dir', 'x', '--config', 'a.py'])


def test_style_defaults_to_the_held_out_family_style():
    assert evaluate_bundled_model.parse_args(['--work-dir', 'x']).style == 'photo'
    args = evaluate_bundled_model.parse_args(['--work-dir', 'x', '--style', 'photo-crossed'])
    assert args.style == 'photo-crossed'
    with pytest.raises(SystemExit):
        evaluate_bundled_model.parse_args(['--work-dir', 'x', '--style', 'crossed'])

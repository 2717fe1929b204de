"""Tests of the pieces shared by the dataset converters."""
import ast
import json
import os

import numpy as np
import pytest

from mmpose_mlehand.converters.common import ConversionError, as_array, seeded_split, write_outputs

from .raw_fixtures import REPO_ROOT


@pytest.mark.parametrize('n, sizes', [(10, (8, 1, 1)), (32560, (26048, 3256, 3256)),
                                      (25, (21, 2, 2)), (15, (11, 2, 2)), (3, (3, 0, 0))])
def test_seeded_split_sizes(n, sizes):
    train, val, test = seeded_split(n, 0, 0.1, 0.1)
    assert (len(train), len(val), len(test)) == sizes
    assert sorted(np.concatenate([train, val, test]).tolist()) == list(
        range(n))


def test_seeded_split_rule():
    perm = np.random.default_rng(7).permutation(20)
    train, val, test = seeded_split(20, 7, 0.1, 0.1)
    assert train.tolist() == sorted(perm[:16].tolist())
    assert val.tolist() == sorted(perm[16:18].tolist())
    assert test.tolist() == sorted(perm[18:].tolist())
    with pytest.raises(ConversionError, match='val_fraction'):
        seeded_split(20, 0, 1.0)


def test_as_array_errors_name_file_and_sample():
    np.testing.assert_array_equal(as_array([[1, 2]], (1, 2), 'f', 's'),
                                  [[1.0, 2.0]])
    for value, message in (([[1, 2], [3]], 'ragged or non-numeric'),
                           ([['1', '2']], 'ragged or non-numeric'),
                           ([[1, 2, 3]], 'expected shape 1x2, got 1x3'),
                           ([[1, float('nan')]], 'non-finite')):
        with pytest.raises(ConversionError,
                           match=f'^a.json: sample 4: .*{message}'):
            as_array(value, (1, 2), 'a.json', 'sample 4')


def test_write_outputs_all_or_nothing(tmp_path):
    out = tmp_path / 'new' / 'out'
    written = write_outputs({'a.json': {'x': 1}, 'b.json': {'y': 2}},
                            str(out))
    assert written == [str(out / 'a.json'), str(out / 'b.json')]
    assert json.loads((out / 'b.json').read_text()) == {'y': 2}

    out = tmp_path / 'blocked'
    (out / 'c.json').mkdir(parents=True)  # a folder where a file must go
    with pytest.raises(ConversionError, match='c.json: cannot write'):
        write_outputs({'a.json': {}, 'b.json': {}, 'c.json': {}}, str(out))
    assert os.listdir(out) == ['c.json']  # a and b removed, no temp files


def test_converters_import_neither_torch_nor_mmpose():
    files = [
        REPO_ROOT / 'mmpose_mlehand' / 'hand_format.py',
        REPO_ROOT / 'mmpose_mlehand' / 'utils' / 'atomic_io.py',
        REPO_ROOT / 'tools' / 'convert_freihand.py',
        REPO_ROOT / 'tools' / 'convert_rhd.py',
    ] + sorted(
        (REPO_ROOT / 'mmpose_mlehand' / 'converters').glob('*.py'))
    for path in files:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or '']
            else:
                continue
            for name in names:
                assert name.split('.')[0] not in (
                    'torch', 'mmpose', 'mmengine', 'mmcv'), (path, name)

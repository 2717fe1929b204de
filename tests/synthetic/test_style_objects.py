"""generate_dataset with a SceneStyle object instead of a style name."""
import dataclasses
import json
import os

import pytest

from mmpose_mlehand.synthetic import STYLES, generate_dataset


def _files(root: str) -> dict:
    out = {}
    for folder, _, names in os.walk(root):
        for name in names:
            if name != 'synthetic_meta.json':
                with open(os.path.join(folder, name), 'rb') as f:
                    out[os.path.relpath(os.path.join(folder, name), root)] = f.read()
    return out


def test_a_style_object_renders_as_its_fields_say_and_is_recorded(tmp_path):
    by_name, by_object = str(tmp_path / 'name'), str(tmp_path / 'object')
    copy = dataclasses.replace(STYLES['clean'], name='clean-copy')
    generate_dataset(by_name, 'freihand', 2, num_eval=1, progress=False, style='clean')
    generate_dataset(by_object, 'freihand', 2, num_eval=1, workers=2, progress=False,
                     style=copy)
    # Same fields, same files (the pool workers got the object).
    assert _files(by_name) == _files(by_object)
    with open(os.path.join(by_name, 'synthetic_meta.json'), encoding='utf-8') as f:
        assert 'style_fields' not in json.load(f)  # names record as before
    with open(os.path.join(by_object, 'synthetic_meta.json'), encoding='utf-8') as f:
        meta = json.load(f)
    assert meta['style'] == 'clean-copy'
    assert meta['style_fields'] == dataclasses.asdict(copy)
    with pytest.raises(TypeError, match='style name .* or a SceneStyle'):
        generate_dataset(str(tmp_path / 'x'), 'freihand', 2, progress=False, style=3)
    assert not os.path.exists(str(tmp_path / 'x'))

"""tools/make_hand_scenes.py: its options reach the generator and its record."""
import json
import runpy
import sys

import pytest


@pytest.mark.parametrize('layout', ['default', 'close-up'])
def test_layout_option_reaches_the_scenes_and_their_record(
        layout, repo_root, tmp_path, monkeypatch):
    out = tmp_path / 'scenes'
    monkeypatch.setattr(sys, 'argv', [
        'make_hand_scenes.py', '--out', str(out), '--num-train', '2', '--num-val', '0',
        '--num-test', '0', '--num-test-seen', '0', '--layout', layout, '--quiet'])
    with pytest.raises(SystemExit) as exit_info:
        runpy.run_path(f'{repo_root}/tools/make_hand_scenes.py', run_name='__main__')
    assert exit_info.value.code == 0
    meta = json.loads((out / 'scene_meta.json').read_text())
    assert meta['layout'] == layout and meta['counts'] == {'train': 2}

    from mmpose_mlehand.synthetic.hand_scenes import render_hand_scene
    coco = json.loads((out / 'annotations' / 'hand_scenes_train.json').read_text())
    assert coco['annotations']  # seed 0's two scenes hold hands
    for image in coco['images']:
        scene = render_hand_scene(0, 'train', image['id'] - 1, layout=layout)
        boxes = [a['bbox'] for a in coco['annotations'] if a['image_id'] == image['id']]
        assert boxes == [[round(v, 2) for v in hand.bbox] for hand in scene.hands]

"""The per-frame pipeline benchmark: its scene, its ratios and the tool's JSON."""
import json
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest

from mmpose_mlehand.analysis.benchmark_pipeline import (MEDIAPIPE_HANDS_MS, PATHS,
                                                        add_mediapipe_ratios, one_hand_scene,
                                                        resolve_detector, time_path)
from mmpose_mlehand.bundled import BUNDLED_MODELS


def test_mediapipe_ratios_divide_the_frame_times():
    results = add_mediapipe_ratios(dict(paths=dict(
        eager=dict(frame_ms=68.0), fast=dict(frame_ms=34.0), onnx=dict(frame_ms=44.0))))
    assert results['fastest_path'] == 'fast' and results['fastest_frame_ms'] == 34.0
    assert results['ratio_vs_mediapipe_lite'] == pytest.approx(2.0)
    assert results['ratio_vs_mediapipe_full'] == pytest.approx(34.0 / 22.0)
    assert results['paths']['eager']['ratio_vs_mediapipe_lite'] == pytest.approx(4.0)
    assert results['paths']['onnx']['ratio_vs_mediapipe_full'] == pytest.approx(2.0)
    assert results['mediapipe_hands_ms'] == dict(lite=17.0, full=22.0)


def test_one_hand_scene_is_the_first_generated_scene_with_one_hand():
    from mmpose_mlehand.synthetic.hand_scenes import render_hand_scene
    image, box, index = one_hand_scene(0)
    scene = render_hand_scene(0, 'test', index, 'heldout')
    assert len(scene.hands) == 1
    assert all(len(render_hand_scene(0, 'test', i, 'heldout').hands) != 1
               for i in range(index))
    np.testing.assert_array_equal(image, scene.image[..., ::-1])  # BGR
    x, y, w, h = scene.hands[0].bbox
    np.testing.assert_allclose(box, [x, y, x + w, y + h], rtol=1e-6)
    assert 0 <= box[0] < box[2] <= image.shape[1] and 0 <= box[1] < box[3] <= image.shape[0]


def test_time_path_falls_back_to_the_true_box():
    true_box = np.array([1, 2, 30, 40], np.float32)
    seen = []

    def pose(image, boxes):
        seen.append(boxes.copy())
        return np.zeros((len(boxes), 21, 2)), np.zeros((len(boxes), 21))

    def nothing(image):
        return np.zeros((0, 4), np.float32), np.zeros(0, np.float32)

    image = np.zeros((50, 60, 3), np.uint8)
    numbers = time_path(nothing, pose, image, true_box, dict(repeats=2, warmup=1))
    assert numbers['pose_box'] == 'true' and numbers['detections'] == 0
    np.testing.assert_array_equal(seen[-1], true_box[None])
    assert all(numbers[k] > 0 for k in ('detector_ms', 'pose_ms', 'frame_ms'))

    detected = np.array([[5, 6, 20, 25], [0, 0, 10, 10]], np.float32)
    numbers = time_path(lambda image: (detected, np.array([0.9, 0.5])), pose, image, true_box,
                        dict(repeats=1, warmup=0))
    assert numbers['pose_box'] == 'detected' and numbers['detections'] == 2
    np.testing.assert_array_equal(seen[-1], detected[:1])  # the best box only


def test_quick_run_writes_every_figure(repo_root, tmp_path):
    out = tmp_path / 'pipeline.json'
    proc = subprocess.run(
        [sys.executable, osp.join(repo_root, 'tools/benchmark_pipeline.py'), '--quick',
         '--json', str(out), '--threads', '1'],
        cwd=repo_root, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = json.loads(out.read_text())
    detector_model = BUNDLED_MODELS['mlehand-hand-detector']
    bundled = osp.isfile(detector_model.config) and osp.isfile(detector_model.weights)
    assert results['detector_weights'] == ('bundled' if bundled else 'random')
    assert results['detector']['weights'] == results['detector_weights']
    assert results['pose_model']['name'] == 'mlehand-synthetic-hand'
    assert results['pose_model']['weights'] == 'bundled'
    assert results['threads'] == 1 and results['quick'] is True
    assert isinstance(results['bf16_native'], bool) and results['cpu']
    assert results['machine']['cpu'] == results['cpu']
    assert set(results['paths']) == set(PATHS)
    for path, numbers in results['paths'].items():
        assert numbers['detector_ms'] > 0 and numbers['pose_ms'] > 0 and numbers['frame_ms'] > 0
        assert numbers['pose_box'] in ('detected', 'true')
        for variant, ms in MEDIAPIPE_HANDS_MS.items():
            assert numbers[f'ratio_vs_mediapipe_{variant}'] == pytest.approx(
                numbers['frame_ms'] / ms)
    fastest = min(results['paths'], key=lambda p: results['paths'][p]['frame_ms'])
    assert results['fastest_path'] == fastest
    assert results['fastest_frame_ms'] == results['paths'][fastest]['frame_ms']
    assert results['ratio_vs_mediapipe_lite'] == pytest.approx(results['fastest_frame_ms'] / 17)
    assert results['ratio_vs_mediapipe_full'] == pytest.approx(results['fastest_frame_ms'] / 22)
    for key in ('load_average_before', 'load_average_after'):
        assert len(results[key]) == 3 and min(results[key]) >= 0
    image = results['image']
    assert image['split'] == 'test' and image['family'] == 'heldout'
    x1, y1, x2, y2 = image['true_box']
    assert 0 <= x1 < x2 <= image['width'] and 0 <= y1 < y2 <= image['height']
    assert 'fastest:' in proc.stdout and 'MediaPipe' in proc.stdout
    if not bundled:
        assert 'RANDOM weights' in proc.stdout


def test_detector_falls_back_to_the_recipe_with_random_weights(repo_root, monkeypatch):
    import mmpose_mlehand.bundled as bundled

    def missing(name):
        raise FileNotFoundError(name)

    monkeypatch.setattr(bundled, 'bundled_model_files', missing)
    config, checkpoint, weights = resolve_detector(repo_root=repo_root)
    assert weights == 'random' and checkpoint is None
    # The recipe the bundled detector was trained with (its last stage).
    assert config == osp.join(repo_root, bundled.BUNDLED_MODELS[bundled.DEFAULT_DETECTOR].recipe)
    assert osp.isfile(config)
    assert resolve_detector('det.py', 'det.pth') == ('det.py', 'det.pth', 'given')

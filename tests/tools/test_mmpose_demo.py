"""MMPose's own ``demo/topdown_demo_with_mmdet.py`` runs with the bundled
detector and pose model, as the README's command runs it."""
import json
import os.path as osp
import subprocess
import sys

import cv2
import mmpose
import numpy as np
import pytest

from mmpose_mlehand.bundled import DEFAULT_DETECTOR, DEFAULT_MODEL, bundled_model_files
from mmpose_mlehand.synthetic.hand_scenes import render_hand_scene
from mmpose_mlehand.utils.boxes import box_iou

DEMO = osp.join(osp.dirname(mmpose.__file__), '.mim', 'demo', 'topdown_demo_with_mmdet.py')


def two_hand_scene():
    """The first held-out test scene with two hands."""
    for index in range(200):
        scene = render_hand_scene(0, 'test', index, 'heldout')
        if len(scene.hands) == 2:
            return scene
    raise AssertionError('no two-hand scene')


@pytest.mark.skipif(not osp.isfile(DEMO), reason="mmpose's demo folder is not installed")
def test_topdown_demo_with_mmdet_finds_both_hands(tmp_path):
    scene = two_hand_scene()
    image = str(tmp_path / 'scene.png')
    cv2.imwrite(image, np.ascontiguousarray(scene.image[..., ::-1]))
    det_config, det_weights = bundled_model_files(DEFAULT_DETECTOR)
    pose_config, pose_weights = bundled_model_files(DEFAULT_MODEL)
    out = tmp_path / 'vis'
    subprocess.run([sys.executable, DEMO, det_config, det_weights, pose_config, pose_weights,
                    '--input', image, '--output-root', str(out), '--save-predictions',
                    '--device', 'cpu'], check=True, capture_output=True, timeout=300)
    assert (out / 'scene.png').is_file()  # the drawn image
    with open(out / 'results_scene.json', encoding='utf-8') as f:
        instances = json.load(f)['instance_info']
    for instance in instances:
        assert np.asarray(instance['keypoints']).shape == (21, 2)
    boxes = np.array([instance['bbox'][0] for instance in instances]).reshape(-1, 4)
    truth = np.array([[x, y, x + w, y + h] for x, y, w, h in (h.bbox for h in scene.hands)])
    iou = box_iou(truth, boxes)
    assert iou.shape[1] >= 2 and (iou.max(axis=1) >= 0.5).all(), iou

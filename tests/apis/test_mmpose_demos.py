"""MMPose's own demo scripts run with the plugin's config and checkpoint."""
import json
import os
import os.path as osp
import subprocess
import sys

import cv2
import mmpose
import numpy as np

from tests.helpers import QUICKSTART_CFG

DEMO = osp.join(osp.dirname(mmpose.__file__), '.mim', 'demo')


def run(args, cwd):
    proc = subprocess.run([sys.executable] + args, cwd=cwd, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def test_image_demo_draws_keypoints_and_heatmaps(repo_root, trained_checkpoint,
                                                 dot_freihand_root, tmp_path):
    _, checkpoint = trained_checkpoint
    image = osp.join(dot_freihand_root, 'images', '00001.png')
    out = str(tmp_path / 'vis.png')
    run([osp.join(DEMO, 'image_demo.py'), image, osp.join(repo_root, QUICKSTART_CFG),
         checkpoint, '--out-file', out, '--draw-heatmap', '--device', 'cpu'], repo_root)
    drawn, original = cv2.imread(out), cv2.imread(image)
    # The picture with the skeleton on top, the heatmaps (the last stage's
    # likelihoods) below it.
    assert drawn.shape == (2 * original.shape[0], original.shape[1], 3)
    assert (drawn[:224] != original).any() and drawn[224:].std() > 1


def test_inferencer_demo_writes_predictions(repo_root, trained_checkpoint, dot_freihand_root,
                                            tmp_path):
    _, checkpoint = trained_checkpoint
    image = osp.join(dot_freihand_root, 'images', '00002.png')
    run([osp.join(DEMO, 'inferencer_demo.py'), image, '--pose2d',
         osp.join(repo_root, QUICKSTART_CFG), '--pose2d-weights', checkpoint, '--det-model',
         'whole_image', '--vis-out-dir', str(tmp_path / 'vis'), '--pred-out-dir',
         str(tmp_path / 'pred'), '--device', 'cpu'], repo_root)
    assert os.listdir(tmp_path / 'vis') == ['00002.png']
    with open(tmp_path / 'pred' / '00002.json') as f:
        instances = json.load(f)
    keypoints = np.asarray(instances[0]['keypoints'])
    scores = np.asarray(instances[0]['keypoint_scores'])
    assert keypoints.shape == (21, 2) and np.isfinite(keypoints).all()
    assert ((scores > 0) & (scores <= 1)).all()

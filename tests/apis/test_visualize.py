import os.path as osp

import cv2
import numpy as np

from mmpose_mlehand.apis import predict_and_draw
from tests.helpers import QUICKSTART_CFG


def test_inferencer_draws_a_plugin_checkpoint(trained_checkpoint, dot_freihand_root, repo_root,
                                              tmp_path):
    _, checkpoint = trained_checkpoint
    image = osp.join(dot_freihand_root, 'images', '00000.png')
    out_file = str(tmp_path / 'prediction.png')
    result = predict_and_draw(osp.join(repo_root, QUICKSTART_CFG), checkpoint, image, out_file)
    assert result['keypoints'].shape == (21, 2) and result['keypoint_scores'].shape == (21, )
    # Coordinates in image pixels, inside the 224x224 crop; scores = 1 - mean sigma.
    assert np.isfinite(result['keypoints']).all()
    assert (result['keypoints'] > -1).all() and (result['keypoints'] < 225).all()
    assert (result['keypoint_scores'] <= 1).all()
    drawn, original = cv2.imread(out_file), cv2.imread(image)
    assert drawn.shape == original.shape
    # A dot is drawn at every keypoint above the inferencer's score threshold (0.3).
    changed = (drawn != original).any(axis=-1)
    for (x, y), score in zip(result['keypoints'], result['keypoint_scores']):
        if score > 0.3:
            assert changed[int(round(y)), int(round(x))], (x, y)
    assert (result['keypoint_scores'] > 0.3).any()

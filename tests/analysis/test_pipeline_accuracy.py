"""End-to-end accuracy of detector + pose model against a hand computation."""
import json

import numpy as np
import pytest

from mmpose_mlehand.analysis.pipeline_accuracy import evaluate_pipeline, hand_errors


def test_hand_errors_take_the_closest_candidate_over_visible_keypoints():
    truth = np.array([[0.0, 0.0], [10.0, 0.0]])
    near = np.array([[1.0, 0.0], [10.0, 3.0]])
    far = np.array([[0.0, 0.0], [30.0, 0.0]])
    visible = np.array([True, True])
    np.testing.assert_allclose(hand_errors(truth, visible, [far, near]), [1.0, 3.0])
    # Only the first keypoint counts: `far` is exact there.
    np.testing.assert_allclose(hand_errors(truth, np.array([True, False]), [near, far]),
                               [0.0, 20.0])
    assert hand_errors(truth, visible, []) is None


class FakeInferencer:
    """Answers like MMPoseInferencer: fixed instances without boxes, and the
    given boxes' instances with given keypoints."""

    def __init__(self, detected, given):
        self.detected, self.given = detected, given

    def __call__(self, path, bboxes=None):
        name = path.rsplit('/', 1)[-1]
        if bboxes is None:
            instances = self.detected[name]
        else:
            instances = [dict(bbox=[list(b)], keypoints=k, bbox_score=1.0)
                         for b, k in zip(bboxes[0], self.given[name])]
        yield dict(predictions=[instances])


def test_evaluate_pipeline_counts_missed_hands_as_wrong(tmp_path):
    # Image 1: two hands (boxes 100 px: PCK@0.2 threshold 20 px), one
    # detected with 2 of 3 keypoints right; the other missed. Image 2: no
    # hand, one false box.
    kp_a = [[10, 10, 2], [50, 50, 2], [90, 90, 2]]
    kp_b = [[210, 10, 2], [250, 50, 2], [290, 90, 0]]  # third keypoint out of frame
    coco = dict(
        images=[dict(id=1, file_name='1.jpg'), dict(id=2, file_name='2.jpg')],
        annotations=[
            dict(id=1, image_id=1, bbox=[0, 0, 100, 100], keypoints=sum(kp_a, [])),
            dict(id=2, image_id=1, bbox=[200, 0, 100, 100], keypoints=sum(kp_b, []))])
    path = tmp_path / 'ann.json'
    path.write_text(json.dumps(coco))
    found_a = np.array([[12, 10], [50, 55], [90, 130]], float)  # errors 2, 5, 40
    detected = {
        '1.jpg': [dict(bbox=[[0, 0, 100, 100]], bbox_score=0.9, keypoints=found_a)],
        '2.jpg': [dict(bbox=[[0, 0, 50, 50]], bbox_score=0.8, keypoints=np.zeros((3, 2)))]}
    given = {'1.jpg': [np.array(kp_a, float)[:, :2],  # exact
                       np.array(kp_b, float)[:, :2] + [30, 0]]}  # all 30 px off
    result = evaluate_pipeline(FakeInferencer(detected, given), str(path), str(tmp_path))
    assert result['hands'] == 2 and result['images'] == 2
    assert result['recall@0.5'] == pytest.approx(0.5)
    assert result['missed_hands'] == 0  # hand b is matched to a's instance (closest)
    assert result['false_boxes'] == 1
    # Scored keypoints: 3 + 2. End to end: a 2 right; b matched to found_a:
    # errors 202 and 200 px: wrong. True box: a 3 right, b 0 right.
    assert result['pck@0.2_end_to_end'] == pytest.approx(2 / 5)
    assert result['pck@0.2_true_box'] == pytest.approx(3 / 5)
    assert result['pck@0.2_drop'] == pytest.approx(1 / 5)

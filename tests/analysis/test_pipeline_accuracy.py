"""End-to-end accuracy of detector + pose model against a hand computation."""
import json

import numpy as np
import pytest

from mmpose_mlehand.analysis.colour_shifts import colour_shift
from mmpose_mlehand.analysis.pipeline_accuracy import (evaluate_pipeline, hand_errors,
                                                       recall_breakdown)


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
    # hand, one false box. Image 3: no hand, no instance.
    kp_a = [[10, 10, 2], [50, 50, 2], [90, 90, 2]]
    kp_b = [[210, 10, 2], [250, 50, 2], [290, 90, 0]]  # third keypoint out of frame
    coco = dict(
        images=[dict(id=1, file_name='1.jpg'), dict(id=2, file_name='2.jpg'),
                dict(id=3, file_name='3.jpg')],
        annotations=[
            dict(id=1, image_id=1, bbox=[0, 0, 100, 100], keypoints=sum(kp_a, [])),
            dict(id=2, image_id=1, bbox=[200, 0, 100, 100], keypoints=sum(kp_b, []))])
    path = tmp_path / 'ann.json'
    path.write_text(json.dumps(coco))
    found_a = np.array([[12, 10], [50, 55], [90, 130]], float)  # errors 2, 5, 40
    detected = {
        '1.jpg': [dict(bbox=[[0, 0, 100, 100]], bbox_score=0.9, keypoints=found_a)],
        '2.jpg': [dict(bbox=[[0, 0, 50, 50]], bbox_score=0.8, keypoints=np.zeros((3, 2)))],
        '3.jpg': []}
    given = {'1.jpg': [np.array(kp_a, float)[:, :2],  # exact
                       np.array(kp_b, float)[:, :2] + [30, 0]]}  # all 30 px off
    result = evaluate_pipeline(FakeInferencer(detected, given), str(path), str(tmp_path))
    assert result['hands'] == 2 and result['images'] == 3
    assert result['recall@0.5'] == pytest.approx(0.5)
    assert result['missed_hands'] == 0  # hand b is matched to a's instance (closest)
    assert result['false_boxes'] == 1
    assert result['hand_free_images'] == 2
    assert result['hand_free_with_instance'] == pytest.approx(1 / 2)
    # Scored keypoints: 3 + 2. End to end: a 2 right; b matched to found_a:
    # errors 202 and 200 px: wrong. True box: a 3 right, b 0 right.
    assert result['pck@0.2_end_to_end'] == pytest.approx(2 / 5)
    assert result['pck@0.2_true_box'] == pytest.approx(3 / 5)
    assert result['pck@0.2_drop'] == pytest.approx(1 / 5)
    # Per hand: a found (IoU 1) with 2/3 and 3/3 right; b not found (IoU 0
    # with a's box), reaching outside the frame, 0/2 both ways. The images
    # have no size: no size bin.
    a, b = result['per_hand']
    assert a == dict(image_id=1, id=1, instances=1, found=True, best_iou=1.0, reaches_outside=False,
                     size=None, pck_end_to_end=pytest.approx(2 / 3), pck_true_box=1.0)
    assert b == dict(image_id=1, id=2, instances=1, found=False, best_iou=0.0, reaches_outside=True,
                     size=None, pck_end_to_end=0.0, pck_true_box=0.0)
    groups = result['recall_by_group']
    assert groups['inside_frame'] == {'hands': 1, 'recall@0.5': 1.0, 'near_misses': 0,
                                      'not_found': 0}
    assert groups['reaches_outside'] == {'hands': 1, 'recall@0.5': 0.0, 'near_misses': 0,
                                         'not_found': 1}
    assert groups['size_0-0.1']['hands'] == 0 and groups['size_0-0.1']['recall@0.5'] is None


def test_pck_divides_by_the_keypoint_extent_not_the_box(tmp_path):
    # Keypoints span 100 px (box 120): 21 px is wrong at 0.2 of the extent (20)
    # though right at 0.2 of the box (24). A hand with one keypoint in the frame
    # has no extent: it counts for the recall only.
    kp = [[0, 0, 2], [100, 0, 2]]
    lone = [[300, 300, 2], [0, 0, 0]]
    coco = dict(images=[dict(id=1, file_name='1.jpg', width=100, height=400)],
                annotations=[dict(id=1, image_id=1, bbox=[-10, -60, 120, 120],
                                  keypoints=sum(kp, [])),
                             dict(id=2, image_id=1, bbox=[290, 290, 20, 20],
                                  keypoints=sum(lone, []))])
    (tmp_path / 'ann.json').write_text(json.dumps(coco))
    near = np.array([[0.0, 21.0], [100.0, 19.0]])
    inferencer = FakeInferencer(
        {'1.jpg': [dict(bbox=[[-10, -60, 110, 60]], bbox_score=0.9, keypoints=near)]},
        {'1.jpg': [near, np.zeros((2, 2))]})
    result = evaluate_pipeline(inferencer, str(tmp_path / 'ann.json'), str(tmp_path))
    assert result['hands'] == 2 and result['recall@0.5'] == pytest.approx(0.5)
    assert result['pck@0.2_end_to_end'] == pytest.approx(1 / 2)
    assert result['pck@0.2_true_box'] == pytest.approx(1 / 2)
    assert result['hand_free_images'] == 0 and result['hand_free_with_instance'] is None
    # The first hand's x = 100 lies outside the 100-pixel-wide image though flagged
    # in it; sizes are the box's longer side over the image's (400).
    first, lone = result['per_hand']
    assert first['reaches_outside'] and first['size'] == pytest.approx(120 / 400)
    assert lone['reaches_outside'] and lone['size'] == pytest.approx(20 / 400)
    assert lone['pck_end_to_end'] is None and lone['found'] is False
    json.dumps(result, allow_nan=False)  # strict JSON: no NaN anywhere


def test_recall_breakdown_by_frame_size_and_iou_of_the_misses():
    def hand(found, iou, outside, size):
        return dict(found=found, best_iou=iou, reaches_outside=outside, size=size)
    hands = [hand(True, 0.8, False, 0.2), hand(False, 0.4, False, 0.1),  # near miss
             hand(False, 0.1, True, 0.3), hand(True, 0.6, True, 0.6),
             hand(False, 0.3, True, 0.7),  # 0.3 is a near miss
             hand(True, 0.9, False, None)]  # no image size: no size bin
    groups = recall_breakdown(hands)
    assert groups['inside_frame'] == {'hands': 3, 'recall@0.5': pytest.approx(2 / 3),
                                      'near_misses': 1, 'not_found': 0}
    assert groups['reaches_outside'] == {'hands': 3, 'recall@0.5': pytest.approx(1 / 3),
                                         'near_misses': 1, 'not_found': 1}
    assert groups['size_0-0.1'] == {'hands': 0, 'recall@0.5': None, 'near_misses': 0,
                                    'not_found': 0}  # 0.1 belongs to the next bin
    assert groups['size_0.1-0.25'] == {'hands': 2, 'recall@0.5': 0.5, 'near_misses': 1,
                                       'not_found': 0}
    assert groups['size_0.25-0.5'] == {'hands': 1, 'recall@0.5': 0.0, 'near_misses': 0,
                                       'not_found': 1}
    assert groups['size_0.5-0.75'] == {'hands': 2, 'recall@0.5': 0.5, 'near_misses': 1,
                                       'not_found': 0}
    assert groups['size_0.75-inf']['hands'] == 0


def test_clipped_boxes_match_a_detection_drawn_inside_the_frame(tmp_path):
    # The annotated box reaches 100 px left of a 200-pixel image; the detector
    # draws the part inside (IoU 1/2 with the box as annotated, 1 clipped).
    kp = [[10, 10, 2], [90, 90, 2]]
    coco = dict(images=[dict(id=1, file_name='1.jpg', width=200, height=200)],
                annotations=[dict(id=1, image_id=1, bbox=[-100, 0, 200, 100],
                                  keypoints=sum(kp, []))])
    (tmp_path / 'ann.json').write_text(json.dumps(coco))
    truth = np.array(kp, float)[:, :2]
    inferencer = FakeInferencer(
        {'1.jpg': [dict(bbox=[[0, 0, 100, 100]], bbox_score=0.9, keypoints=truth)]},
        {'1.jpg': [truth]})
    as_annotated = evaluate_pipeline(inferencer, str(tmp_path / 'ann.json'), str(tmp_path))
    assert as_annotated['recall@0.5'] == 1.0  # IoU exactly 0.5 counts
    assert as_annotated['per_hand'][0]['best_iou'] == pytest.approx(0.5)
    clipped = evaluate_pipeline(inferencer, str(tmp_path / 'ann.json'), str(tmp_path),
                                clip_to_image=True)
    assert clipped['per_hand'][0]['best_iou'] == pytest.approx(1.0)
    del coco['images'][0]['width']
    (tmp_path / 'ann.json').write_text(json.dumps(coco))
    with pytest.raises(ValueError, match=r'image 1 \(1.jpg\) has no width and height'):
        evaluate_pipeline(inferencer, str(tmp_path / 'ann.json'), str(tmp_path),
                          clip_to_image=True)


class RecordingInferencer(FakeInferencer):
    """FakeInferencer that takes pixels: every image is '1.jpg', and the
    arrays it got are kept."""

    def __init__(self, detected, given):
        super().__init__(detected, given)
        self.seen = []

    def __call__(self, image, bboxes=None):
        self.seen.append(image)
        return super().__call__('1.jpg', bboxes)


def test_evaluate_pipeline_recolours_every_image_of_both_runs(tmp_path):
    import cv2
    image = np.zeros((40, 60, 3), np.uint8)
    image[..., 2] = 200  # red
    cv2.imwrite(str(tmp_path / '1.png'), image)
    kp = [[10, 10, 2], [20, 20, 2]]
    coco = dict(images=[dict(id=1, file_name='1.png')],
                annotations=[dict(id=1, image_id=1, bbox=[0, 0, 30, 30], keypoints=sum(kp, []))])
    (tmp_path / 'ann.json').write_text(json.dumps(coco))
    truth = np.array(kp, float)[:, :2]
    inferencer = RecordingInferencer(
        {'1.jpg': [dict(bbox=[[0, 0, 30, 30]], bbox_score=0.9, keypoints=truth)]},
        {'1.jpg': [truth]})
    result = evaluate_pipeline(inferencer, str(tmp_path / 'ann.json'), str(tmp_path),
                               recolour=colour_shift('gray'))
    assert len(inferencer.seen) == 2  # without a box and with the true box
    for seen in inferencer.seen:
        # OpenCV's luma of pure red 200: 0.299 * 200 = 59.8 -> 60, in every channel.
        assert seen.shape == (40, 60, 3) and (seen == 60).all()
    assert result['pck@0.2_end_to_end'] == 1.0
    with pytest.raises(ValueError, match='2.png: missing or unreadable image'):
        coco['images'][0]['file_name'] = '2.png'
        (tmp_path / 'ann.json').write_text(json.dumps(coco))
        evaluate_pipeline(inferencer, str(tmp_path / 'ann.json'), str(tmp_path),
                          recolour=colour_shift('gray'))


def test_colour_shifts_by_hand():
    image = np.array([[[100, 150, 200], [0, 128, 255]]], np.uint8)  # (1, 2, 3) BGR
    np.testing.assert_array_equal(colour_shift('warm')(image),
                                  [[[85, 150, 230], [0, 128, 255]]])  # 1.15 * 255 clipped
    np.testing.assert_array_equal(colour_shift('cool')(image), [[[115, 150, 170], [0, 128, 217]]])
    gray = colour_shift('gray')(image)
    assert (gray == gray[..., :1]).all()
    assert gray[0, 0, 0] == round(0.114 * 100 + 0.587 * 150 + 0.299 * 200)  # 159
    # Halving the saturation keeps a gray pixel gray and moves a coloured one
    # half way towards its brightest channel's level.
    flat = np.full((1, 1, 3), 90, np.uint8)
    np.testing.assert_array_equal(colour_shift('desaturated')(flat), flat)
    red = np.array([[[0, 0, 200]]], np.uint8)
    np.testing.assert_array_equal(colour_shift('desaturated')(red), [[[100, 100, 200]]])
    with pytest.raises(ValueError, match="unknown colour shift 'sepia'; expected one of gray"):
        colour_shift('sepia')

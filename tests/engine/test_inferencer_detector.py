"""The plugin's pose models find hands with the bundled detector (no box given),
and MMPose's inferencer takes odd images and refuses unreadable files."""
import numpy as np
import pytest
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmpose.apis import MMPoseInferencer

import mmpose_mlehand.plugin  # noqa: F401
from mmpose_mlehand.bundled import DEFAULT_DETECTOR, DEFAULT_MODEL, bundled_model_files
from mmpose_mlehand.engine.inferencer_detector import (keypoint_boxes, trained_with_plugin_data,
                                                       whole_image_kept)
from mmpose_mlehand.engine.inferencer_inputs import as_bgr
from mmpose_mlehand.synthetic.hand_scenes import render_hand_scene
from mmpose_mlehand.utils.boxes import box_iou


@pytest.fixture(scope='module')
def inferencer():
    return MMPoseInferencer(pose2d=DEFAULT_MODEL, device='cpu')


def first_scene(hands: int, family: str = 'heldout', split: str = 'test'):
    """The first held-out test scene with that many hands, as BGR."""
    for index in range(200):
        scene = render_hand_scene(0, split, index, family)
        if len(scene.hands) == hands:
            return scene, np.ascontiguousarray(scene.image[..., ::-1])
    raise AssertionError(f'no scene with {hands} hands')


def xyxy(bbox):
    x, y, w, h = bbox
    return [x, y, x + w, y + h]


def test_the_bundled_detector_is_the_default_for_plugin_models(inferencer):
    detector = inferencer.inferencer.detector
    assert detector is not None
    config, _ = bundled_model_files(DEFAULT_DETECTOR)
    assert detector.cfg.model == Config.fromfile(config).model
    assert trained_with_plugin_data(inferencer.inferencer.cfg)
    # MMPose's own hand config keeps MMPose's choice.
    assert not trained_with_plugin_data(Config(dict(dataset_type='FreiHandDataset')))


def test_two_hands_of_a_generated_scene_are_found_without_boxes(inferencer):
    scene, image = first_scene(2)
    predictions = next(inferencer(image))['predictions'][0]
    boxes = np.array([p['bbox'][0] for p in predictions]).reshape(-1, 4)
    truth = np.array([xyxy(h.bbox) for h in scene.hands])
    iou = box_iou(truth, boxes)
    assert iou.shape[1] >= 2 and (iou.max(axis=1) >= 0.5).all(), iou
    for p in predictions:
        assert np.asarray(p['keypoints']).shape == (21, 2)
        assert np.isfinite(p['keypoint_scores']).all()


def test_a_scene_without_hands_gives_no_instance(inferencer):
    _, image = first_scene(0)
    assert next(inferencer(image))['predictions'][0] == []


def test_whole_image_kept_by_mean_keypoint_score():
    scores = np.array([[0.5, 0.7], [0.2, 0.3]])
    assert whole_image_kept(scores, 0.6).tolist() == [True, False]
    assert whole_image_kept(scores, None).tolist() == [False, False]
    assert whole_image_kept(np.zeros((0, 21)), 0.5).shape == (0, )


def test_keypoint_boxes_are_the_extent_times_1_2_clipped_to_the_frame():
    keypoints = np.array([[[10.0, 20.0], [30.0, 60.0]],      # extent 20 x 40
                          [[-5.0, 0.0], [95.0, 50.0]]])      # wider than its frame
    frames = np.array([[0, 0, 100, 100], [0, 0, 100, 80]])
    np.testing.assert_allclose(keypoint_boxes(keypoints, frames),
                               [[8, 16, 32, 64], [0, 0, 100, 55]])
    assert keypoint_boxes(np.zeros((0, 21, 2)), np.zeros((0, 4))).shape == (0, 4)


def test_the_whole_image_prediction_is_kept_only_above_its_threshold(inferencer):
    _, image = first_scene(0)
    pose = inferencer.inferencer
    default = pose._mlehand_default_whole_image_thr
    try:
        pose._mlehand_default_whole_image_thr = 0.0  # every whole-image prediction kept
        predictions = next(inferencer(image))['predictions'][0]
        assert len(predictions) == 1
        h, w = image.shape[:2]
        # Its box is its keypoints' (extent x 1.2), inside the image.
        expected = keypoint_boxes(np.asarray(predictions[0]['keypoints'])[None],
                                  np.array([[0, 0, w, h]]))[0]
        np.testing.assert_allclose(predictions[0]['bbox'][0], expected, rtol=1e-5)
        assert 0 <= expected[0] < expected[2] <= w and 0 <= expected[1] < expected[3] <= h
        assert predictions[0]['bbox_score'] == 0
        assert np.asarray(predictions[0]['keypoints']).shape == (21, 2)
        # A bbox_thr given is MMPose's plain threshold: no fallback of either kind.
        assert next(inferencer(image, bbox_thr=0.4))['predictions'][0] == []
        pose._mlehand_default_whole_image_thr = 1.01  # none kept
        assert next(inferencer(image))['predictions'][0] == []
    finally:
        pose._mlehand_default_whole_image_thr = default


def test_given_boxes_and_other_detectors_still_win(inferencer):
    _, image = first_scene(1)
    box = [10.0, 20.0, 90.0, 120.0]
    predictions = next(inferencer(image, bboxes=[[box]]))['predictions'][0]
    assert len(predictions) == 1
    np.testing.assert_allclose(predictions[0]['bbox'][0], box)
    whole = MMPoseInferencer(pose2d=DEFAULT_MODEL, det_model='whole_image', device='cpu')
    assert whole.inferencer.detector is None


@pytest.mark.parametrize('shape', [(96, 128), (96, 128, 1), (96, 128, 4), (8, 8, 3),
                                   (3000, 4000, 3)])
def test_odd_images_work(inferencer, shape):
    image = np.random.default_rng(0).integers(0, 255, shape, np.uint8)
    predictions = next(inferencer(image))['predictions'][0]
    for p in predictions:
        assert np.isfinite(p['keypoints']).all()


def test_unreadable_files_are_refused_with_their_path(inferencer, tmp_path):
    missing = str(tmp_path / 'missing.jpg')
    with pytest.raises(FileNotFoundError, match='missing.jpg'):
        next(inferencer(missing))
    broken = tmp_path / 'broken.jpg'
    broken.write_bytes(b'not a jpeg')
    with pytest.raises(ValueError, match='broken.jpg'):
        next(inferencer(str(broken)))


def test_as_bgr_converts_by_opencv_rules():
    grey = np.array([[0, 255]], np.uint8)
    np.testing.assert_array_equal(as_bgr(grey), [[[0, 0, 0], [255, 255, 255]]])
    bgra = np.array([[[1, 2, 3, 4]]], np.uint8)
    np.testing.assert_array_equal(as_bgr(bgra), [[[1, 2, 3]]])
    with pytest.raises(ValueError, match='shape'):
        as_bgr(np.zeros((4, 4, 2), np.uint8))


class ScriptedDetector:
    """A detector that returns fixed boxes, scores and labels."""

    def __init__(self, boxes, scores, labels):
        import torch
        from mmdet.structures import DetDataSample
        from mmengine.structures import InstanceData
        self.sample = DetDataSample()
        self.sample.pred_instances = InstanceData(
            bboxes=torch.tensor(boxes, dtype=torch.float32),
            scores=torch.tensor(scores, dtype=torch.float32),
            labels=torch.tensor(labels))

    def __call__(self, image, return_datasamples=False):
        return dict(predictions=[self.sample])


def test_detect_boxes_keeps_the_best_box_as_fallback_only():
    from types import SimpleNamespace

    from mmpose_mlehand.engine.inferencer_detector import detect_boxes
    boxes = [[0, 0, 10, 10], [20, 20, 40, 40], [50, 50, 60, 60]]
    fake = SimpleNamespace(det_cat_ids=(0, ), detector=ScriptedDetector(
        boxes, [0.2, 0.25, 0.9], [0, 0, 1]))  # the 0.9 box is another class
    image = np.zeros((64, 64, 3), np.uint8)
    assert detect_boxes(fake, image, 0.3, 0.3).shape == (0, 5)
    kept = detect_boxes(fake, image, 0.3, 0.3, fallback_thr=0.1)
    np.testing.assert_allclose(kept, [[20, 20, 40, 40, 0.25]])
    assert detect_boxes(fake, image, 0.3, 0.3, fallback_thr=0.25).shape == (0, 5)
    # Boxes above the threshold: no fallback box beside them.
    fake.detector = ScriptedDetector(boxes, [0.2, 0.5, 0.9], [0, 0, 0])
    assert len(detect_boxes(fake, image, 0.3, 0.3, fallback_thr=0.1)) == 2


def test_the_fallback_is_the_bundled_default_and_a_given_bbox_thr_is_plain(inferencer):
    config, _ = bundled_model_files(DEFAULT_DETECTOR)
    _, image = first_scene(1)
    next(inferencer(image))
    pose = inferencer.inferencer
    assert pose._mlehand_fallback_thr == Config.fromfile(config).get('hand_fallback_thr')
    next(inferencer(image, bbox_thr=0.5))
    assert pose._mlehand_fallback_thr is None


def test_a_detector_given_by_path_gets_its_hand_class_and_thresholds():
    # The bundled files given explicitly, as for a retrained detector: MMPose
    # alone would keep the boxes of det_cat_ids=(None, ), i.e. none.
    config, weights = bundled_model_files(DEFAULT_DETECTOR)
    given = MMPoseInferencer(pose2d=DEFAULT_MODEL, det_model=config, det_weights=weights,
                             device='cpu')
    assert given.inferencer.det_cat_ids == (0, )
    # Building mmdet's inferencer leaves MMPose's scope, not mmdet's, current.
    assert DefaultScope.get_current_instance().scope_name == 'mmpose'
    scene, image = first_scene(2)
    predictions = next(given(image))['predictions'][0]
    assert given.inferencer._mlehand_fallback_thr == Config.fromfile(config).get(
        'hand_fallback_thr')
    assert given.inferencer._mlehand_bbox_thr == Config.fromfile(config).get('hand_score_thr')
    boxes = np.array([p['bbox'][0] for p in predictions]).reshape(-1, 4)
    iou = box_iou(np.array([xyxy(h.bbox) for h in scene.hands]), boxes)
    assert iou.shape[1] >= 2 and (iou.max(axis=1) >= 0.5).all(), iou
    # Categories given by the user are kept.
    other = MMPoseInferencer(pose2d=DEFAULT_MODEL, det_model=config, det_weights=weights,
                             det_cat_ids=(3, ), device='cpu')
    assert other.inferencer.det_cat_ids == (3, )
    assert next(other(image))['predictions'][0] == []

import numpy as np
import pytest
import torch
from mmengine.structures import InstanceData
from mmpose.registry import MODELS
from mmpose.structures import PoseDataSample
from torch import nn

from mmpose_mlehand.apis.crops import (normalised_black, rotate_points, rotate_sigmas, turn_crops,
                                       turn_from_upright)

K = 21
SIZE = 33  # crop side (pixels): its centre is pixel 16
CENTER = np.array([(SIZE - 1) / 2, (SIZE - 1) / 2])


def test_turn_from_upright_reads_the_wrist_to_knuckle_angle():
    keypoints = np.zeros((4, K, 2))
    keypoints[:, 9] = [[0, -1], [1, 0], [-1, 0], [0, 1]]  # up, right, left, down
    np.testing.assert_allclose(turn_from_upright(keypoints), [0, 90, -90, -180])


def grid_sample_turn(crops, turn_deg):
    """The reference: torch's affine_grid + grid_sample, pixels turned about the centre."""
    crops = torch.as_tensor(crops, dtype=torch.float64)
    height, width = crops.shape[-2:]
    rad = torch.deg2rad(torch.as_tensor(turn_deg, dtype=torch.float64))
    theta = torch.zeros(len(rad), 2, 3, dtype=torch.float64)
    # Normalised coordinates are pixels scaled by 2/w, 2/h: R becomes S R S^-1.
    theta[:, 0, 0], theta[:, 0, 1] = torch.cos(rad), -torch.sin(rad) * height / width
    theta[:, 1, 0], theta[:, 1, 1] = torch.sin(rad) * width / height, torch.cos(rad)
    grid = torch.nn.functional.affine_grid(theta, list(crops.shape), align_corners=False)
    return torch.nn.functional.grid_sample(crops, grid, align_corners=False).numpy()


def test_a_quarter_turn_of_the_crop_is_the_exact_pixel_rotation():
    crops = np.arange(2 * SIZE * SIZE, dtype=np.float64).reshape(1, 2, SIZE, SIZE)
    # Output pixel (x, y) shows input pixel (W-1-y, x): a hand pointing right
    # (turned +90 from upright) comes out pointing up.
    np.testing.assert_allclose(turn_crops(crops, np.array([90.]), np.zeros(2)),
                               crops.transpose(0, 1, 3, 2)[:, :, ::-1], atol=1e-9)


def test_a_half_turn_of_a_non_square_crop_does_not_shear():
    crops = np.arange(3 * 48 * 64, dtype=np.float64).reshape(1, 3, 64, 48)
    np.testing.assert_allclose(turn_crops(crops, np.array([180.]), np.zeros(3)),
                               crops[:, :, ::-1, ::-1], atol=1e-9)


def test_turn_crops_is_grid_sample_with_the_fill_beyond_the_crop():
    crops = np.random.default_rng(0).normal(size=(3, 3, 24, 40))
    turns = np.array([37., -120., 65.])
    fill = np.array([-2., 0.5, 1.])
    expected = grid_sample_turn(crops - fill[:, None, None], turns) + fill[:, None, None]
    np.testing.assert_allclose(turn_crops(crops, turns, fill), expected, atol=1e-9)
    # A corner turned in from outside the crop holds the fill.
    np.testing.assert_allclose(turn_crops(crops, np.array([45.]), fill)[0, :, 0, 0], fill)


def test_rotate_points_undoes_the_crop_turn():
    # A dot right of the centre (a hand turned +90) appears above it on the upright
    # crop; turning that position by +90 gives the dot's place back.
    crops = np.zeros((1, 1, SIZE, SIZE))
    crops[0, 0, 15, 27] = 1.  # row 15, column 27
    turned = turn_crops(crops, np.array([90.]), np.zeros(1))[0, 0]
    row, col = np.unravel_index(int(turned.argmax()), turned.shape)
    assert turned[row, col] == pytest.approx(1.)
    np.testing.assert_allclose(rotate_points(np.array([col, row]), 90., CENTER), [27, 15],
                               atol=1e-9)


def test_rotate_sigmas_by_hand():
    sigmas = np.array([[0.1, 0.3]])
    np.testing.assert_allclose(rotate_sigmas(sigmas, 0.), sigmas)
    np.testing.assert_allclose(rotate_sigmas(sigmas, 90.), [[0.3, 0.1]], atol=1e-12)
    np.testing.assert_allclose(rotate_sigmas(sigmas, 45.), [[np.sqrt(0.05)] * 2])


class _PassThrough(nn.Module):
    """Backbone stand-in: the crop itself is the feature."""

    def forward(self, x):
        return (x, )


class _BrightestDotHead(nn.Module):
    """Head stand-in with a known answer: keypoint 0 at the crop centre,
    keypoint 9 (and all others) at the brightest pixel of channel 0; scores 0.9
    where that pixel is above the centre (an upright hand) and 0.4 otherwise."""

    def predict(self, feats, data_samples, test_cfg=None):
        preds = []
        for crop in feats[0][:, 0]:
            row, col = np.unravel_index(int(crop.argmax()), crop.shape)
            keypoints = np.tile(np.array([col, row], np.float32), (1, K, 1))
            keypoints[0, 0] = CENTER
            upright = row < CENTER[1] - 1 and abs(col - CENTER[0]) < 1
            preds.append(InstanceData(keypoints=keypoints,
                                      keypoint_scores=np.full((1, K), 0.9 if upright else 0.4)))
        return preds


@pytest.fixture(scope='module')
def stand_in_parts():
    for cls in (_PassThrough, _BrightestDotHead):
        MODELS.register_module(name=f'UprightTest{cls.__name__}', module=cls, force=True)


def build_estimator(upright, std=1.):
    return MODELS.build(dict(
        type='UprightTopdownPoseEstimator', backbone=dict(type='UprightTest_PassThrough'),
        head=dict(type='UprightTest_BrightestDotHead'),
        data_preprocessor=dict(type='PoseDataPreprocessor', mean=[0.] * 3, std=[std] * 3),
        test_cfg=dict(upright=upright)))


def crop_with_dot(col, row):
    inputs = torch.zeros(1, 3, SIZE, SIZE)
    inputs[0, 0, row, col] = 1.
    # A 66-pixel box centred at (100, 50): image = crop * 2 + (67, 17).
    sample = PoseDataSample(metainfo=dict(input_size=(SIZE, SIZE), input_center=np.array(
        [100., 50.]), input_scale=np.array([66., 66.])))
    sample.gt_instances = InstanceData(bboxes=np.array([[67., 17., 133., 83.]]),
                                       bbox_scores=np.ones(1))
    return inputs, [sample]


def to_image(crop_xy):
    return np.asarray(crop_xy, float) * 2 + [67, 17]


@pytest.mark.parametrize('col,row,turn', [(28, 16, 90), (4, 16, -90), (16, 29, -180)])
def test_a_turned_hand_is_predicted_upright_and_mapped_back(stand_in_parts, col, row, turn):
    first = np.zeros((1, K, 2))
    first[0, 0], first[0, 9] = CENTER, [col, row]
    assert turn_from_upright(first)[0] == pytest.approx(turn)
    model = build_estimator(dict()).eval()
    with torch.no_grad():
        pred = model.predict(*crop_with_dot(col, row))[0].pred_instances
    # The second pass saw the dot above the centre (score 0.9, against 0.4 for the
    # first) and its keypoint, turned back, lands on the dot.
    np.testing.assert_allclose(pred.keypoint_scores, 0.9)
    np.testing.assert_allclose(pred.keypoints[0, 9], to_image([col, row]), atol=1e-4)
    np.testing.assert_allclose(pred.keypoints[0, 0], to_image(CENTER), atol=1e-4)


def test_hands_nearer_upright_and_unimproved_ones_keep_the_first_prediction(stand_in_parts):
    # Turned about 85 degrees, less than min_turn_deg: predicted once.
    model = build_estimator(dict(min_turn_deg=100.)).eval()
    with torch.no_grad():
        pred = model.predict(*crop_with_dot(27, 15))[0].pred_instances
    np.testing.assert_allclose(pred.keypoint_scores, 0.4)
    np.testing.assert_allclose(pred.keypoints[0, 9], to_image([27, 15]))
    # With "upright" pointing right, the dot above the centre reads as turned -90;
    # the second pass scores 0.4 against the first's 0.9, so the first stays.
    model = build_estimator(dict(upright_deg=0.)).eval()
    with torch.no_grad():
        pred = model.predict(*crop_with_dot(16, 4))[0].pred_instances
    np.testing.assert_allclose(pred.keypoint_scores, 0.9)
    np.testing.assert_allclose(pred.keypoints[0, 9], to_image([16, 4]))


def test_without_upright_it_is_mmpose_topdown_estimator(stand_in_parts):
    model = build_estimator(None).eval()
    inputs, samples = crop_with_dot(28, 16)
    with torch.no_grad():
        pred = model.predict(inputs, samples)[0].pred_instances
    np.testing.assert_allclose(pred.keypoint_scores, 0.4)
    np.testing.assert_allclose(pred.keypoints[0, 9], to_image([28, 16]))
    model.test_cfg['output_heatmaps'] = True
    model.test_cfg['upright'] = dict()
    with pytest.raises(ValueError, match='output_heatmaps'):
        model.predict(inputs, samples)


def test_the_corners_turned_in_are_black_after_normalisation(stand_in_parts):
    model = build_estimator(dict(), std=2.)
    model.data_preprocessor.mean.fill_(10.)
    # Black is (0 - 10) / 2 after normalising, as the predictors compute it too.
    np.testing.assert_allclose(model._normalised_black(3), [-5.] * 3)
    np.testing.assert_allclose(normalised_black([10.] * 3, [2.] * 3), [-5.] * 3)

"""The paper's metrics against values computed by hand.

The constructed samples have boxes that are not square (so max(w, h) is
tested), and a hidden keypoint with a huge error that must not count.
"""
import math

import numpy as np
import pytest
import torch
from mmengine.structures import InstanceData
from mmpose.registry import METRICS, MODELS
from mmpose.testing import get_packed_inputs

from mmpose_mlehand.evaluation import (HandNME, HandPCK, KeypointUncertaintyMetric,
                                       StagewiseHandMetric)
from mmpose_mlehand.evaluation import functional as F
from mmpose_mlehand.evaluation.metrics import BOX_RULE_EXTENT, BOX_RULE_HAND, BOX_RULE_IMAGE


def sample(gt, offsets, visible, bbox, image=(224, 224), **pred_fields):
    """One data sample as the evaluator hands it to a metric (a dict)."""
    gt = np.asarray(gt, np.float64)[None]
    pred = dict(keypoints=gt + np.asarray(offsets, np.float64)[None], **pred_fields)
    return dict(
        ori_shape=image,
        input_scale=np.array([200.0, 200.0]),
        gt_instances=dict(keypoints=gt, keypoints_visible=np.asarray(visible, float)[None],
                          bboxes=np.asarray(bbox, np.float64)[None]),
        pred_instances=pred)


# Sample A: box 100 x 40 (size 100). Errors 10 px, 50 px, and 500 px on a hidden
# keypoint -> normalised 0.1, 0.5, (left out); frame error 0.3.
# Sample B: box 30 x 80 (size 80). Errors 8, 24 and 12 px -> 0.1, 0.3, 0.15;
# frame error 0.55 / 3.
GT_A = [[20, 30], [40, 40], [60, 50]]
OFFSETS_A = [[6, 8], [30, 40], [300, 400]]
GT_B = [[5, 10], [15, 40], [25, 70]]
OFFSETS_B = [[0, 8], [24, 0], [7.2, 9.6]]


def two_samples():
    return [sample(GT_A, OFFSETS_A, [1, 1, 0], [10, 20, 110, 60]),
            sample(GT_B, OFFSETS_B, [1, 1, 1], [0, 0, 30, 80])]


def evaluate(metric, samples):
    metric.process([], samples)
    return metric.evaluate(len(samples))


def test_hand_pck_per_keypoint_and_per_frame():
    metric = HandPCK(thr=[0.2, 0.3], curve_thrs=[0.0, 0.1, 0.2, 0.3])
    result = evaluate(metric, two_samples())
    # Per keypoint type: kp0 2/2, kp1 0/2, kp2 1/1 (the hidden one left out).
    assert result['PCK@0.2'] == pytest.approx((1 + 0 + 1) / 3)
    # At 0.3: kp1 of B (0.3) counts (<=): kp1 1/2.
    assert result['PCK@0.3'] == pytest.approx((1 + 0.5 + 1) / 3)
    # Frames: A 0.3, B 0.18333: one of two at 0.2, both at 0.3 (<=).
    assert result['frame-PCK@0.2'] == pytest.approx(0.5)
    assert result['frame-PCK@0.3'] == pytest.approx(1.0)
    # Curve 0, 0, 0.5, 1 over 0..0.3: area (0.025 + 0.075) / 0.3.
    assert metric.details['frame_pck_curve'] == pytest.approx([0, 0, 0.5, 1])
    assert result['frame-AUC'] == pytest.approx(0.1 / 0.3)
    assert metric.details['joint_pck']['0.2'] == pytest.approx([1, 0, 1])
    assert metric.details['box_rule'] == BOX_RULE_HAND


def test_hand_nme_eq9_and_per_joint():
    metric = HandNME()
    result = evaluate(metric, two_samples())
    # Mean over frames of the frame means: (0.3 + 0.55 / 3) / 2.
    assert result == {'NME': pytest.approx((0.3 + 0.55 / 3) / 2)}
    assert metric.details['joint_nme'] == pytest.approx([0.1, (0.5 + 0.3) / 2, 0.15])
    # The hidden keypoint counted would change both (it is 5.0 box sizes off).
    assert 'paper_joints' not in metric.details  # only for 21 keypoints


def test_whole_image_boxes_are_stated():
    samples = [sample(GT_A, OFFSETS_A, [1, 1, 1], [0, 0, 224, 224])]
    metric = HandNME()
    result = evaluate(metric, samples)
    assert result['NME'] == pytest.approx((10 + 50 + 500) / 3 / 224)
    assert metric.details['box_rule'] == BOX_RULE_IMAGE


def test_keypoint_extent_normaliser_is_the_real_photo_protocol():
    # A's visible keypoints span 20 x 10 (size 20; the hidden one is left out
    # of the extent too): errors 10 and 50 px -> 0.5 and 2.5. B's span 20 x 60:
    # 8, 24 and 12 px -> 8/60, 0.4 and 0.2. The boxes are not used.
    metric = HandNME(normalize='keypoint-extent')
    result = evaluate(metric, two_samples())
    assert result['NME'] == pytest.approx(((0.5 + 2.5) / 2 + (8 + 24 + 12) / 180) / 2)
    assert metric.details['box_rule'] == BOX_RULE_EXTENT
    pck = evaluate(HandPCK(thr=0.2, normalize='keypoint-extent'), two_samples())
    # Per keypoint type: kp0 1/2 (A 0.5, B 0.133), kp1 0/2, kp2 1/1 (B 0.2, <=).
    assert pck['PCK@0.2'] == pytest.approx((0.5 + 0 + 1) / 3)


def test_keypoint_extent_needs_an_extent_and_a_known_normaliser():
    lone = sample(GT_A, OFFSETS_A, [1, 0, 0], [10, 20, 110, 60])
    lone['img_path'] = 'hands/0042.jpg'
    with pytest.raises(ValueError, match='hands/0042.jpg: 1 visible keypoint'):
        HandPCK(normalize='keypoint-extent').process([], [lone])
    with pytest.raises(ValueError, match='normalize must be one of'):
        HandPCK(normalize='extent')


def test_outfile_has_the_details(tmp_path):
    metric = HandPCK(outfile_prefix=str(tmp_path / 'run'))
    evaluate(metric, two_samples())
    import json
    with open(tmp_path / 'run.HandPCK.json') as f:
        stored = json.load(f)
    assert stored['frame-PCK@0.2'] == pytest.approx(0.5)
    assert stored['box_rule'] == BOX_RULE_HAND


def test_metrics_are_registered():
    for cls in (HandPCK, HandNME, StagewiseHandMetric, KeypointUncertaintyMetric):
        assert METRICS.get(cls.__name__) is cls


# --- stage-wise ----------------------------------------------------------------


def test_stagewise_scores_each_stage_of_a_head_in_image_pixels():
    """A SequentialIntegralHead whose three stages are off by 0.35, 0.15 and
    0.05 box sizes (in x) gives those errors per stage, through MMPose's
    estimator (crop -> image mapping) and the metric."""
    torch.manual_seed(0)
    num_stages, K = 3, 21
    model = MODELS.build(dict(
        type='TopdownPoseEstimator',
        backbone=dict(type='ResNet', depth=18, base_channels=8, num_stages=1,
                      out_indices=(0, ), strides=(1, ), dilations=(1, )),
        head=dict(type='SequentialIntegralHead', in_channels=8, num_keypoints=K,
                  num_stages=num_stages, fuse_channels=8, deconv_channels=(8, ),
                  sigma_hidden_channels=8,
                  decoder=dict(type='RegressionLabel', input_size=(64, 64))),
        test_cfg=dict(flip_test=False, output_stages=True)))
    model.eval()
    data = get_packed_inputs(2, num_keypoints=K, img_shape=(120, 160), input_size=(64, 64),
                             heatmap_size=(16, 16), with_simcc_label=False)
    samples = data['data_samples']
    offsets = np.array([0.35, 0.15, 0.05])

    coords = []
    for s in samples:
        gt = s.gt_instances.keypoints[0]
        box = s.gt_instances.bboxes[0]
        size = max(box[2] - box[0], box[3] - box[1])
        centre = s.metainfo['input_center'].reshape(2)
        scale = s.metainfo['input_scale'].reshape(2)
        stages = [gt + [c * size, 0.0] for c in offsets]  # image pixels
        coords.append([(p - centre + 0.5 * scale) / scale for p in stages])  # crop units
    known = torch.tensor(np.array(coords), dtype=torch.float32)  # (B, T, K, 2)
    model.head.forward = lambda feats: dict(
        coords=known, raw_sigmas=torch.zeros(2, num_stages, K, 2),
        likelihoods=torch.full((2, num_stages, K, 16, 16), 1 / 256))
    inputs = torch.zeros(2, 3, 64, 64)
    with torch.no_grad():
        outputs = model(inputs, samples, mode='predict')
    as_dicts = [o.to_dict() for o in outputs]
    for out in as_dicts:  # the last stage is the prediction
        np.testing.assert_allclose(out['pred_instances']['stage_keypoints'][0, -1],
                                   out['pred_instances']['keypoints'][0], atol=1e-3)

    metric = StagewiseHandMetric(thr=[0.1, 0.2])
    result = evaluate(metric, as_dicts)
    for t, c in enumerate(offsets, start=1):
        assert result[f'stage{t}/NME'] == pytest.approx(c, rel=1e-4)
        assert result[f'stage{t}/PCK@0.2'] == float(c <= 0.2)
        assert result[f'stage{t}/PCK@0.1'] == float(c <= 0.1)
        assert result[f'stage{t}/frame-PCK@0.2'] == float(c <= 0.2)
    assert metric.details['nme'] == pytest.approx(offsets, rel=1e-4)
    # The final keypoints are stage 3.
    assert evaluate(HandNME(), as_dicts)['NME'] == pytest.approx(offsets[-1], rel=1e-4)


def test_stagewise_needs_stage_keypoints():
    with pytest.raises(KeyError, match='output_stages'):
        StagewiseHandMetric().process([], two_samples())


# --- uncertainty ---------------------------------------------------------------


def test_auroc_and_spearman_by_hand():
    # Positives 0.35 and 0.8 against negatives 0.1 and 0.4: 3 of 4 pairs.
    assert F.auroc([0.1, 0.4, 0.35, 0.8], [False, False, True, True]) == pytest.approx(0.75)
    assert F.auroc([1.0, 1.0], [True, False]) == pytest.approx(0.5)  # a tie counts 1/2
    assert math.isnan(F.auroc([1.0, 2.0], [True, True]))
    # Rank differences 0, -1, 1, 0: 1 - 6 * 2 / (4 * 15).
    assert F.spearman([1, 2, 3, 4], [1, 3, 2, 4]) == pytest.approx(0.8)


def uncertainty_samples(rng, sigma_of_error, n=1000, K=21, scores=False):
    """n frames, box 100 px, crop 200 px: a sigma of s input units is
    2 s box units. ``sigma_of_error`` maps the normalised errors to the
    box-unit sigma."""
    samples = []
    for _ in range(n):
        gt = rng.uniform(0, 100, (K, 2))
        errors = rng.exponential(0.1, K)
        angle = rng.uniform(0, 2 * np.pi, K)
        offsets = (errors * 100)[:, None] * np.stack([np.cos(angle), np.sin(angle)], -1)
        sigma = sigma_of_error(errors) / 2  # input units
        fields = (dict(keypoint_scores=(1 - sigma)[None]) if scores else
                  dict(keypoint_sigmas=np.repeat(sigma[:, None], 2, 1)[None]))
        samples.append(sample(gt, offsets, np.ones(K), [0, 0, 100, 50], **fields))
    return samples


@pytest.mark.parametrize('scores', [False, True])
def test_uncertainty_random_sigmas_say_nothing_and_exact_sigmas_say_everything(scores):
    rng = np.random.default_rng(0)
    random = evaluate(KeypointUncertaintyMetric(),
                      uncertainty_samples(rng, lambda e: rng.uniform(0, 0.2, e.shape),
                                          scores=scores))
    assert random['unc/AUROC@0.1'] == pytest.approx(0.5, abs=0.02)
    assert abs(random['unc/Spearman']) < 0.03
    assert random['unc/NME-confident10'] == pytest.approx(random['unc/NME-uncertain10'],
                                                          rel=0.1)

    metric = KeypointUncertaintyMetric(fraction=0.1)
    samples = uncertainty_samples(rng, lambda e: e, scores=scores)
    exact = evaluate(metric, samples)
    assert exact['unc/AUROC@0.1'] == pytest.approx(1.0)
    assert exact['unc/Spearman'] == pytest.approx(1.0)
    errors = np.sort(np.concatenate([
        np.linalg.norm(s['pred_instances']['keypoints'][0] - s['gt_instances']['keypoints'][0],
                       axis=-1) / 100 for s in samples]))
    n = int(np.ceil(0.1 * errors.size))
    assert exact['unc/NME-confident10'] == pytest.approx(errors[:n].mean())
    assert exact['unc/NME-uncertain10'] == pytest.approx(errors[-n:].mean())
    # Calibrated sigmas: every bin's mean sigma equals its mean error.
    bins = metric.details['calibration']
    assert bins['uncertainty'] == pytest.approx(bins['error'])
    assert metric.details['source'] == ('1 - keypoint_scores' if scores else 'keypoint_sigmas')


def test_uncertainty_leaves_hidden_keypoints_out():
    rng = np.random.default_rng(1)
    samples = uncertainty_samples(rng, lambda e: e, n=50)
    for s in samples:  # hide keypoint 0 and make its sigma lie
        s['gt_instances']['keypoints_visible'][0, 0] = 0
        s['pred_instances']['keypoint_sigmas'][0, 0] = 0.0
        s['pred_instances']['keypoints'][0, 0] += 1000
    assert evaluate(KeypointUncertaintyMetric(), samples)['unc/AUROC@0.1'] == 1.0


def test_instance_data_round_trip():
    """Predictions stored as InstanceData (what the estimator returns) work."""
    pred = InstanceData(keypoints=np.zeros((1, 3, 2)), keypoint_scores=np.ones((1, 3)))
    s = sample(GT_A, np.zeros((3, 2)), [1, 1, 1], [0, 0, 50, 10])
    s['pred_instances'] = pred.to_dict()
    s['pred_instances']['keypoints'] = np.asarray(GT_A, float)[None]
    assert evaluate(HandNME(), [s])['NME'] == 0.0

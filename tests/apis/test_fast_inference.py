"""The inference graphs against MMPose's predict, and the fast path's accuracy."""
import copy
import os.path as osp

import numpy as np
import pytest
import torch
from mmpose.apis import inference_topdown
from mmpose.testing import get_packed_inputs

from mmpose_mlehand.analysis.benchmark_model import quick_configs
from mmpose_mlehand.apis import TopdownHandPredictor
from mmpose_mlehand.apis.fast_inference import (FastInferenceNet, HeatmapPoseNet, IntegralPoseNet,
                                                build_inference_net, decode_heatmaps,
                                                fuse_batchnorm_, keypoint_difference,
                                                optimize_for_inference)
from mmpose_mlehand.apis.predictor import load_model
from tests.deploy.random_model import random_quickstart_model
from tests.helpers import QUICKSTART_CFG

# The fast path's stated accuracy: fp32 (folded BatchNorm, channels-last) is
# exact up to float rounding; bf16 autocast moves keypoints by well under a
# pixel of the 96 px crop on average (measured: see README, Speed).
FP32_TOL_PX = 1e-3
BF16_MEAN_TOL_PX = 0.5
BF16_MAX_TOL_PX = 3.0


def mmpose_predict(model, inputs: torch.Tensor, flip_indices):
    """Keypoints (input-crop pixels) and scores from MMPose's own predict."""
    B, _, h, w = inputs.shape
    data = get_packed_inputs(B, num_keypoints=len(flip_indices), img_shape=(h, w),
                             input_size=(w, h), with_simcc_label=False)
    for sample in data['data_samples']:
        # input_center/scale chosen so that image pixels = input pixels.
        sample.set_metainfo(dict(flip_indices=list(flip_indices),
                                 input_center=np.array([[w / 2, h / 2]]),
                                 input_scale=np.array([[w, h]])))
    with torch.no_grad():
        results = model.predict(inputs, data['data_samples'])
    keypoints = np.stack([r.pred_instances.keypoints[0] for r in results])
    scores = np.stack([r.pred_instances.keypoint_scores[0] for r in results])
    return keypoints, scores


@pytest.mark.parametrize('flip_test', [True, False])
def test_integral_net_equals_mmpose_predict(repo_root, flip_test):
    model = random_quickstart_model(repo_root, flip_test=flip_test)
    # A non-trivial left/right pairing, to check that flip test swaps keypoints.
    flip_indices = list(range(21))[::-1]
    model.dataset_meta = dict(model.dataset_meta, flip_indices=flip_indices)
    net = build_inference_net(model)
    assert isinstance(net, IntegralPoseNet) and net.flip_test is flip_test
    inputs = torch.randn(3, 3, 96, 96, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        keypoints, scores, sigmas = net(inputs)
    expected_kpts, expected_scores = mmpose_predict(model, inputs, flip_indices)
    assert keypoints.std() > 5  # spread over the crop
    np.testing.assert_allclose(keypoints.numpy(), expected_kpts, rtol=0, atol=1e-4)
    np.testing.assert_allclose(scores.numpy(), expected_scores, rtol=0, atol=1e-6)
    np.testing.assert_allclose(scores.numpy(), (1 - sigmas.numpy()).mean(-1), atol=1e-6)


def test_heatmap_net_equals_mmpose_predict(repo_root):
    """The baseline's graph (used by the benchmark): flip-averaged heatmaps
    decoded with its codec give MMPose's keypoints."""
    _, cfg = quick_configs(repo_root)
    torch.manual_seed(0)
    model = load_model(cfg)
    with torch.no_grad():
        model.head.final_layer.weight.mul_(100)
    flip_indices = model.dataset_meta['flip_indices']
    net = build_inference_net(model, flip_test=True)
    assert isinstance(net, HeatmapPoseNet) and net.shift_heatmap
    inputs = torch.randn(2, 3, 96, 96, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        keypoints, scores = decode_heatmaps(model, net(inputs))
    expected_kpts, expected_scores = mmpose_predict(model, inputs, flip_indices)
    assert keypoints.std() > 5
    np.testing.assert_allclose(keypoints, expected_kpts, rtol=0, atol=1e-4)
    np.testing.assert_allclose(scores, expected_scores, rtol=0, atol=1e-5)


def test_fuse_batchnorm_folds_every_norm_exactly(repo_root):
    model = random_quickstart_model(repo_root, flip_test=True)
    net = build_inference_net(model)
    fused = copy.deepcopy(net)
    norms = sum(isinstance(m, torch.nn.modules.batchnorm._BatchNorm) for m in net.modules())
    assert fuse_batchnorm_(fused) == norms == 40
    assert not any(isinstance(m, torch.nn.modules.batchnorm._BatchNorm)
                   for m in fused.modules())
    inputs = [torch.randn(4, 3, 96, 96, generator=torch.Generator().manual_seed(2))]
    diff = keypoint_difference(net, fused, inputs)
    assert diff['max_px'] < FP32_TOL_PX and diff['max_score'] < 1e-5
    with pytest.raises(ValueError, match='eval mode'):
        fuse_batchnorm_(copy.deepcopy(net).train())


def test_fast_path_accuracy_fp32_and_bf16(repo_root):
    model = random_quickstart_model(repo_root, flip_test=True)
    net = build_inference_net(model)
    generator = torch.Generator().manual_seed(3)
    inputs = [torch.randn(8, 3, 96, 96, generator=generator) for _ in range(2)]

    fp32 = optimize_for_inference(net, bf16=False)
    assert isinstance(fp32, FastInferenceNet) and fp32.fast_settings['folded_batchnorms'] == 40
    assert keypoint_difference(net, fp32, inputs)['max_px'] < FP32_TOL_PX

    # bf16 autocast (forced, so the test runs on any CPU): measurably different
    # from fp32, within the stated tolerance.
    bf16 = optimize_for_inference(net, bf16=True)
    diff = keypoint_difference(net, bf16, inputs)
    assert 1e-3 < diff['mean_px'] < BF16_MEAN_TOL_PX
    assert diff['max_px'] < BF16_MAX_TOL_PX
    # The original graph is untouched (the fast path works on a copy).
    assert any(isinstance(m, torch.nn.BatchNorm2d) for m in net.modules())


def test_fast_path_on_a_trained_checkpoint(repo_root, trained_checkpoint, dot_freihand_root):
    _, checkpoint = trained_checkpoint
    config = osp.join(repo_root, QUICKSTART_CFG)
    eager = TopdownHandPredictor(config, checkpoint)
    fast = TopdownHandPredictor(config, checkpoint, fast=True, bf16=True)
    fp32 = TopdownHandPredictor(config, checkpoint, fast=True, bf16=False)
    import cv2
    image = cv2.imread(osp.join(dot_freihand_root, 'images', '00000.png'))
    bboxes = np.array([[0, 0, 224, 224], [20, 30, 200, 190]], np.float32)
    expected = inference_topdown(eager.model, image, bboxes=bboxes)
    keypoints, scores = eager(image, bboxes)
    for sample, kpts, score in zip(expected, keypoints, scores):
        np.testing.assert_allclose(kpts, sample.pred_instances.keypoints[0], atol=1e-3)
        np.testing.assert_allclose(score, sample.pred_instances.keypoint_scores[0], atol=1e-5)
    # Image pixels here; the crops are 179 px of image for 96 px of input.
    np.testing.assert_allclose(fp32(image, bboxes)[0], keypoints, atol=FP32_TOL_PX * 2)
    fast_kpts, _ = fast(image, bboxes)
    dist = np.linalg.norm(fast_kpts - keypoints, axis=-1)
    assert dist.mean() < BF16_MEAN_TOL_PX * 179 / 96 and dist.max() < BF16_MAX_TOL_PX * 179 / 96

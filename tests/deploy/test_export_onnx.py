"""ONNX export of the method's inference graph against PyTorch."""
import copy
import os.path as osp
import re
import subprocess
import sys

import numpy as np
import onnx
import pytest
import torch

from mmpose_mlehand.apis.fast_inference import build_inference_net
from mmpose_mlehand.deploy.export import compare_with_pytorch, export_onnx
from mmpose_mlehand.deploy.onnx_predictor import METADATA_KEY, OnnxHandPredictor
from tests.deploy.random_model import random_quickstart_model
from tests.helpers import QUICKSTART_CFG


@pytest.fixture(scope='module')
def random_model(repo_root):
    return random_quickstart_model(repo_root)


@pytest.mark.parametrize('flip_test', [True, False])
def test_onnx_runtime_matches_pytorch(random_model, tmp_path, flip_test):
    out = str(tmp_path / 'model.onnx')
    meta = export_onnx(random_model, out, flip_test=flip_test)
    assert meta['flip_test'] is flip_test and meta['input_size'] == [96, 96]
    proto = onnx.load(out)
    assert proto.graph.input[0].type.tensor_type.shape.dim[0].dim_param == 'batch'
    assert any(p.key == METADATA_KEY for p in proto.metadata_props)

    net = build_inference_net(random_model, flip_test=flip_test)
    predictor = OnnxHandPredictor(out)
    generator = torch.Generator().manual_seed(1)
    for batch in (1, 3):
        inputs = torch.randn(batch, 3, 96, 96, generator=generator)
        with torch.no_grad():
            keypoints, scores, sigmas = net(inputs)
        got = predictor.run(inputs.numpy())
        assert got['keypoints'].shape == (batch, 21, 2)
        # Keypoints spread over the crop: the check is not on a degenerate output;
        # and the graph is well conditioned: float64 moves them by < 1e-4 px.
        assert keypoints.std() > 5.0
        with torch.no_grad():
            keypoints64 = copy.deepcopy(net).double()(inputs.double())[0]
        assert (keypoints64 - keypoints).abs().max() < 1e-4
        np.testing.assert_allclose(got['keypoints'], keypoints.numpy(), rtol=0, atol=1e-3)
        np.testing.assert_allclose(got['scores'], scores.numpy(), rtol=0, atol=1e-5)
        np.testing.assert_allclose(got['sigmas'], sigmas.numpy(), rtol=0, atol=1e-5)

    worst = compare_with_pytorch(random_model, out, (1, 3), flip_test=flip_test)
    assert set(worst) == {'keypoints', 'scores', 'sigmas'}
    assert 0 <= worst['keypoints'] < 1e-3


def test_export_tool_reports_the_difference(repo_root, tmp_path):
    out = tmp_path / 'fresh.onnx'
    proc = subprocess.run(
        [sys.executable, osp.join(repo_root, 'tools/export_onnx.py'),
         osp.join(repo_root, QUICKSTART_CFG), '--out', str(out), '--flip-test'],
        cwd=repo_root, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert 'flip test in the graph' in proc.stdout
    found = re.search(r'largest difference keypoints ([0-9.e+-]+) px', proc.stdout)
    assert found, proc.stdout
    assert float(found.group(1)) < 1e-3
    assert OnnxHandPredictor(str(out)).meta['keypoint_names'][0] == 'wrist'

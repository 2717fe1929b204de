"""The ONNX Runtime predictor: crop, normalisation and mapping back to the image
(:mod:`mmpose_mlehand.apis.crops`) around the exported graph."""
import json
import os.path as osp
import shutil
import subprocess
import sys

import cv2
import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

from mmpose_mlehand.deploy.export import export_onnx
from mmpose_mlehand.deploy.onnx_predictor import METADATA_KEY, OnnxHandPredictor
from tests.deploy.random_model import random_quickstart_model

# A 64x48 input (w, h): boxes get widened or heightened to 4:3.
INPUT_SIZE = (64, 48)
CONSTANT_KEYPOINTS = np.array([[32, 24], [0, 0], [64, 48], [16, 36]], dtype=np.float32)


def constant_model(path: str, padding: float = 1.25) -> str:
    """An ONNX graph that ignores its input's values and outputs fixed keypoints
    (input pixels) and scores for every crop of the batch."""
    K = len(CONSTANT_KEYPOINTS)
    nodes = [
        helper.make_node('ReduceMean', ['input'], ['mean'], axes=[1, 2, 3], keepdims=1),
        helper.make_node('Mul', ['mean', 'zero'], ['zeros']),  # (N, 1, 1, 1)
        helper.make_node('Reshape', ['zeros', 'shape3'], ['zeros3']),  # (N, 1, 1)
        helper.make_node('Add', ['zeros3', 'kpts'], ['keypoints']),
        helper.make_node('Reshape', ['zeros', 'shape2'], ['zeros2']),  # (N, 1)
        helper.make_node('Add', ['zeros2', 'score'], ['scores']),
    ]
    inits = [
        helper.make_tensor('zero', TensorProto.FLOAT, [], [0.0]),
        helper.make_tensor('shape3', TensorProto.INT64, [3], [-1, 1, 1]),
        helper.make_tensor('shape2', TensorProto.INT64, [2], [-1, 1]),
        helper.make_tensor('kpts', TensorProto.FLOAT, [1, K, 2],
                           CONSTANT_KEYPOINTS.flatten().tolist()),
        helper.make_tensor('score', TensorProto.FLOAT, [1, K], [0.75] * K),
    ]
    graph = helper.make_graph(
        nodes, 'constant', [helper.make_tensor_value_info(
            'input', TensorProto.FLOAT, ['batch', 3, INPUT_SIZE[1], INPUT_SIZE[0]])],
        [helper.make_tensor_value_info('keypoints', TensorProto.FLOAT, ['batch', K, 2]),
         helper.make_tensor_value_info('scores', TensorProto.FLOAT, ['batch', K])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 13)])
    model.ir_version = 8
    meta = dict(input_size=list(INPUT_SIZE), padding=padding, mean=[0., 0., 0.],
                std=[1., 1., 1.], bgr_to_rgb=True, flip_test=False, keypoint_names=[],
                skeleton_links=[], outputs=['keypoints', 'scores'])
    helper.set_model_props(model, {METADATA_KEY: json.dumps(meta)})
    onnx.save(model, path)
    return path


def test_known_crop_maps_back_to_image_coordinates(tmp_path):
    predictor = OnnxHandPredictor(constant_model(str(tmp_path / 'constant.onnx')))
    image = np.zeros((150, 200, 3), np.uint8)
    keypoints, scores = predictor(image, bboxes=[[10, 20, 110, 70], [0, 0, 40, 80]])
    # Box 1: centre (60, 45), size (100, 50) * 1.25 = (125, 62.5), widened to
    # 4:3 height: (125, 93.75). A crop pixel p maps to p / (64, 48) * size +
    # centre - size / 2.
    np.testing.assert_allclose(keypoints[0], [[60, 45], [-2.5, -1.875], [122.5, 91.875],
                                              [28.75, 68.4375]], atol=1e-9)
    # Box 2: centre (20, 40), size (40, 80) * 1.25 = (50, 100) -> 4:3 width:
    # (133.333, 100).
    size = np.array([100 * 4 / 3, 100])
    expected = CONSTANT_KEYPOINTS / INPUT_SIZE * size + [20, 40] - size / 2
    np.testing.assert_allclose(keypoints[1], expected, atol=1e-4)
    np.testing.assert_allclose(scores, 0.75)
    # No box: the whole image (200 x 150 -> 250 x 187.5, already 4:3).
    keypoints, _ = predictor(image)
    np.testing.assert_allclose(keypoints[0, 0], [100, 75], atol=1e-9)
    np.testing.assert_allclose(keypoints[0, 1], [100 - 125, 75 - 93.75], atol=1e-9)


@pytest.mark.parametrize('flip_test', [True, False])
def test_predictor_matches_mmpose_inference_topdown(repo_root, tmp_path, flip_test):
    from mmpose.apis import inference_topdown
    model = random_quickstart_model(repo_root, flip_test=flip_test)
    onnx_file = str(tmp_path / 'model.onnx')
    export_onnx(model, onnx_file)
    predictor = OnnxHandPredictor(onnx_file)
    rng = np.random.default_rng(0)
    image = cv2.GaussianBlur(rng.integers(0, 255, (200, 260, 3), dtype=np.uint8), (9, 9), 3)
    for bboxes in (np.array([[30.5, 40.0, 180.0, 170.25], [100, 10, 250, 190]], np.float32),
                   None):
        expected = inference_topdown(model, image, bboxes=bboxes)
        keypoints, scores = predictor(image, bboxes)
        assert len(expected) == len(keypoints)
        for sample, kpts, score in zip(expected, keypoints, scores):
            np.testing.assert_allclose(kpts, sample.pred_instances.keypoints[0], rtol=0,
                                       atol=1e-3)
            np.testing.assert_allclose(score, sample.pred_instances.keypoint_scores[0],
                                       rtol=0, atol=1e-5)


def test_upright_pass_matches_the_pytorch_model_and_predictor(repo_root, tmp_path):
    """Every crop predicted again upright (min_turn_deg 0): the ONNX predictor,
    the PyTorch predictor and MMPose's inference_topdown agree."""
    import torch
    from mmpose.apis import inference_topdown

    from mmpose_mlehand.apis import TopdownHandPredictor
    upright = dict(min_turn_deg=0.)
    model = random_quickstart_model(repo_root, upright=upright)
    onnx_file, weights = str(tmp_path / 'model.onnx'), str(tmp_path / 'model.pth')
    export_onnx(model, onnx_file)
    torch.save(dict(state_dict=model.state_dict()), weights)
    onnx_predictor = OnnxHandPredictor(onnx_file)
    assert onnx_predictor.meta['upright'] == upright
    torch_predictor = TopdownHandPredictor(model.cfg, weights)
    plain = random_quickstart_model(repo_root)
    rng = np.random.default_rng(1)
    image = cv2.GaussianBlur(rng.integers(0, 255, (200, 260, 3), dtype=np.uint8), (9, 9), 3)
    bboxes = np.array([[30.5, 40.0, 180.0, 170.25], [100, 10, 250, 190], [0, 0, 120, 90]],
                      np.float32)
    expected = inference_topdown(model, image, bboxes=bboxes)
    first = inference_topdown(plain, image, bboxes=bboxes)
    replaced = 0
    for predictor in (onnx_predictor, torch_predictor):
        keypoints, scores = predictor(image, bboxes)
        for sample, before, kpts, score in zip(expected, first, keypoints, scores):
            np.testing.assert_allclose(kpts, sample.pred_instances.keypoints[0], rtol=0,
                                       atol=1e-3)
            np.testing.assert_allclose(score, sample.pred_instances.keypoint_scores[0],
                                       rtol=0, atol=1e-5)
            # Kept only where the mean score rose.
            gain = score.mean() - before.pred_instances.keypoint_scores[0].mean()
            assert gain >= -1e-6
            replaced += gain > 1e-6
    assert replaced  # the second pass won somewhere, so the turned path was compared


def test_predictor_runs_without_torch_and_mmpose(repo_root, tmp_path):
    model_file = constant_model(str(tmp_path / 'constant.onnx'))
    code = (
        'import sys\n'
        'for name in ("torch", "mmpose", "mmengine", "mmcv"):\n'
        '    sys.modules[name] = None\n'
        'import numpy as np\n'
        'from mmpose_mlehand.deploy.onnx_predictor import OnnxHandPredictor\n'
        'from mmpose_mlehand.apis.tracking import HandTracker\n'
        f'p = OnnxHandPredictor({model_file!r})\n'
        'kpts, scores = p(np.zeros((150, 200, 3), np.uint8), [[10, 20, 110, 70]])\n'
        'print(kpts[0, 0].tolist())\n')
    proc = subprocess.run([sys.executable, '-c', code], cwd=repo_root, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == '[60.0, 45.0]'


def test_predictor_copied_out_of_the_package_runs_beside_crops(repo_root, tmp_path):
    """onnx_predictor.py and apis/crops.py copied next to a model work with
    neither this package nor torch nor MMPose."""
    folder = tmp_path / 'standalone'
    folder.mkdir()
    for path in ('mmpose_mlehand/deploy/onnx_predictor.py', 'mmpose_mlehand/apis/crops.py'):
        shutil.copy(osp.join(repo_root, path), folder)
    model_file = constant_model(str(folder / 'model.onnx'))
    code = (
        'import sys\n'
        'for name in ("mmpose_mlehand", "torch", "mmpose", "mmengine", "mmcv"):\n'
        '    sys.modules[name] = None\n'
        'import numpy as np\n'
        'from onnx_predictor import OnnxHandPredictor\n'
        f'p = OnnxHandPredictor({model_file!r})\n'
        'kpts, scores = p(np.zeros((150, 200, 3), np.uint8), [[10, 20, 110, 70]])\n'
        'print(kpts[0, 0].tolist(), kpts[0, 1].tolist())\n')
    proc = subprocess.run([sys.executable, '-c', code], cwd=str(folder), capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    # As test_known_crop_maps_back_to_image_coordinates: box 1's centre and corner.
    assert proc.stdout.strip() == '[60.0, 45.0] [-2.5, -1.875]'


def test_spinning_off_reaches_the_session_and_changes_no_output(tmp_path):
    model_file = constant_model(str(tmp_path / 'constant.onnx'))
    spinning, quiet = OnnxHandPredictor(model_file), OnnxHandPredictor(
        model_file, allow_spinning=False)
    key = 'session.intra_op.allow_spinning'
    assert quiet.session.get_session_options().get_session_config_entry(key) == '0'
    image = np.zeros((150, 200, 3), np.uint8)
    for a, b in zip(spinning(image, [[10, 20, 110, 70]]), quiet(image, [[10, 20, 110, 70]])):
        np.testing.assert_array_equal(a, b)

"""The detector's ONNX export and its ONNX Runtime pipeline against mmdet."""
import copy
import functools
import os.path as osp
import re
import shutil
import subprocess
import sys

import cv2
import numpy as np
import onnx
import pytest
import torch

from mmpose_mlehand.apis.detector import MMDetHandDetector
from mmpose_mlehand.deploy.export_detector import (RawDetectorNet, export_detector_onnx,
                                                   is_detector_config)
from mmpose_mlehand.deploy.onnx_detector import (DETECTOR_METADATA_KEY, OnnxHandDetector,
                                                 batched_nms, nms, rescale_size)
from tests.deploy.random_detector import DETECTOR_CFG, random_detector, scene_bgr


@pytest.fixture(scope='module')
def detector_files(repo_root, tmp_path_factory):
    """The random detector as an mmdet checkpoint and its ONNX export:
    (config, checkpoint, onnx file, model)."""
    folder = tmp_path_factory.mktemp('detector')
    model = random_detector(repo_root)
    checkpoint = str(folder / 'detector.pth')
    torch.save(dict(state_dict=model.state_dict(), meta=dict(
        dataset_meta=dict(classes=('hand', )))), checkpoint)
    onnx_file = str(folder / 'detector.onnx')
    export_detector_onnx(model, onnx_file)
    return model.cfg, checkpoint, onnx_file, model


@pytest.fixture(scope='module')
def onnx_detector(detector_files):
    return OnnxHandDetector(detector_files[2], num_threads=1)


@pytest.fixture(scope='module')
def mmdet_detector(detector_files):
    cfg, checkpoint = detector_files[:2]
    return MMDetHandDetector(cfg, checkpoint)


def test_rescale_size_is_mmcv_imrescale():
    import mmcv
    for w, h in ((640, 480), (8, 8), (4000, 3000), (333, 1001), (321, 1)):
        image = np.zeros((h, w), np.uint8)
        assert rescale_size(w, h, (320, 320)) == mmcv.imrescale(image, (320, 320)).shape[1::-1]
        assert rescale_size(w, h, (640, 480)) == mmcv.imrescale(image, (640, 480)).shape[1::-1]


def test_metadata_and_raw_outputs_match_pytorch(detector_files, onnx_detector):
    cfg, _, onnx_file, model = detector_files
    meta = onnx_detector.meta
    assert meta['input_size'] == [320, 320] and meta['resize_scale'] == [320, 320]
    assert meta['pad_val'] == [114.0] * 3 and meta['bgr_to_rgb'] is False
    assert meta['mean'] == pytest.approx([103.53, 116.28, 123.675])
    assert meta['std'] == pytest.approx([57.375, 57.12, 58.395])
    assert meta['strides'] == [[8, 8], [16, 16], [32, 32]] and meta['prior_offset'] == 0.0
    assert meta['featmap_sizes'] == [[40, 40], [20, 20], [10, 10]]
    assert meta['num_classes'] == 1
    assert meta['test_cfg'] == dict(score_thr=0.05, nms_pre=1000, min_bbox_size=0.0,
                                    nms=dict(type='nms', iou_threshold=0.6,
                                             class_agnostic=False),
                                    max_per_img=20)
    proto = onnx.load(onnx_file)
    assert any(p.key == DETECTOR_METADATA_KEY for p in proto.metadata_props)
    dims = [d.dim_value for d in proto.graph.input[0].type.tensor_type.shape.dim]
    assert dims == [1, 3, 320, 320]

    net = RawDetectorNet(model)
    net64 = copy.deepcopy(net).double()
    for image in (scene_bgr(4), scene_bgr(6)):
        x = torch.from_numpy(onnx_detector.preprocess(image)[0])
        with torch.no_grad():
            logits, dists = net(x)
            cls_scores, bbox_preds = net.levels(x)
            logits64, dists64 = net64(x.double())
        # Levels concatenated row by row: prior 41 is level 0's (row 1, column 1),
        # prior 1600 + 20 level 1's (row 1, column 0).
        assert logits[0, 41, 0] == cls_scores[0][0, 0, 1, 1]
        assert torch.equal(dists[0, 1620], bbox_preds[1][0, :, 1, 0])
        got = onnx_detector.run(x.numpy())
        assert got['cls_logits'].shape == (1, 2100, 1) and got['bbox_dists'].shape == (1, 2100, 4)
        # Not a degenerate output: the scores and boxes differ across the image.
        assert logits.std() > 0.5 and dists.std() > 5
        for name, value, value64 in (('cls_logits', logits, logits64),
                                     ('bbox_dists', dists, dists64)):
            # Equal to 1e-4 of the output's scale, the size of float32 rounding
            # itself: float64 moves the outputs by as much.
            tol = 1e-4 * float(value.abs().max())
            assert (value.double() - value64).abs().max() < tol
            np.testing.assert_allclose(got[name], value.numpy(), rtol=0, atol=tol)


def _mmdet_inputs(model, image):
    """mmdet's own test pipeline and data preprocessor on an image."""
    from mmcv.transforms import Compose
    from mmdet.utils import get_test_pipeline_cfg
    from mmengine.registry import DefaultScope
    pipeline_cfg = get_test_pipeline_cfg(model.cfg.copy())
    pipeline_cfg[0].type = 'mmdet.LoadImageFromNDArray'
    with DefaultScope.overwrite_default_scope('mmdet'):
        data = Compose(pipeline_cfg)(dict(img=image, img_id=0))
        batch = model.data_preprocessor(dict(inputs=[data['inputs']],
                                             data_samples=[data['data_samples']]), False)
    return batch['inputs'].numpy(), data['data_samples'].metainfo['scale_factor']


@pytest.mark.parametrize('shape', [(480, 640), (640, 300), (8, 8), (3000, 4000)])
def test_preprocessing_is_mmdets(detector_files, onnx_detector, shape):
    model = detector_files[3]
    rng = np.random.default_rng(1)
    image = rng.integers(0, 256, shape + (3, ), dtype=np.uint8)
    expected, expected_scale = _mmdet_inputs(model, image)
    inputs, scale = onnx_detector.preprocess(image)
    np.testing.assert_array_equal(inputs, expected)
    assert scale == expected_scale


def _clipped(boxes, scores, shape):
    """mmdet's boxes clipped to the image, boxes left without area dropped
    (the step OnnxHandDetector adds)."""
    boxes = boxes.copy()
    boxes[:, 0::2] = boxes[:, 0::2].clip(0, shape[1])
    boxes[:, 1::2] = boxes[:, 1::2].clip(0, shape[0])
    inside = (boxes[:, 2] > boxes[:, 0]) & (boxes[:, 3] > boxes[:, 1])
    return boxes[inside], scores[inside]


@functools.lru_cache(maxsize=1)
def _test_images():
    portrait = scene_bgr(5)[:, 90:390]  # 480 x 300
    return dict(square=scene_bgr(4), landscape=scene_bgr(6), portrait=portrait)


@pytest.mark.parametrize('name', ['square', 'landscape', 'portrait'])
def test_boxes_and_scores_match_mmdet_inference_detector(onnx_detector, mmdet_detector, name):
    image = _test_images()[name]
    expected_boxes, expected_scores = mmdet_detector(image)
    boxes, scores = onnx_detector(image)
    assert len(expected_boxes) >= 10  # boxes to compare (max_per_img 20, some clipped away)
    expected_boxes, expected_scores = _clipped(expected_boxes, expected_scores, image.shape)
    assert boxes.dtype == np.float32 and scores.dtype == np.float32
    assert boxes.shape == expected_boxes.shape
    # Both by decreasing score.
    assert np.all(np.diff(scores) <= 0) and np.all(np.diff(expected_scores) <= 0)
    np.testing.assert_allclose(scores, expected_scores, rtol=1e-3, atol=1e-5)
    np.testing.assert_allclose(boxes, expected_boxes, rtol=1e-3, atol=1e-2)
    # The boxes are real ones: sizes of a few strides, inside the image.
    sizes = boxes[:, 2:] - boxes[:, :2]
    assert sizes.min() > 0 and sizes.max() > 16
    assert boxes[:, 2].max() <= image.shape[1] and boxes[:, 3].max() <= image.shape[0]


def test_non_square_images_get_boxes_clipped_to_the_image(onnx_detector, mmdet_detector):
    """mmdet clips to the padded input: on a wide image its boxes can reach
    below the image; both detectors stop at its edge."""
    from mmdet.apis import inference_detector
    image = _test_images()['landscape']  # 240 x 320: rows 240-320 of the input are padding
    from mmengine.registry import DefaultScope
    with DefaultScope.overwrite_default_scope('mmdet'):
        raw = inference_detector(mmdet_detector.model, image).pred_instances.bboxes.numpy()
    assert raw[:, 3].max() > image.shape[0]
    for detector in (mmdet_detector, onnx_detector):
        boxes, _ = detector(image)
        assert boxes[:, 3].max() == pytest.approx(image.shape[0])


def test_score_threshold_override(detector_files, onnx_detector):
    image = _test_images()['square']
    boxes, scores = onnx_detector(image)
    strict = OnnxHandDetector(detector_files[2], score_thr=float(np.median(scores)))
    assert strict.score_thr == pytest.approx(np.median(scores))
    boxes_strict, scores_strict = strict(image)
    assert 0 < len(scores_strict) < len(scores) and scores_strict.min() > strict.score_thr


def test_nms_suppresses_above_the_iou_threshold_only():
    boxes = np.array([[0, 0, 10, 10], [0, 0, 10, 6], [0, 0, 10, 7], [20, 20, 30, 30]],
                     np.float32)
    scores = np.array([0.9, 0.8, 0.7, 0.6], np.float32)
    # IoU with the first box: 0.6 (kept: not above 0.6) and 0.7 (suppressed).
    np.testing.assert_array_equal(nms(boxes, scores, 0.6), [0, 1, 3])
    np.testing.assert_array_equal(nms(boxes, scores, 0.6, max_keep=2), [0, 1])
    # Classes never suppress each other.
    labels = np.array([0, 1, 0, 0])
    np.testing.assert_array_equal(batched_nms(boxes, scores, labels, 0.5), [0, 1, 3])
    np.testing.assert_array_equal(batched_nms(boxes, scores, labels, 0.5, class_agnostic=True),
                                  [0, 3])
    assert batched_nms(boxes[:0], scores[:0], labels[:0], 0.5).shape == (0, )


def test_nms_is_mmcvs():
    from mmcv.ops import batched_nms as mmcv_batched_nms
    rng = np.random.default_rng(0)
    xy = rng.uniform(0, 100, (300, 2)).astype(np.float32)
    boxes = np.concatenate([xy, xy + rng.uniform(5, 40, (300, 2)).astype(np.float32)], 1)
    scores = rng.uniform(0, 1, 300).astype(np.float32)
    labels = rng.integers(0, 2, 300)
    _, expected = mmcv_batched_nms(torch.from_numpy(boxes), torch.from_numpy(scores),
                                   torch.from_numpy(labels), dict(type='nms', iou_threshold=0.6))
    np.testing.assert_array_equal(batched_nms(boxes, scores, labels, 0.6), expected.numpy())


def test_grayscale_bgra_tiny_and_huge_images(onnx_detector):
    image = _test_images()['landscape']
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    for converted, same in ((gray, cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)),
                            (gray[..., None], cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)),
                            (cv2.cvtColor(image, cv2.COLOR_BGR2BGRA), image)):
        boxes, scores = onnx_detector(converted)
        expected_boxes, expected_scores = onnx_detector(same)
        assert len(boxes) > 0
        np.testing.assert_array_equal(boxes, expected_boxes)
        np.testing.assert_array_equal(scores, expected_scores)
    for shape in ((8, 8, 3), (3000, 4000, 3)):
        big = cv2.resize(image, shape[1::-1], interpolation=cv2.INTER_LINEAR)
        boxes, scores = onnx_detector(big)
        assert boxes.shape == (len(scores), 4) and len(scores) > 0
        assert boxes.min() >= 0 and np.all(boxes[:, 2] <= shape[1])
        assert np.all(boxes[:, 3] <= shape[0])
        assert np.all(boxes[:, 2:] > boxes[:, :2])
    with pytest.raises(ValueError, match='channels'):
        onnx_detector(np.zeros((10, 10, 2), np.uint8))
    with pytest.raises(ValueError, match='shape'):
        onnx_detector(np.zeros((0, 10, 3), np.uint8))


def test_missing_or_foreign_files_are_refused(tmp_path, repo_root):
    missing = str(tmp_path / 'nowhere' / 'detector.onnx')
    with pytest.raises(FileNotFoundError, match=re.escape(missing)):
        OnnxHandDetector(missing)
    # A pose export (no detector metadata) is refused by name.
    from onnx import TensorProto, helper
    graph = helper.make_graph([helper.make_node('Identity', ['input'], ['output'])], 'pose',
                              [helper.make_tensor_value_info('input', TensorProto.FLOAT, [1])],
                              [helper.make_tensor_value_info('output', TensorProto.FLOAT, [1])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 13)])
    model.ir_version = 8
    helper.set_model_props(model, {'mmpose_mlehand': '{}'})
    pose_file = str(tmp_path / 'pose.onnx')
    onnx.save(model, pose_file)
    with pytest.raises(ValueError, match=DETECTOR_METADATA_KEY):
        OnnxHandDetector(pose_file)


def test_detector_copied_out_of_the_package_runs_alone(detector_files, onnx_detector,
                                                       tmp_path, repo_root):
    """onnx_detector.py copied next to the model works with neither this package
    nor torch nor mmdet, and gives the same boxes."""
    folder = tmp_path / 'standalone'
    folder.mkdir()
    shutil.copy(osp.join(repo_root, 'mmpose_mlehand/deploy/onnx_detector.py'), folder)
    shutil.copy(detector_files[2], folder / 'detector.onnx')
    image = _test_images()['landscape']
    np.save(folder / 'image.npy', image)
    code = (
        'import sys\n'
        'for name in ("mmpose_mlehand", "torch", "mmdet", "mmengine", "mmcv"):\n'
        '    sys.modules[name] = None\n'
        'import numpy as np\n'
        'from onnx_detector import OnnxHandDetector\n'
        'boxes, scores = OnnxHandDetector("detector.onnx", num_threads=1)('
        'np.load("image.npy"))\n'
        'np.save("boxes.npy", boxes)\n')
    proc = subprocess.run([sys.executable, '-c', code], cwd=str(folder), capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    np.testing.assert_array_equal(np.load(folder / 'boxes.npy'), onnx_detector(image)[0])


def test_export_tool_exports_a_detector(repo_root, tmp_path):
    from mmengine.config import Config
    assert is_detector_config(Config.fromfile(osp.join(repo_root, DETECTOR_CFG)))
    out = tmp_path / 'detector.onnx'
    proc = subprocess.run(
        [sys.executable, osp.join(repo_root, 'tools/export_onnx.py'),
         osp.join(repo_root, DETECTOR_CFG), '--out', str(out),
         '--cfg-options', 'model.test_cfg.score_thr=0.25'],
        cwd=repo_root, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert 'detector input 320x320' in proc.stdout
    found = re.search(r'largest difference cls_logits ([0-9.e+-]+), bbox_dists ([0-9.e+-]+) '
                      r'\(largest values cls_logits ([0-9.e+-]+), bbox_dists ([0-9.e+-]+)\)',
                      proc.stdout)
    assert found, proc.stdout
    diffs = [float(found.group(i)) for i in (1, 2)]
    scales = [float(found.group(i)) for i in (3, 4)]
    assert all(0 <= d <= 1e-4 * max(s, 1.0) for d, s in zip(diffs, scales))
    detector = OnnxHandDetector(str(out))
    assert detector.score_thr == 0.25 and detector.meta['test_cfg']['max_per_img'] == 20
    proc = subprocess.run([sys.executable, osp.join(repo_root, 'tools/export_onnx.py'),
                           osp.join(repo_root, DETECTOR_CFG), '--out', str(out),
                           '--flip-test'], cwd=repo_root, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode != 0 and 'pose models' in proc.stderr


def test_spinning_off_reaches_the_session_and_changes_no_box(detector_files, onnx_detector):
    quiet = OnnxHandDetector(detector_files[2], num_threads=1, allow_spinning=False)
    options = quiet.session.get_session_options()
    assert options.get_session_config_entry('session.intra_op.allow_spinning') == '0'
    image = _test_images()['square']
    for a, b in zip(onnx_detector(image), quiet(image)):
        np.testing.assert_array_equal(a, b)

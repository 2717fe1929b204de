"""MMPose's inferencer crops top-down models by the boxes it is given (plugin patch)."""
import numpy as np
import pytest
from mmpose.apis import MMPoseInferencer, inference_topdown

from tests.helpers import QUICKSTART_CFG


@pytest.fixture(scope='module')
def inferencer(repo_root):
    import torch

    import mmpose_mlehand.plugin  # noqa: F401
    torch.manual_seed(0)
    # Random weights are enough: the same model must give the same keypoints for
    # the same crop, and other keypoints for another crop.
    return MMPoseInferencer(pose2d=f'{repo_root}/{QUICKSTART_CFG}', det_model='whole_image',
                            device='cpu')


def keypoints(result) -> np.ndarray:
    return np.array([p['keypoints'] for p in result['predictions'][0]])


def test_given_boxes_are_the_crops(inferencer):
    image = np.random.default_rng(0).integers(0, 255, (120, 160, 3), np.uint8)
    boxes = np.array([[30, 20, 110, 100], [0, 0, 60, 50]], np.float32)
    got = keypoints(next(inferencer(image, bboxes=[boxes])))
    model = inferencer.inferencer.model
    expected = np.stack([s.pred_instances.keypoints[0]
                         for s in inference_topdown(model, image, bboxes=boxes)])
    np.testing.assert_allclose(got, expected, atol=1e-4)
    # Without boxes the whole image is the box, as in MMPose.
    whole = keypoints(next(inferencer(image)))
    expected_whole = inference_topdown(model, image)[0].pred_instances.keypoints
    np.testing.assert_allclose(whole, expected_whole, atol=1e-4)
    assert np.abs(got[0] - whole[0]).max() > 1.0


def test_boxes_of_the_wrong_shape_are_refused(inferencer):
    image = np.zeros((64, 64, 3), np.uint8)
    with pytest.raises(ValueError, match=r'input 0: boxes must be \(N, 4\)'):
        next(inferencer(image, bboxes=[[[1, 2, 3]]]))

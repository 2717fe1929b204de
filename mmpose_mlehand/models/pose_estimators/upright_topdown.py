"""A top-down estimator that predicts turned hands a second time, upright.

Real photographs score lowest on hands turned far from upright (PCK@0.2
0.43-0.69 beyond 45 degrees against 0.77-0.79 upright; issue 22), and a model
trained mostly on upright hands is best on upright ones. So, as MediaPipe
Hands turns its crop by the palm's angle, this estimator reads each hand's
angle from a first prediction (wrist to middle knuckle), turns the crop
upright where the hand is turned by ``min_turn_deg`` or more, predicts again
and turns the keypoints back; the second prediction is kept where its mean
keypoint score is higher (the scores flag failures), so a wrong first angle
costs time, not accuracy. Hands nearer upright are predicted once, exactly as
by :class:`mmpose.models.TopdownPoseEstimator`. The geometry is
:func:`mmpose_mlehand.apis.crops.predict_upright`'s, which the PyTorch and
ONNX predictors run too.
"""
from typing import Dict

import numpy as np
import torch
from mmpose.models import TopdownPoseEstimator
from mmpose.registry import MODELS
from mmpose.utils.typing import InstanceList, SampleList
from torch import Tensor

from ...apis.crops import normalised_black, predict_upright


@MODELS.register_module()
class UprightTopdownPoseEstimator(TopdownPoseEstimator):
    """:class:`mmpose.models.TopdownPoseEstimator` that predicts hands turned
    far from upright a second time, on the crop turned upright.

    Training is unchanged. ``test_cfg`` takes, besides the parent's keys,
    ``upright`` (dict, or None to predict once): ``min_turn_deg`` (default
    45: hands turned less are predicted once), ``axis_keypoints`` (the
    keypoints whose direction is ``upright_deg`` on an upright hand; default
    the wrist and the middle knuckle) and ``upright_deg`` (default -90:
    fingers up). The second prediction replaces the first where its mean
    keypoint score is higher. Not with ``output_heatmaps`` or
    ``output_stages`` (their maps and image coordinates would need turning too).
    """

    def predict(self, inputs: Tensor, data_samples: SampleList) -> SampleList:
        """Predict as the parent does, then again upright where a hand is turned.

        Args:
            inputs (Tensor): (N, C, H, W) normalised crops.
            data_samples (list[PoseDataSample]): The batch's samples.

        Returns:
            list[PoseDataSample]: The samples with ``pred_instances``:
            ``keypoints`` (1, K, 2) in image pixels, ``keypoint_scores``
            (1, K), and ``keypoint_sigmas`` (1, K, 2) where the head gives them.
        """
        upright = self.test_cfg.get('upright')
        if upright is None:
            return super().predict(inputs, data_samples)
        for key in ('output_heatmaps', 'output_stages'):
            if self.test_cfg.get(key, False):
                raise ValueError(f'test_cfg.upright cannot be combined with test_cfg.{key}')
        instances = self._predict_crops(inputs, data_samples)

        def run(crops: np.ndarray, index: np.ndarray) -> Dict[str, np.ndarray]:
            second = self._predict_crops(
                torch.from_numpy(crops).to(inputs), [data_samples[i] for i in index])
            return _as_arrays(second)

        first = _as_arrays(instances)
        final = predict_upright(run, inputs.detach().float().cpu().numpy(), first, upright,
                                self._normalised_black(inputs.shape[1]))
        for i, instance in enumerate(instances):
            instance.keypoints = final['keypoints'][i:i + 1]
            instance.keypoint_scores = final['scores'][i:i + 1]
            if 'sigmas' in final:
                instance.keypoint_sigmas = final['sigmas'][i:i + 1]
        return self.add_pred_to_datasample(instances, None, data_samples)

    def _predict_crops(self, inputs: Tensor, data_samples: SampleList) -> InstanceList:
        """The head's predictions in crop pixels (the parent's predict before
        it maps them to the image)."""
        if self.test_cfg.get('flip_test', False):
            feats = [self.extract_feat(inputs), self.extract_feat(inputs.flip(-1))]
        else:
            feats = self.extract_feat(inputs)
        preds = self.head.predict(feats, data_samples, test_cfg=self.test_cfg)
        return list(preds[0] if isinstance(preds, tuple) else preds)

    def _normalised_black(self, channels: int) -> np.ndarray:
        """(C,) value of a black pixel after the data preprocessor (what
        ``TopdownAffine`` fills beyond the image)."""
        pre = self.data_preprocessor
        if not getattr(pre, '_enable_normalize', False):
            return np.zeros(channels)
        return normalised_black(pre.mean.reshape(-1).tolist(), pre.std.reshape(-1).tolist())


def _as_arrays(instances: InstanceList) -> Dict[str, np.ndarray]:
    """Per-crop predictions (each (1, K, ...)) as batch arrays: ``keypoints``
    (N, K, 2), ``scores`` (N, K) and ``sigmas`` (N, K, 2) if all have them."""
    arrays = dict(keypoints=np.concatenate([inst.keypoints for inst in instances]),
                  scores=np.concatenate([inst.keypoint_scores for inst in instances]))
    if all('keypoint_sigmas' in inst for inst in instances):
        arrays['sigmas'] = np.concatenate([inst.keypoint_sigmas for inst in instances])
    return arrays

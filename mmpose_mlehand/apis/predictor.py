"""Top-down hand keypoints with PyTorch, eager or on the fast path.

:class:`TopdownHandPredictor` is the PyTorch counterpart of
:class:`mmpose_mlehand.deploy.onnx_predictor.OnnxHandPredictor`: the same
crop, normalisation and mapping back to the image (MMPose's top-down
pipeline, :mod:`.crops`), the same call, and ``fast=True`` selects
:func:`~.fast_inference.optimize_for_inference`.
"""
import json
import warnings
from typing import Dict, List, Optional, Tuple, Union

import numpy as np
import torch
from mmengine.config import Config
from torch import nn

from .crops import crop_inputs, keypoints_to_image, normalised_black, predict_upright
from .fast_inference import IntegralPoseNet, build_inference_net, optimize_for_inference


def load_model(config: Union[str, Config], checkpoint: Optional[str] = None,
               device: str = 'cpu', cfg_options: Optional[dict] = None) -> nn.Module:
    """Build a top-down model as MMPose's ``init_model`` does, in eval mode,
    with the backbone's pretrained init off (the checkpoint, if any, holds
    every weight; without one the weights are random).

    Args:
        config (str | Config): Model config.
        checkpoint (str, optional): Checkpoint written by MMEngine.
        device (str): Torch device.
        cfg_options (dict, optional): Config overrides.

    Returns:
        nn.Module: The model, with ``cfg`` and ``dataset_meta`` set.
    """
    from mmpose.apis import init_model

    import mmpose_mlehand.plugin  # noqa: F401  (registers the plugin's modules)
    cfg = Config.fromfile(config) if isinstance(config, str) else config.copy()
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    if 'init_cfg' in cfg.model.backbone:
        cfg.model.backbone.init_cfg = None
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        model = init_model(cfg, checkpoint, device=device)
    return model.eval()


def pipeline_metadata(model: nn.Module, flip_test: bool) -> Dict:
    """What a predictor needs besides the network, from the model's config and
    data set meta: ``input_size`` (w, h), box ``padding``, ``mean``, ``std``,
    ``bgr_to_rgb``, ``flip_test``, ``upright`` (``test_cfg.upright`` of an
    ``UprightTopdownPoseEstimator``, or None), ``keypoint_names``,
    ``skeleton_links``, ``skeleton_link_colors`` and ``keypoint_colors`` (RGB,
    as in MMPose)."""
    cfg = model.cfg
    padding, input_size = 1.25, None
    for step in cfg.test_dataloader.dataset.pipeline:
        if step['type'] == 'GetBBoxCenterScale':
            padding = float(step.get('padding', 1.25))
        elif step['type'] == 'TopdownAffine':
            input_size = [int(v) for v in step['input_size']]
            if step.get('use_udp', False):
                raise ValueError('TopdownAffine(use_udp=True) is not supported by the predictors')
    if input_size is None:
        raise ValueError('the test pipeline has no TopdownAffine')
    preprocessor = cfg.model.get('data_preprocessor', {})
    meta = getattr(model, 'dataset_meta', None) or {}
    id2name = meta.get('keypoint_id2name', {})
    return dict(
        input_size=input_size,
        padding=padding,
        mean=[float(v) for v in preprocessor.get('mean', (0., 0., 0.))],
        std=[float(v) for v in preprocessor.get('std', (1., 1., 1.))],
        bgr_to_rgb=bool(preprocessor.get('bgr_to_rgb', False)),
        flip_test=bool(flip_test),
        upright=_upright_settings(model),
        dataset_name=meta.get('dataset_name', ''),
        keypoint_names=[id2name[i] for i in sorted(id2name)],
        skeleton_links=[[int(a), int(b)] for a, b in meta.get('skeleton_links', [])],
        skeleton_link_colors=np.asarray(meta.get('skeleton_link_colors', []),
                                        dtype=int).tolist(),
        keypoint_colors=np.asarray(meta.get('keypoint_colors', []), dtype=int).tolist(),
    )


def _upright_settings(model: nn.Module) -> Optional[Dict]:
    """``test_cfg.upright`` in plain JSON types (it goes into ONNX metadata),
    or None where the model predicts once."""
    from ..models import UprightTopdownPoseEstimator
    upright = getattr(model, 'test_cfg', {}).get('upright')
    if not isinstance(model, UprightTopdownPoseEstimator) or upright is None:
        return None
    return json.loads(json.dumps(dict(upright)))


class TopdownHandPredictor:
    """Top-down hand keypoints of a config and checkpoint with PyTorch.

    Args:
        config (str | Config): Model config (a ``SequentialIntegralHead``
            model).
        checkpoint (str, optional): Checkpoint; random weights without one.
        device (str): Torch device.
        fast (bool): Run :func:`~.fast_inference.optimize_for_inference`'s
            fast path (folded BatchNorm, channels-last, bf16 where native);
            False: the eager fp32 graph, MMPose's numbers.
        flip_test (bool, optional): Override the config's ``test_cfg``.
        bf16 (bool | str): See :func:`~.fast_inference.optimize_for_inference`.
        compile (bool): ``torch.compile`` the fast path.

    Attributes:
        model (nn.Module): The MMPose model.
        net (nn.Module): What runs: the inference graph, optimised if ``fast``.
        meta (dict): :func:`pipeline_metadata`.
    """

    def __init__(self, config: Union[str, Config], checkpoint: Optional[str] = None,
                 device: str = 'cpu', fast: bool = False, flip_test: Optional[bool] = None,
                 bf16: Union[bool, str] = 'auto', compile: bool = False):
        self.model = load_model(config, checkpoint, device)
        net = build_inference_net(self.model, flip_test)
        if not isinstance(net, IntegralPoseNet):
            raise TypeError('TopdownHandPredictor runs SequentialIntegralHead models')
        self.net = optimize_for_inference(net, bf16=bf16, compile=compile) if fast else net
        self.device = torch.device(device)
        self.meta = pipeline_metadata(self.model, net.flip_test)
        self.input_size = tuple(self.meta['input_size'])

    @torch.no_grad()
    def run(self, inputs: np.ndarray) -> Dict[str, np.ndarray]:
        """The network on normalised crops (N, 3, h, w): ``keypoints``
        (input pixels), ``scores``, ``sigmas``."""
        keypoints, scores, sigmas = self.net(torch.from_numpy(inputs).to(self.device))
        return dict(keypoints=keypoints.cpu().numpy(), scores=scores.cpu().numpy(),
                    sigmas=sigmas.cpu().numpy())

    def __call__(self, image: np.ndarray,
                 bboxes: Optional[Union[np.ndarray, List[List[float]]]] = None
                 ) -> Tuple[np.ndarray, np.ndarray]:
        """Predict the keypoints of each hand box of a BGR image.

        Args:
            image (np.ndarray): (H, W, 3) uint8 BGR image.
            bboxes (np.ndarray, optional): (N, 4) xyxy boxes; ``None``: the
                whole image.

        Returns:
            tuple: keypoints (N, K, 2) in image pixels and scores (N, K).
        """
        meta = self.meta
        inputs, centers, scales = crop_inputs(image, bboxes, self.input_size, meta['padding'],
                                              meta['mean'], meta['std'], meta['bgr_to_rgb'])
        outputs = self.run(inputs)
        if meta['upright'] is not None:
            outputs = predict_upright(lambda crops, _: self.run(crops), inputs, outputs,
                                      meta['upright'], normalised_black(meta['mean'], meta['std']))
        return (keypoints_to_image(outputs['keypoints'], centers, scales, self.input_size),
                outputs['scores'])

    predict = __call__

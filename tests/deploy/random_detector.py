"""An untrained hand detector whose detections are not degenerate, for numerical
comparisons.

A freshly built RTMDet-nano's features all but vanish (their spread shrinks by
about 1e-5 to 1e-9 through the network: BatchNorm's running statistics are
those of no data), so every prior gets the same score and a box of a pixel or
less. Here BatchNorm's statistics come from a few generated scenes (the
network is otherwise untouched), the last classification and regression
layers are scaled so that scores spread over (0, 1) and boxes span a few
strides, and the classification bias is set so that a padded region (the
grey 114 that pads non-square images) scores ``PAD_SCORE``: a padded region's
priors all compute the same score, and mmdet's sort does not order equal
scores stably, so they must stay below the score threshold for two
implementations to agree box for box.
"""
import os.path as osp
from typing import Optional

import numpy as np
import torch
from mmengine.config import Config

from mmpose_mlehand.apis.detector import load_detector
from mmpose_mlehand.deploy.export_detector import RawDetectorNet
from mmpose_mlehand.deploy.onnx_detector import resize_and_pad
from mmpose_mlehand.synthetic.hand_scenes import render_hand_scene

DETECTOR_CFG = 'configs/detection/rtmdet-nano_synthetic-scenes-320x320.py'
CLS_GAIN = 20.0
REG_BIAS = 2.0  # distances of about two strides (more than zero: boxes have an area)
PAD_SCORE = 0.01


def scene_bgr(index: int, family: str = 'train') -> np.ndarray:
    """Generated scene ``(0, 'train', index)`` as a BGR image."""
    return np.ascontiguousarray(render_hand_scene(0, 'train', index, family).image[..., ::-1])


def _normalised(model: torch.nn.Module, image: np.ndarray) -> torch.Tensor:
    """The image resized and padded to the input and normalised, as mmdet does."""
    pre = model.data_preprocessor
    padded, _ = resize_and_pad(image, (320, 320), (320, 320), (114, 114, 114))
    x = torch.from_numpy(padded.transpose(2, 0, 1)[None].astype(np.float32))
    return (x - pre.mean) / pre.std


def random_detector(repo_root: str, seed: int = 0, score_thr: Optional[float] = None,
                    num_scenes: int = 4) -> torch.nn.Module:
    """The bundled detector's recipe with random weights (see the module docstring).

    Args:
        repo_root (str): The repository root.
        seed (int): Torch seed of the weights.
        score_thr (float, optional): Override the config's ``test_cfg.score_thr``
            (0.05: a few hundred priors of a generated scene pass).
        num_scenes (int): Generated scenes BatchNorm's statistics come from.
    """
    cfg = Config.fromfile(osp.join(repo_root, DETECTOR_CFG))
    if score_thr is not None:
        cfg.model.test_cfg.score_thr = score_thr
    torch.manual_seed(seed)
    model = load_detector(cfg)
    net = RawDetectorNet(model)
    batch = torch.cat([_normalised(model, scene_bgr(i)) for i in range(num_scenes)])
    for module in model.modules():
        if isinstance(module, torch.nn.modules.batchnorm._BatchNorm):
            module.reset_running_stats()
            module.momentum = None  # a plain average over the batch
    model.train()
    with torch.no_grad():
        net(batch)
    model.eval()
    head = model.bbox_head
    pad = (torch.full((1, 3, 320, 320), 114.0) - model.data_preprocessor.mean) / \
        model.data_preprocessor.std
    target = float(np.log(PAD_SCORE / (1 - PAD_SCORE)))
    with torch.no_grad():
        for conv in head.rtm_cls:
            conv.weight.mul_(CLS_GAIN)
            conv.bias.mul_(CLS_GAIN)
        for conv in head.rtm_reg:
            conv.bias.fill_(REG_BIAS)
        cls_scores, _ = net.levels(pad)
        for conv, logits in zip(head.rtm_cls, cls_scores):
            # The centre of an all-padding input: what padding far from the image gives.
            h, w = logits.shape[-2:]
            conv.bias.add_(target - logits[0, :, h // 2, w // 2])
    return model

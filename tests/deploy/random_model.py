"""Untrained models whose keypoints are not degenerate, for numerical comparisons.

A freshly built model's heatmaps are nearly uniform (its deep features are
small), so every keypoint sits at the crop centre. Scaling the last stage's
heatmap layer (and its sigma layer) spreads the keypoints over the crop (by
about 10 px on 96 px crops) while the graph stays well conditioned: float32
and float64 evaluations differ by ~3e-5 px (scaling every stage instead makes
the stage-to-stage feedback chaotic, with float32 rounding alone moving
keypoints by 1e-3 to 1e-1 px).
"""
import os.path as osp
from typing import Optional

import torch

from mmpose_mlehand.deploy.export import load_model
from tests.helpers import QUICKSTART_CFG

PEAK_GAIN = 1000.0
SIGMA_GAIN = 30.0


def random_quickstart_model(repo_root: str, seed: int = 0, flip_test: Optional[bool] = None,
                            upright: Optional[dict] = None) -> torch.nn.Module:
    """The quick-start model (96x96) with random weights and spread keypoints;
    an ``UprightTopdownPoseEstimator`` with ``test_cfg.upright`` if ``upright``."""
    torch.manual_seed(seed)
    options = None if upright is None else {'model.type': 'UprightTopdownPoseEstimator',
                                            'model.test_cfg.upright': upright}
    model = load_model(osp.join(repo_root, QUICKSTART_CFG), cfg_options=options)
    last = model.head.stages[-1]
    with torch.no_grad():
        last.heatmap_branch[-1].weight.mul_(PEAK_GAIN)
        last.sigma_branch[-1].weight.mul_(SIGMA_GAIN)
    if flip_test is not None:
        model.test_cfg['flip_test'] = flip_test
    return model

"""Hand boxes of an mmdet detector with PyTorch (the bundled one by default).

:class:`MMDetHandDetector` is the PyTorch counterpart of
:class:`mmpose_mlehand.deploy.onnx_detector.OnnxHandDetector`: the same call,
``detector(image) -> (boxes (N, 4) xyxy, scores (N,))``, as the trackers of
:mod:`.tracking` expect. It runs mmdet's test pipeline and post-processing
(what ``mmdet.apis.inference_detector`` runs, the numbers mmdet reports),
with the pipeline built once and every transform named with its ``mmdet.``
scope, so that it does not depend on MMEngine's default scope at call time
(an MMPose model built later sets it to ``mmpose``). Boxes are clipped to the
image, and boxes left without area dropped (mmdet clips them to the padded
network input only), as ``OnnxHandDetector`` does.
"""
import warnings
from typing import TYPE_CHECKING, Optional, Tuple, Union

import numpy as np

if TYPE_CHECKING:  # imported where used: the ONNX tracker runs without MMEngine
    from mmengine.config import Config


def load_detector(config: Union[str, 'Config', None] = None, checkpoint: Optional[str] = None,
                  device: str = 'cpu'):
    """Build an mmdet detector in eval mode; without arguments the bundled one.

    Args:
        config (str | Config, optional): mmdet config; default the bundled
            detector's (:data:`mmpose_mlehand.bundled.DEFAULT_DETECTOR`).
        checkpoint (str, optional): Weights; default the bundled detector's
            when ``config`` is not given (random weights otherwise).
        device (str): Torch device.

    Returns:
        nn.Module: The detector, with ``cfg`` and ``dataset_meta`` set.
    """
    from mmdet.apis import init_detector
    from mmengine.config import Config

    import mmpose_mlehand.plugin  # noqa: F401  (safe checkpoint loading)
    from mmpose_mlehand.bundled import DEFAULT_DETECTOR, bundled_model_files
    if config is None:
        config, checkpoint = bundled_model_files(DEFAULT_DETECTOR)
    cfg = Config.fromfile(config) if isinstance(config, str) else config.copy()
    backbone = cfg.model.get('backbone', {})
    if checkpoint is not None and backbone.get('init_cfg'):
        backbone['init_cfg'] = None  # the checkpoint holds every weight: no download
    from mmpose_mlehand.utils.scope import default_scope_kept
    with warnings.catch_warnings(), default_scope_kept():
        warnings.simplefilter('ignore')
        model = init_detector(cfg, checkpoint, device=device)
    return model.eval()


#: MMPose's inferencer's default ``bbox_thr``: boxes kept above it.
MMPOSE_BBOX_THR = 0.3


def hand_thresholds(config: Union[str, 'Config']) -> Tuple[Optional[float], Optional[float]]:
    """A detector config's own box thresholds, chosen on validation scenes by
    ``tools/train_bundled_detector.py``: ``hand_score_thr`` (boxes kept above
    it) and ``hand_fallback_thr`` (the best box kept above it when none
    passes); None where the config has none.
    """
    from mmengine.config import Config
    cfg = Config.fromfile(config) if isinstance(config, str) else config
    return cfg.get('hand_score_thr'), cfg.get('hand_fallback_thr')


class MMDetHandDetector:
    """Hand boxes with mmdet's inference (PyTorch).

    Args:
        config (str | Config, optional): mmdet config; default the bundled
            detector.
        checkpoint (str, optional): Its weights (see :func:`load_detector`).
        device (str): Torch device.
        category_ids (tuple): Classes that are hands. Defaults to ``(0, )``.

    Attributes:
        model (nn.Module): The mmdet detector.
        score_thr (float): The config's ``test_cfg.score_thr``: boxes below
            it are never returned.
    """

    def __init__(self, config: Union[str, 'Config', None] = None,
                 checkpoint: Optional[str] = None, device: str = 'cpu',
                 category_ids: Tuple[int, ...] = (0, )):
        from mmcv.transforms import Compose

        self.model = load_detector(config, checkpoint, device)
        self.category_ids = tuple(category_ids)
        self.score_thr = float(self.model.cfg.model.test_cfg.get('score_thr', 0.0))
        steps = []
        for step in self.model.cfg.test_dataloader.dataset.pipeline:
            step = dict(step)
            name = step['type'].split('.')[-1]
            if name == 'LoadAnnotations':
                continue  # no labels at inference
            if name == 'LoadImageFromFile':
                step = dict(type='LoadImageFromNDArray')
            step['type'] = 'mmdet.' + step['type'].split('.')[-1]
            steps.append(step)
        self.pipeline = Compose(steps)

    def __call__(self, image: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """Detect hands in a BGR image.

        Args:
            image (np.ndarray): (H, W, 3) uint8 BGR image.

        Returns:
            tuple: boxes (N, 4) xyxy in image pixels and scores (N,), by
            decreasing score.
        """
        import torch

        data = self.pipeline(dict(img=image, img_id=0))
        batch = dict(inputs=[data['inputs']], data_samples=[data['data_samples']])
        with torch.no_grad():
            result = self.model.test_step(batch)[0].pred_instances.cpu().numpy()
        hands = np.isin(result.labels, self.category_ids)
        boxes, scores = result.bboxes[hands].astype(np.float32), result.scores[hands]
        h, w = image.shape[:2]
        boxes = np.clip(boxes, 0, [w, h, w, h]).astype(np.float32)
        inside = (boxes[:, 2] > boxes[:, 0]) & (boxes[:, 3] > boxes[:, 1])
        boxes, scores = boxes[inside], scores[inside]
        order = np.argsort(-scores, kind='stable')
        return boxes[order], scores[order].astype(np.float32)

    detect = __call__

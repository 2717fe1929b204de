"""Export an mmdet RTMDet detector's network to ONNX and check it against PyTorch.

The graph is the network alone: ``extract_feat`` (backbone and neck) and the
bbox head's ``forward``, on a fixed (1, 3, h, w) input, the size of the
config's test pipeline (``Resize(keep_ratio=True)`` then ``Pad(size)``). Its
outputs are raw, per prior, the levels concatenated (level by level, each
row by row, the order of mmdet's ``MlvlPointGenerator``):

- ``cls_logits`` (1, A, C): class logits (before the sigmoid);
- ``bbox_dists`` (1, A, 4): distances from each prior to the box's left,
  top, right and bottom edges in input pixels, as the head's ``forward``
  returns them (``RTMDetSepBNHead`` multiplies by the level's stride, and
  takes ``exp`` first only with ``exp_on_reg=True``; either way the graph's
  output is what ``DistancePointBBoxCoder.decode`` takes).

The test pipeline, the data preprocessor's normalisation and ``test_cfg`` go
into the file's metadata for
:class:`~mmpose_mlehand.deploy.onnx_detector.OnnxHandDetector`, which runs
everything else (resize, pad, normalise, priors, decoding, NMS) in numpy.
"""
import os
import os.path as osp
import tempfile
import warnings
from typing import Dict, List, Sequence, Tuple

import numpy as np
import torch
from mmengine.config import Config
from torch import Tensor, nn

from ..apis.detector import load_detector
from .export import OPSET, save_with_metadata
from .onnx_detector import DETECTOR_METADATA_KEY, DETECTOR_OUTPUTS


def is_detector_config(cfg: Config) -> bool:
    """Whether a config's model is an mmdet detector (it has a ``bbox_head``)
    rather than an MMPose pose model."""
    return 'bbox_head' in cfg.get('model', {})


def _transform_type(step: dict) -> str:
    return str(step.get('type', '')).split('.')[-1]


def _pad_value(pad_val) -> List[float]:
    """Per-channel image padding value of mmdet's ``Pad(pad_val=...)``."""
    if isinstance(pad_val, dict):
        pad_val = pad_val.get('img', 0)
    if isinstance(pad_val, (int, float)):
        return [float(pad_val)] * 3
    values = [float(v) for v in pad_val]
    if len(values) != 3:
        raise ValueError(f'expected one or three padding values, got {pad_val}')
    return values


def resize_pad_settings(cfg: Config) -> Tuple[List[int], List[int], List[float]]:
    """The resize scale, padded input size (w, h) and padding value of an
    mmdet config's test pipeline.

    Raises:
        ValueError: Unless the pipeline resizes keeping the aspect ratio
            (bilinear) and pads to a fixed size that the resized image fits.
    """
    scale = input_size = pad_val = None
    for step in cfg.test_dataloader.dataset.pipeline:
        kind = _transform_type(step)
        if kind == 'Resize':
            if not step.get('keep_ratio', False) or step.get('scale') is None:
                raise ValueError(f'test pipeline {step}: only Resize(scale, keep_ratio=True) '
                                 'is supported')
            if step.get('interpolation', 'bilinear') != 'bilinear':
                raise ValueError(f'test pipeline {step}: only bilinear resizing is supported')
            scale = [int(v) for v in step['scale']]
        elif kind == 'Pad':
            if step.get('size') is None:
                raise ValueError(f'test pipeline {step}: only Pad(size=...) is supported')
            if step.get('padding_mode', 'constant') != 'constant':
                raise ValueError(f'test pipeline {step}: only constant padding is supported')
            input_size = [int(v) for v in step['size']]
            pad_val = _pad_value(step.get('pad_val', dict(img=0)))
        elif kind in ('FixShapeResize', 'RandomResize', 'RandomCrop',
                      'RandomCenterCropPad'):
            raise ValueError(f'test pipeline step {step} is not supported')
    if scale is None or input_size is None:
        raise ValueError('the test pipeline needs Resize(scale, keep_ratio=True) and '
                         'Pad(size=...): the exported input has a fixed size')
    if max(scale) > min(input_size):
        raise ValueError(f'Resize scale {scale} does not fit the padded size {input_size}')
    return scale, input_size, pad_val


class RawDetectorNet(nn.Module):
    """An mmdet single-stage detector's network with raw outputs.

    Args:
        detector (nn.Module): An mmdet detector with an RTMDet-style head
            (``MlvlPointGenerator`` priors, ``DistancePointBBoxCoder``,
            sigmoid classification).
    """

    def __init__(self, detector: nn.Module):
        super().__init__()
        head = detector.bbox_head
        coder = type(getattr(head, 'bbox_coder', None)).__name__
        priors = type(getattr(head, 'prior_generator', None)).__name__
        if coder != 'DistancePointBBoxCoder' or priors != 'MlvlPointGenerator' or \
                not getattr(head, 'use_sigmoid_cls', False):
            raise TypeError(f'{type(head).__name__} ({coder}, {priors}) is not supported: '
                            'only RTMDet-style heads (point priors, distance boxes, '
                            'sigmoid scores) are')
        self.detector = detector
        self.num_classes = int(head.cls_out_channels)

    def levels(self, inputs: Tensor) -> Tuple[Sequence[Tensor], Sequence[Tensor]]:
        """Per level: class logits (N, C, h, w) and distances (N, 4, h, w)."""
        return self.detector.bbox_head(self.detector.extract_feat(inputs))

    def forward(self, inputs: Tensor) -> Tuple[Tensor, Tensor]:
        """Normalised inputs (N, 3, H, W) -> class logits (N, A, C) and
        distances (N, A, 4) of all priors, levels concatenated."""
        cls_scores, bbox_preds = self.levels(inputs)
        n = inputs.shape[0]
        logits = torch.cat([c.permute(0, 2, 3, 1).reshape(n, -1, self.num_classes)
                            for c in cls_scores], dim=1)
        dists = torch.cat([b.permute(0, 2, 3, 1).reshape(n, -1, 4) for b in bbox_preds], dim=1)
        return logits, dists


def detector_metadata(model: nn.Module) -> Dict:
    """What :class:`~.onnx_detector.OnnxHandDetector` needs besides the network:
    ``input_size`` (w, h), ``resize_scale``, ``pad_val``, ``mean``, ``std``,
    ``bgr_to_rgb``, ``strides`` ((w, h) per level), ``prior_offset``,
    ``clip_border`` (the box coder's clamp to the input), ``featmap_sizes``
    ((h, w) per level), ``num_classes``, ``classes`` and ``test_cfg``
    (``score_thr``, ``nms_pre``, ``min_bbox_size``, ``nms``, ``max_per_img``)."""
    cfg = model.cfg
    scale, input_size, pad_val = resize_pad_settings(cfg)
    preprocessor = cfg.model.get('data_preprocessor', {})
    divisor = int(preprocessor.get('pad_size_divisor', 1))
    if input_size[0] % divisor or input_size[1] % divisor:
        raise ValueError(f'input size {input_size} is not a multiple of the data '
                         f'preprocessor\'s pad_size_divisor {divisor}')
    net = RawDetectorNet(model).eval()
    w, h = input_size
    param = next(model.parameters())
    with torch.no_grad():
        cls_scores, _ = net.levels(torch.zeros(1, 3, h, w, dtype=param.dtype,
                                               device=param.device))
    head = model.bbox_head
    test_cfg = head.test_cfg.to_dict() if hasattr(head.test_cfg, 'to_dict') else \
        dict(head.test_cfg)
    nms = dict(test_cfg.get('nms') or {})
    if nms and str(nms.get('type', 'nms')) != 'nms':
        raise ValueError(f"test_cfg.nms {nms}: only type='nms' is supported")
    # The config's class names first: mmdet gives a model built without a
    # checkpoint COCO's names.
    metainfo = cfg.get('test_dataloader', {}).get('dataset', {}).get('metainfo') or {}
    classes = metainfo.get('classes') or \
        (getattr(model, 'dataset_meta', None) or {}).get('classes', [])
    return dict(
        input_size=[w, h],
        resize_scale=scale,
        pad_val=pad_val,
        mean=[float(v) for v in preprocessor.get('mean', (0., 0., 0.))],
        std=[float(v) for v in preprocessor.get('std', (1., 1., 1.))],
        bgr_to_rgb=bool(preprocessor.get('bgr_to_rgb', False)
                        or preprocessor.get('rgb_to_bgr', False)),
        strides=[[int(s[0]), int(s[1])] for s in head.prior_generator.strides],
        prior_offset=float(head.prior_generator.offset),
        clip_border=bool(getattr(head.bbox_coder, 'clip_border', True)),
        featmap_sizes=[[int(c.shape[2]), int(c.shape[3])] for c in cls_scores],
        num_classes=net.num_classes,
        classes=[str(c) for c in classes][:net.num_classes],
        test_cfg=dict(score_thr=float(test_cfg.get('score_thr', 0.0)),
                      nms_pre=int(test_cfg.get('nms_pre', -1)),
                      min_bbox_size=float(test_cfg.get('min_bbox_size', -1)),
                      nms=dict(type='nms', iou_threshold=float(nms['iou_threshold']),
                               class_agnostic=bool(nms.get('class_agnostic', False)))
                      if nms else None,
                      max_per_img=int(test_cfg.get('max_per_img', -1))),
        outputs=list(DETECTOR_OUTPUTS),
    )


def export_detector_onnx(model: nn.Module, out_file: str, opset: int = OPSET) -> Dict:
    """Export an mmdet detector's network (see the module docstring).

    Args:
        model (nn.Module): From :func:`mmpose_mlehand.apis.detector.load_detector`
            (``cfg`` set).
        out_file (str): ONNX file to write (replaced atomically).
        opset (int): ONNX opset.

    Returns:
        dict: The metadata written into the file (key
        :data:`~.onnx_detector.DETECTOR_METADATA_KEY`).
    """
    metadata = detector_metadata(model)
    net = RawDetectorNet(model).cpu().eval()
    w, h = metadata['input_size']
    dummy = torch.zeros(1, 3, h, w)
    out_dir = osp.dirname(osp.abspath(out_file))
    os.makedirs(out_dir, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out_dir) as tmp, torch.no_grad(), \
            warnings.catch_warnings():
        warnings.simplefilter('ignore')
        raw_file = osp.join(tmp, 'graph.onnx')
        torch.onnx.export(net, (dummy, ), raw_file, dynamo=False, opset_version=opset,
                          input_names=['input'], output_names=list(DETECTOR_OUTPUTS),
                          do_constant_folding=True)
        save_with_metadata(raw_file, out_file, DETECTOR_METADATA_KEY, metadata)
    return metadata


def random_images(num: int, seed: int = 0) -> List[np.ndarray]:
    """Smooth random BGR images (upsampled 8 x 6 noise), landscape and portrait
    in turn (so that padding is in the input): stand-ins for photos."""
    import cv2
    rng = np.random.default_rng(seed)
    sizes = ((320, 240), (240, 320))
    return [cv2.resize(rng.integers(0, 256, (6, 8, 3), dtype=np.uint8), sizes[i % 2],
                       interpolation=cv2.INTER_CUBIC) for i in range(num)]


@torch.no_grad()
def compare_detector_with_pytorch(model: nn.Module, onnx_file: str, num_inputs: int = 2,
                                  seed: int = 0) -> Dict[str, float]:
    """Largest differences of the raw outputs between ONNX Runtime and
    PyTorch on random images (:func:`random_images`, preprocessed as the
    detector does).

    Normalised standard normal noise is not used: it is far from any image,
    and an untrained network's outputs on it reach thousands, where float32
    rounding alone exceeds 0.1.

    Returns:
        dict: The largest absolute difference of ``cls_logits`` and
        ``bbox_dists`` (input pixels) over ``num_inputs`` inputs, and the
        largest absolute PyTorch value of each (``<name>_max_abs``), the scale
        the differences compare with.
    """
    from .onnx_detector import OnnxHandDetector
    net = RawDetectorNet(model).cpu().eval()
    detector = OnnxHandDetector(onnx_file)
    worst: Dict[str, float] = {}
    for image in random_images(num_inputs, seed):
        inputs, _ = detector.preprocess(image)
        got = detector.run(inputs)
        for name, value in zip(DETECTOR_OUTPUTS, net(torch.from_numpy(inputs))):
            diff = float(np.abs(got[name] - value.numpy()).max())
            worst[name] = max(worst.get(name, 0.0), diff)
            worst[f'{name}_max_abs'] = max(worst.get(f'{name}_max_abs', 0.0),
                                           float(value.abs().max()))
    return worst


__all__ = ['OPSET', 'RawDetectorNet', 'compare_detector_with_pytorch', 'detector_metadata',
           'export_detector_onnx', 'is_detector_config', 'load_detector', 'random_images',
           'resize_pad_settings']

"""Export a top-down model's inference graph to ONNX and check it against PyTorch.

The graph is :func:`mmpose_mlehand.apis.fast_inference.build_inference_net`'s:
for the method, backbone, all stages, the last stage's integral regression and
sigmas (no flow; flip test inside the graph when the config has it), with
outputs ``keypoints`` (N, K, 2, input-crop pixels), ``scores`` (N, K) and
``sigmas`` (N, K, 2); for MMPose's heatmap models, ``heatmaps``. The batch
axis is dynamic. The pre- and post-processing that
:class:`~.onnx_predictor.OnnxHandPredictor` needs go into the file's metadata.
"""
import contextlib
import json
import os
import os.path as osp
import tempfile
import warnings
from typing import Dict, Iterator, Optional, Sequence

import numpy as np
import torch
from torch import nn

from ..apis.predictor import load_model, pipeline_metadata
from .onnx_predictor import METADATA_KEY

#: ONNX opset of the export (ONNX Runtime 1.31 runs opsets up to 23).
OPSET = 17


@contextlib.contextmanager
def _static_adaptive_pooling() -> Iterator[None]:
    """Make ``F.adaptive_avg_pool2d``'s output size a constant while tracing.

    The stages pool the previous likelihoods to the feature size read from
    ``feats.shape``; the tracer records that as a dynamic value, which the
    ONNX exporter refuses for adaptive pooling. Only the batch axis is
    dynamic in the export, so the spatial sizes are constants.
    """
    import torch.nn.functional as F
    original = F.adaptive_avg_pool2d

    def static(input, output_size):
        if isinstance(output_size, (tuple, list, torch.Size)):
            output_size = tuple(None if s is None else int(s) for s in output_size)
        return original(input, output_size)

    F.adaptive_avg_pool2d = static
    try:
        yield
    finally:
        F.adaptive_avg_pool2d = original


def export_onnx(model: nn.Module, out_file: str, flip_test: Optional[bool] = None,
                opset: int = OPSET) -> Dict:
    """Export a model's inference graph with a dynamic batch axis.

    Args:
        model (nn.Module): From :func:`~mmpose_mlehand.apis.predictor.load_model`.
        out_file (str): ONNX file to write.
        flip_test (bool, optional): Put flip test in the graph; ``None``: as
            the config's ``test_cfg`` says.
        opset (int): ONNX opset.

    Returns:
        dict: The metadata written into the file (key ``mmpose_mlehand``),
        with ``outputs``, the output names.
    """
    from ..apis.fast_inference import IntegralPoseNet, build_inference_net
    net = build_inference_net(model, flip_test=flip_test).cpu().eval()
    w, h = model.head.decoder.input_size
    outputs = ['keypoints', 'scores', 'sigmas'] if isinstance(net, IntegralPoseNet) else \
        ['heatmaps']
    metadata = pipeline_metadata(model, net.flip_test)
    if tuple(metadata['input_size']) != (int(w), int(h)):
        raise ValueError(f'pipeline input size {metadata["input_size"]} differs from the '
                         f"codec's {(w, h)}")
    metadata['outputs'] = outputs
    dummy = torch.zeros(1, 3, int(h), int(w))
    out_dir = osp.dirname(osp.abspath(out_file))
    os.makedirs(out_dir, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out_dir) as tmp, torch.no_grad(), \
            warnings.catch_warnings(), _static_adaptive_pooling():
        warnings.simplefilter('ignore')
        raw_file = osp.join(tmp, 'graph.onnx')
        torch.onnx.export(
            net, (dummy, ), raw_file, dynamo=False, opset_version=opset,
            input_names=['input'], output_names=outputs,
            dynamic_axes={name: {0: 'batch'} for name in ['input'] + outputs},
            do_constant_folding=True)
        save_with_metadata(raw_file, out_file, METADATA_KEY, metadata)
    return metadata


def save_with_metadata(raw_file: str, out_file: str, key: str, metadata: Dict) -> None:
    """Write the exported graph ``raw_file`` to ``out_file`` with ``metadata``
    (JSON) under ``key``, checked by ONNX's checker.

    The file is written next to ``raw_file`` first and then moved over
    ``out_file`` (one rename): a reader never sees half a file. Keep
    ``raw_file`` in a temporary folder on ``out_file``'s file system.
    """
    import onnx
    proto = onnx.load(raw_file)
    onnx.helper.set_model_props(proto, {key: json.dumps(metadata)})
    onnx.checker.check_model(proto)
    tmp_out = osp.join(osp.dirname(raw_file), 'model.onnx')
    onnx.save(proto, tmp_out)
    os.replace(tmp_out, out_file)


@torch.no_grad()
def compare_with_pytorch(model: nn.Module, onnx_file: str,
                         batch_sizes: Sequence[int] = (1, 3), seed: int = 0,
                         flip_test: Optional[bool] = None) -> Dict[str, float]:
    """Largest differences between ONNX Runtime and PyTorch on random inputs.

    Args:
        model (nn.Module): The exported model.
        onnx_file (str): Its export.
        batch_sizes (Sequence[int]): Batches of random normalised crops
            (standard normal values) to compare.
        seed (int): Seed of the inputs.
        flip_test (bool, optional): As given to :func:`export_onnx`.

    Returns:
        dict: The largest absolute difference of every output over all
        batches (``keypoints`` in input pixels, ``scores``, ``sigmas`` or
        ``heatmaps``), keyed by output name.
    """
    from ..apis.fast_inference import build_inference_net
    from .onnx_predictor import OnnxHandPredictor
    net = build_inference_net(model, flip_test=flip_test).cpu().eval()
    predictor = OnnxHandPredictor(onnx_file)
    w, h = predictor.input_size
    generator = torch.Generator().manual_seed(seed)
    worst: Dict[str, float] = {}
    for batch in batch_sizes:
        inputs = torch.randn(batch, 3, h, w, generator=generator)
        expected = net(inputs)
        expected = expected if isinstance(expected, tuple) else (expected, )
        got = predictor.run(inputs.numpy())
        for name, value in zip(predictor.output_names, expected):
            diff = float(np.abs(got[name] - value.numpy()).max())
            worst[name] = max(worst.get(name, 0.0), diff)
    return worst


__all__ = ['OPSET', 'load_model', 'export_onnx', 'compare_with_pytorch']

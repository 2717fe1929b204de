"""Inference graphs of top-down models and a fast PyTorch path.

:func:`build_inference_net` turns a built MMPose ``TopdownPoseEstimator``
into a plain ``nn.Module`` from normalised crops to predictions, without data
samples: the graph that :mod:`mmpose_mlehand.deploy` exports to ONNX and that
:func:`optimize_for_inference` speeds up. Flip test, when on, runs the image
and its mirror as one batch of 2B (MMPose runs two passes; the numbers are the
same).

- :class:`IntegralPoseNet` (``SequentialIntegralHead``, the method): backbone,
  all stages, soft-argmax of the last stage and its sigmas -> keypoints in
  input-crop pixels, scores ``mean(1 - sigma)`` (``RegressionLabel``'s
  decoding) and sigmas. No flow.
- :class:`HeatmapPoseNet` (MMPose's ``HeatmapHead``, the baseline): heatmaps,
  flip-averaged as ``HeatmapHead.predict`` does; decode them with the head's
  codec (:func:`decode_heatmaps`).

:func:`optimize_for_inference` is the fast path: BatchNorm folded into the
preceding convolutions, channels-last memory, bf16 autocast where the CPU has
native bf16 (``'auto'``; the last soft-argmax stays fp32) and optionally
``torch.compile``. Its accuracy cost is measured by
:func:`keypoint_difference` (tests and ``tools/benchmark.py``).
"""
import copy
from typing import Dict, Optional, Sequence, Tuple, Union

import numpy as np
import torch
from torch import Tensor, nn
from torch.nn.utils.fusion import fuse_conv_bn_eval, fuse_linear_bn_eval

from ..utils.precision import at_least_fp32, cpu_has_native_bf16

_CONVS = (nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.ConvTranspose1d, nn.ConvTranspose2d,
          nn.ConvTranspose3d)
_NORMS = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d)


class _TopdownNet(nn.Module):
    """Backbone, neck and flip test shared by the inference graphs.

    Args:
        model (nn.Module): A built ``TopdownPoseEstimator``.
        flip_test (bool, optional): Run flip test; ``None`` takes the
            model's ``test_cfg``.
    """

    def __init__(self, model: nn.Module, flip_test: Optional[bool] = None):
        super().__init__()
        test_cfg = dict(model.test_cfg or {})
        self.backbone = model.backbone
        self.neck = model.neck if getattr(model, 'with_neck', False) else None
        self.head = model.head
        self.test_cfg = test_cfg
        self.flip_test = bool(test_cfg.get('flip_test', False) if flip_test is None
                              else flip_test)
        num_keypoints = _num_keypoints(model.head)
        meta = getattr(model, 'dataset_meta', None) or {}
        flip_indices = meta.get('flip_indices', list(range(num_keypoints)))
        if len(flip_indices) != num_keypoints:
            raise ValueError(f'{len(flip_indices)} flip indices for {num_keypoints} keypoints')
        self.register_buffer('flip_indices', torch.as_tensor(flip_indices, dtype=torch.long),
                             persistent=False)

    def features(self, inputs: Tensor) -> Tuple[Tensor, ...]:
        """Backbone (and neck) features of ``inputs`` and, with flip test, of
        their mirror images, as one batch (B or 2B)."""
        if self.flip_test:
            inputs = torch.cat((inputs, inputs.flip(-1)))
        feats = self.backbone(inputs)
        if self.neck is not None:
            feats = self.neck(feats)
        return feats


class IntegralPoseNet(_TopdownNet):
    """Inference graph of a ``SequentialIntegralHead`` model (the method).

    The same numbers as ``TopdownPoseEstimator.predict`` (keypoints in
    input-crop pixels before ``add_pred_to_datasample``): all stages run
    (each needs the previous one's likelihoods), the last stage's soft-argmax
    gives the coordinates and its sigmas the scores; flip test averages
    coordinates (mirrored, ``shift_coords``) and sigmas as the head does.
    Heatmap logits are cast to fp32 before the soft-argmax, so a bf16
    autocast region never reaches the integral regression.
    """

    def __init__(self, model: nn.Module, flip_test: Optional[bool] = None):
        super().__init__(model, flip_test)
        decoder = self.head.decoder
        if decoder is None or not hasattr(decoder, 'input_size'):
            raise ValueError('the head needs a decoder (RegressionLabel) with input_size')
        self.register_buffer('input_size',
                             torch.tensor(decoder.input_size, dtype=torch.float32),
                             persistent=False)
        self.shift_coords = bool(self.test_cfg.get('shift_coords', True))

    def forward(self, inputs: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
        """Predict keypoints of normalised crops.

        Args:
            inputs (Tensor): Normalised crops, (B, 3, H, W), as the data
                preprocessor gives them.

        Returns:
            tuple:
            - keypoints (Tensor): (B, K, 2) in input-crop pixels.
            - scores (Tensor): (B, K), ``mean(1 - sigma)`` over x and y.
            - sigmas (Tensor): (B, K, 2), activated, normalised input units.
        """
        from ..models.heads.sequential_integral_head import soft_argmax
        batch = inputs.shape[0]
        x = self.features(inputs)[-1]
        prev = None
        for stage in self.head.stages:
            logits, raw_sigma = stage(x, prev)
            coords, prev = soft_argmax(at_least_fp32(logits))
        sigma = self.head.activate_sigma(at_least_fp32(raw_sigma))
        if self.flip_test:
            flipped = coords[batch:]
            shift = 1.0 / self.input_size[0] if self.shift_coords else 0.0
            flipped = torch.stack((1.0 - flipped[..., 0] - shift, flipped[..., 1]), dim=-1)
            coords = (coords[:batch] + flipped[:, self.flip_indices]) * 0.5
            sigma = 0.5 * (sigma[:batch] + sigma[batch:][:, self.flip_indices])
        keypoints = coords * self.input_size
        scores = (1.0 - sigma).mean(dim=-1)
        return keypoints, scores, sigma


class HeatmapPoseNet(_TopdownNet):
    """Inference graph of an MMPose ``HeatmapHead`` model (the baseline):
    normalised crops (B, 3, H, W) -> heatmaps (B, K, h, w), flip-averaged
    (``flip_mode='heatmap'``) as ``HeatmapHead.predict`` does. Decode with
    :func:`decode_heatmaps`."""

    def __init__(self, model: nn.Module, flip_test: Optional[bool] = None):
        super().__init__(model, flip_test)
        if self.flip_test and self.test_cfg.get('flip_mode', 'heatmap') != 'heatmap':
            raise ValueError('only flip_mode="heatmap" is supported')
        self.shift_heatmap = bool(self.test_cfg.get('shift_heatmap', False))

    def forward(self, inputs: Tensor) -> Tensor:
        batch = inputs.shape[0]
        heatmaps = at_least_fp32(self.head.forward(self.features(inputs)))
        if self.flip_test:
            flipped = heatmaps[batch:].flip(-1)[:, self.flip_indices]
            if self.shift_heatmap:
                flipped = torch.cat((flipped[..., :1], flipped[..., :-1]), dim=-1)
            heatmaps = (heatmaps[:batch] + flipped) * 0.5
        return heatmaps


def build_inference_net(model: nn.Module, flip_test: Optional[bool] = None) -> nn.Module:
    """The inference graph of a built top-down model, in eval mode.

    Args:
        model (nn.Module): ``TopdownPoseEstimator`` with a
            ``SequentialIntegralHead`` (-> :class:`IntegralPoseNet`) or an
            MMPose ``HeatmapHead`` (-> :class:`HeatmapPoseNet`). Its modules
            are shared, not copied.
        flip_test (bool, optional): Override the model's ``test_cfg``.

    Returns:
        nn.Module: The graph, in eval mode.
    """
    from mmpose.models.heads import HeatmapHead

    from ..models.heads.sequential_integral_head import SequentialIntegralHead
    if isinstance(model.head, SequentialIntegralHead):
        net = IntegralPoseNet(model, flip_test)
    elif isinstance(model.head, HeatmapHead):
        net = HeatmapPoseNet(model, flip_test)
    else:
        raise TypeError(f'no inference graph for {type(model.head).__name__}')
    return net.eval()


def decode_heatmaps(model: nn.Module, heatmaps: Union[Tensor, np.ndarray]
                    ) -> Tuple[np.ndarray, np.ndarray]:
    """Decode :class:`HeatmapPoseNet` outputs with the head's codec.

    Returns:
        tuple: keypoints (B, K, 2) in input-crop pixels and scores (B, K).
    """
    if isinstance(heatmaps, Tensor):
        heatmaps = heatmaps.detach().cpu().numpy()
    keypoints, scores = zip(*(model.head.decoder.decode(hm) for hm in heatmaps))
    return np.concatenate(keypoints), np.concatenate(scores)


def fuse_batchnorm_(module: nn.Module) -> int:
    """Fold eval-mode BatchNorm layers into the convolutions before them, in place.

    Folds (convolution or transposed convolution or linear layer, BatchNorm)
    pairs that are adjacent in an ``nn.Sequential``, and the ``conv<i>`` /
    ``norm<i>`` pairs of MMPose's ResNet stem and blocks (which apply the
    norm right after the convolution). The BatchNorm is replaced by
    ``nn.Identity``.

    Args:
        module (nn.Module): A model in eval mode.

    Returns:
        int: Number of folded BatchNorm layers.
    """
    if module.training:
        raise ValueError('fold BatchNorm only in eval mode (it uses the running statistics)')
    folded = 0
    for parent in list(module.modules()):
        if isinstance(parent, nn.Sequential):
            names = list(parent._modules)
            for first, second in zip(names, names[1:]):
                fused = _fuse_pair(parent._modules[first], parent._modules[second])
                if fused is not None:
                    parent._modules[first], parent._modules[second] = fused, nn.Identity()
                    folded += 1
        for i in range(1, 4):
            norm_name = getattr(parent, f'norm{i}_name', None)
            conv = getattr(parent, f'conv{i}', None)
            if isinstance(norm_name, str) and conv is not None:
                fused = _fuse_pair(conv, getattr(parent, norm_name))
                if fused is not None:
                    setattr(parent, f'conv{i}', fused)
                    setattr(parent, norm_name, nn.Identity())
                    folded += 1
    return folded


def _fuse_pair(layer: nn.Module, norm: nn.Module) -> Optional[nn.Module]:
    if not isinstance(norm, _NORMS) or not norm.track_running_stats or norm.training:
        return None
    if isinstance(layer, _CONVS):
        transposed = isinstance(layer, nn.modules.conv._ConvTransposeNd)
        return fuse_conv_bn_eval(layer, norm, transpose=transposed)
    if isinstance(layer, nn.Linear) and isinstance(norm, nn.BatchNorm1d):
        return fuse_linear_bn_eval(layer, norm)
    return None


class Fp32Module(nn.Module):
    """Runs a module in fp32 inside a bf16 autocast region (its input is cast
    up, its output stays fp32)."""

    def __init__(self, module: nn.Module):
        super().__init__()
        self.module = module

    def forward(self, x: Tensor) -> Tensor:
        with torch.autocast(x.device.type, enabled=False):
            return self.module(at_least_fp32(x))


def keep_output_layers_fp32_(net: nn.Module) -> int:
    """Wrap the layers that produce heatmap logits and sigmas in
    :class:`Fp32Module`, in place: bf16 rounding of logits of magnitude ~10
    (an absolute error ~0.04) would move soft-argmax peaks, while these 1x1
    layers cost ~2% of a stage. Returns the number of wrapped layers."""
    wrapped = 0
    if isinstance(net, IntegralPoseNet):
        for stage in net.head.stages:
            for branch in (stage.heatmap_branch, stage.sigma_branch):
                if not isinstance(branch[-1], Fp32Module):
                    branch[-1] = Fp32Module(branch[-1])
                    wrapped += 1
    elif isinstance(net, HeatmapPoseNet) and isinstance(
            getattr(net.head, 'final_layer', None), nn.Module):
        net.head.final_layer = Fp32Module(net.head.final_layer)
        wrapped += 1
    return wrapped


class FastInferenceNet(nn.Module):
    """An inference graph run with channels-last inputs and optional bf16
    autocast; outputs are fp32. Built by :func:`optimize_for_inference`."""

    def __init__(self, net: nn.Module, channels_last: bool, bf16: bool):
        super().__init__()
        self.net = net
        self.channels_last = channels_last
        self.bf16 = bf16

    def forward(self, inputs: Tensor):
        if self.channels_last:
            inputs = inputs.contiguous(memory_format=torch.channels_last)
        with torch.autocast(inputs.device.type, dtype=torch.bfloat16, enabled=self.bf16):
            outputs = self.net(inputs)
        if isinstance(outputs, Tensor):
            return outputs.float()
        return tuple(out.float() for out in outputs)


def optimize_for_inference(net: nn.Module,
                           fuse_bn: bool = True,
                           channels_last: bool = True,
                           bf16: Union[bool, str] = 'auto',
                           compile: bool = False) -> nn.Module:
    """The fast PyTorch path: an optimised copy of an inference graph.

    Args:
        net (nn.Module): From :func:`build_inference_net` (left unchanged).
        fuse_bn (bool): Fold BatchNorm into the convolutions
            (:func:`fuse_batchnorm_`); exact up to float rounding.
        channels_last (bool): NHWC memory format (oneDNN's native layout).
        bf16 (bool | str): bf16 autocast for convolutions and matrix products;
            the layers giving heatmap logits and sigmas
            (:func:`keep_output_layers_fp32_`) and the soft-argmax stay fp32.
            ``'auto'``: on CPUs with native bf16 (:func:`cpu_has_native_bf16`)
            and on CUDA, off elsewhere.
        compile (bool): ``torch.compile`` the result (needs a C++ compiler;
            the first call compiles for minutes on a small CPU).

    Returns:
        nn.Module: :class:`FastInferenceNet` (or its compiled version), in
        eval mode, with fp32 outputs. Its ``fast_settings`` attribute says
        what was applied.
    """
    device = next(net.parameters()).device
    if bf16 == 'auto':
        bf16 = device.type == 'cuda' or (device.type == 'cpu' and cpu_has_native_bf16())
    elif not isinstance(bf16, bool):
        raise ValueError(f"bf16 must be True, False or 'auto', got {bf16!r}")
    net = copy.deepcopy(net).eval()
    folded = fuse_batchnorm_(net) if fuse_bn else 0
    fp32_layers = keep_output_layers_fp32_(net) if bf16 else 0
    if channels_last:
        net = net.to(memory_format=torch.channels_last)
    fast: nn.Module = FastInferenceNet(net, channels_last, bf16).eval()
    settings = dict(fuse_bn=fuse_bn, folded_batchnorms=folded, channels_last=channels_last,
                    bf16=bf16, fp32_output_layers=fp32_layers, compile=compile)
    if compile:
        fast = torch.compile(fast)
    fast.fast_settings = settings
    return fast


@torch.no_grad()
def keypoint_difference(reference: nn.Module, candidate: nn.Module,
                        inputs: Sequence[Tensor]) -> Dict[str, float]:
    """Keypoint differences of two :class:`IntegralPoseNet`-like graphs.

    Args:
        reference (nn.Module): E.g. the eager fp32 graph.
        candidate (nn.Module): E.g. :func:`optimize_for_inference` of it.
        inputs (Sequence[Tensor]): Batches of normalised crops (B, 3, H, W).

    Returns:
        dict: ``max_px`` / ``mean_px``: largest and mean Euclidean distance
        of keypoints in input-crop pixels; ``max_score``: largest score
        difference.
    """
    dists, score_diffs = [], []
    for batch in inputs:
        ref_kpts, ref_scores = reference(batch)[:2]
        kpts, scores = candidate(batch)[:2]
        dists.append(torch.linalg.vector_norm(kpts.float() - ref_kpts.float(), dim=-1))
        score_diffs.append((scores.float() - ref_scores.float()).abs())
    dist, score_diff = torch.cat([d.flatten() for d in dists]), torch.cat(
        [s.flatten() for s in score_diffs])
    return dict(max_px=dist.max().item(), mean_px=dist.mean().item(),
                max_score=score_diff.max().item())


def _num_keypoints(head: nn.Module) -> int:
    for name in ('num_keypoints', 'out_channels', 'num_joints'):
        value = getattr(head, name, None)
        if isinstance(value, int):
            return value
    raise ValueError(f'cannot tell the number of keypoints of {type(head).__name__}')


__all__ = [
    'IntegralPoseNet', 'HeatmapPoseNet', 'build_inference_net', 'decode_heatmaps',
    'fuse_batchnorm_', 'cpu_has_native_bf16', 'Fp32Module', 'keep_output_layers_fp32_',
    'FastInferenceNet', 'optimize_for_inference',
    'keypoint_difference'
]

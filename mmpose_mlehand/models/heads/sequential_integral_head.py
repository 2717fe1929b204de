"""The paper's sequential heatmap model with integral regression (section III-A)."""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
import torch.nn.functional as F
from mmengine.model import BaseModule, ModuleList
from mmengine.structures import PixelData
from mmpose.evaluation.functional import keypoint_pck_accuracy
from mmpose.models.heads.base_head import BaseHead
from mmpose.models.utils.tta import flip_coordinates, flip_heatmaps
from mmpose.registry import KEYPOINT_CODECS, MODELS
from mmpose.utils.tensor_utils import to_numpy
from mmpose.utils.typing import ConfigType, OptConfigType, OptSampleList, Predictions
from torch import Tensor, nn

from ...utils.precision import outside_autocast
from ..losses import MLELoss

# What each stage's loss module is called with; see ``SequentialIntegralHead``.
LOSS_INPUTS = ('coords_and_sigmas', 'coords', 'heatmaps')


def soft_argmax(heatmap_logits: Tensor) -> Tuple[Tensor, Tensor]:
    """Integral regression (paper eq. 1): expectation of the softmax heatmap.

    Pixel ``(i, j)`` (column, row) of an (H, W) heatmap sits at the normalised
    input position ``(i / W, j / H)``, the units of MMPose's ``RegressionLabel``
    codec (heatmap stride = input size / heatmap size).

    Args:
        heatmap_logits (Tensor): Unnormalised heatmaps, (B, K, H, W).

    Returns:
        tuple:
        - coords (Tensor): (B, K, 2) expected (x, y), normalised input units.
        - likelihoods (Tensor): (B, K, H, W) softmax-normalised heatmaps, each
          summing to 1.
    """
    B, K, H, W = heatmap_logits.shape
    likelihoods = F.softmax(heatmap_logits.reshape(B, K, H * W), dim=-1).reshape(B, K, H, W)
    grid_x = torch.arange(W, dtype=likelihoods.dtype, device=likelihoods.device) / W
    grid_y = torch.arange(H, dtype=likelihoods.dtype, device=likelihoods.device) / H
    x = (likelihoods.sum(dim=2) * grid_x).sum(dim=-1)
    y = (likelihoods.sum(dim=3) * grid_y).sum(dim=-1)
    return torch.stack((x, y), dim=-1), likelihoods


class IntegralStage(BaseModule):
    """One stage: input balancing, heatmap branch and variance branch.

    Args:
        in_channels (int): Channels of the shared backbone features.
        num_keypoints (int): K.
        fuse_channels (int): Channels that the features (and the previous
            heatmaps) are reduced (lifted) to. Defaults to 256.
        deconv_channels (Sequence[int]): Output channels of the 4x4 stride-2
            deconvolutions; their number sets the heatmap stride relative to
            the features (3 -> 8x). Defaults to (256, 256, 256).
        sigma_hidden_channels (int): Width of the variance branch's hidden
            fully connected layer. Defaults to 256.
        takes_heatmaps (bool): Whether the stage also sees the previous
            stage's heatmaps (every stage but the first).
    """

    def __init__(self,
                 in_channels: int,
                 num_keypoints: int,
                 fuse_channels: int = 256,
                 deconv_channels: Sequence[int] = (256, 256, 256),
                 sigma_hidden_channels: int = 256,
                 takes_heatmaps: bool = False):
        super().__init__()
        self.num_keypoints = num_keypoints
        self.feature_reduce = _conv_bn_relu(in_channels, fuse_channels)
        self.heatmap_lift = (
            _conv_bn_relu(num_keypoints, fuse_channels) if takes_heatmaps else None)
        branch_in = fuse_channels * (2 if takes_heatmaps else 1)

        layers: List[nn.Module] = []
        channels = branch_in
        for out_channels in deconv_channels:
            layers += [
                nn.ConvTranspose2d(channels, out_channels, kernel_size=4, stride=2,
                                   padding=1, bias=False),
                nn.BatchNorm2d(out_channels),
                nn.ReLU(inplace=True)
            ]
            channels = out_channels
        layers.append(nn.Conv2d(channels, num_keypoints, kernel_size=1))
        self.heatmap_branch = nn.Sequential(*layers)

        self.sigma_branch = nn.Sequential(
            nn.AdaptiveAvgPool2d(1), nn.Flatten(),
            nn.Linear(branch_in, sigma_hidden_channels, bias=False),
            nn.BatchNorm1d(sigma_hidden_channels), nn.ReLU(inplace=True),
            nn.Linear(sigma_hidden_channels, 2 * num_keypoints))

    def init_weights(self) -> None:
        """Initialise this stage's own layers (never anything outside it).

        The heatmap branch gets :func:`init_soft_argmax_heatmaps`, the init of
        every soft-argmax head of this package (the Integral baseline's
        :class:`SoftArgmaxHead` too); its hidden layers are at PyTorch's
        default since construction. The sigma output starts small, so every
        sigma starts at activation(0).
        """
        sigma_out = self.sigma_branch[-1]
        init_soft_argmax_heatmaps(self.heatmap_branch[-1])
        nn.init.normal_(sigma_out.weight, std=0.001)
        nn.init.zeros_(sigma_out.bias)

    def forward(self, feats: Tensor, prev_likelihoods: Optional[Tensor] = None
                ) -> Tuple[Tensor, Tensor]:
        """Predict heatmap logits and raw sigmas.

        Args:
            feats (Tensor): Shared features, (B, C, h, w).
            prev_likelihoods (Tensor, optional): Previous stage's normalised
                heatmaps, (B, K, H, W); required iff the stage takes heatmaps.

        Returns:
            tuple: heatmap logits (B, K, H', W') with H' = h * 2**len(deconvs),
            and raw sigmas (B, K, 2).
        """
        x = self.feature_reduce(feats)
        if self.heatmap_lift is not None:
            h, w = feats.shape[-2:]
            # Average pooling to the feature size, rescaled so that a uniform
            # likelihood maps to 1 whatever the heatmap size.
            pooled = F.adaptive_avg_pool2d(prev_likelihoods, (h, w))
            pooled = pooled * prev_likelihoods.shape[-2] * prev_likelihoods.shape[-1]
            x = torch.cat((x, self.heatmap_lift(pooled)), dim=1)
        heatmap_logits = run_with_fp32_output(self.heatmap_branch, x)
        raw_sigma = run_with_fp32_output(self.sigma_branch, x)
        return heatmap_logits, raw_sigma.reshape(-1, self.num_keypoints, 2)


@MODELS.register_module()
class SequentialIntegralHead(BaseHead):
    """Sequential integral-regression head of "MLE-Loss Driven Robust Hand
    Pose Estimation" (IEEE Access 2024), section III-A.

    T stages share the backbone's last feature map. Stage 1 sees only those
    features; stage t > 1 sees them concatenated with stage t-1's heatmaps.
    Each stage predicts K heatmaps (coordinates by integral regression) and
    2K sigmas (x and y per keypoint). Inference uses the last stage only; no
    flow is run.

    The heatmaps handed to the next stage are the softmax-normalised
    likelihoods, not the logits: the logits are only defined up to a
    per-keypoint constant (the softmax ignores it), so their values carry no
    meaning the next stage could rely on, while the likelihood is exactly the
    distribution that stage's coordinates are the expectation of, with a fixed
    scale (it sums to 1). This is the paper's "likelihood heat-maps"; the next
    stage is therefore invariant to a constant shift of the previous logits.
    Gradients flow through them, so later stages also train earlier ones.

    Every stage gets its own loss module built from ``loss`` (for
    :class:`MLELoss` this means one independent RealNVP flow per stage). The
    loss returns one key per stage, ``loss_<name>_s0`` ... ``loss_<name>_s{T-1}``;
    MMEngine sums them (paper eq. 6). T ``MLELoss`` modules run as one batched
    computation (:meth:`MLELoss.forward_stages`, equal to calling each).

    Under bf16 autocast (``BF16AutocastOptimWrapper``) the layers that output
    heatmap logits and sigmas, the integral regression and the loss run in
    float32 (:func:`run_with_fp32_output`); the rest in bf16.

    Args:
        in_channels (int): Channels of the backbone's last feature map
            (2048 for ResNet-50).
        num_keypoints (int): K. Defaults to 21.
        num_stages (int): T. Defaults to 5.
        fuse_channels (int): See :class:`IntegralStage`. Defaults to 256.
        deconv_channels (Sequence[int]): See :class:`IntegralStage`.
        sigma_hidden_channels (int): See :class:`IntegralStage`.
        loss (dict): Config of one stage's loss; built ``num_stages`` times.
            Defaults to ``dict(type='MLELoss')``.
        loss_input (str): What each stage's loss module receives:
            ``'coords_and_sigmas'`` -> ``loss(coords, raw_sigmas, labels,
            weights)`` (:class:`MLELoss`); ``'coords'`` -> ``loss(coords,
            labels, weights)`` (e.g. ``L1Loss``, the Integral ablation);
            ``'heatmaps'`` -> ``loss(likelihoods, target_heatmaps, weights)``
            (e.g. ``KeypointMSELoss`` with the ``IntegralRegressionLabel``
            codec's normalised Gaussian targets, the heatmap-L2 ablation).
        loss_name (str): Name in the loss keys. Defaults to ``'mle'``.
        decoder (dict, optional): Codec config, normally ``RegressionLabel``.
        init_cfg (dict, optional): Extra init config. Layer-type configs are
            refused: they would also re-initialise the flows of the losses.
    """

    def __init__(self,
                 in_channels: int,
                 num_keypoints: int = 21,
                 num_stages: int = 5,
                 fuse_channels: int = 256,
                 deconv_channels: Sequence[int] = (256, 256, 256),
                 sigma_hidden_channels: int = 256,
                 loss: ConfigType = dict(type='MLELoss'),
                 loss_input: str = 'coords_and_sigmas',
                 loss_name: str = 'mle',
                 decoder: OptConfigType = None,
                 init_cfg: OptConfigType = None):
        _refuse_layer_init(init_cfg)
        super().__init__(init_cfg)
        if num_stages < 1:
            raise ValueError(f'num_stages must be >= 1, got {num_stages}')
        if loss_input not in LOSS_INPUTS:
            raise ValueError(f'loss_input must be one of {LOSS_INPUTS}, got {loss_input!r}')
        self.in_channels = in_channels
        self.num_keypoints = num_keypoints
        self.num_stages = num_stages
        self.loss_input = loss_input
        self.loss_name = loss_name
        self.decoder = KEYPOINT_CODECS.build(decoder) if decoder is not None else None

        self.stages = ModuleList([
            IntegralStage(in_channels, num_keypoints, fuse_channels, deconv_channels,
                          sigma_hidden_channels, takes_heatmaps=t > 0)
            for t in range(num_stages)
        ])
        # A plain nn.ModuleList: MMEngine's init_weights() does not descend
        # into it, so the flows keep RealNVP's own initialisation.
        self.loss_modules = nn.ModuleList([MODELS.build(loss) for _ in range(num_stages)])

    def forward(self, feats: Tuple[Tensor]) -> Dict[str, Tensor]:
        """Run all stages on the backbone's last feature map.

        Args:
            feats (Tuple[Tensor]): Backbone outputs; the last is used,
                (B, C, h, w).

        Returns:
            dict of stacked per-stage outputs (stage axis 1):
            - ``coords``: (B, T, K, 2) normalised (x, y);
            - ``raw_sigmas``: (B, T, K, 2) sigma before the loss's activation;
            - ``likelihoods``: (B, T, K, H, W) softmax-normalised heatmaps.
        """
        x = feats[-1]
        coords, raw_sigmas, likelihoods = [], [], []
        prev = None
        for stage in self.stages:
            logits, raw_sigma = stage(x, prev)
            stage_coords, prev = soft_argmax(logits)
            coords.append(stage_coords)
            raw_sigmas.append(raw_sigma)
            likelihoods.append(prev)
        return dict(
            coords=torch.stack(coords, dim=1),
            raw_sigmas=torch.stack(raw_sigmas, dim=1),
            likelihoods=torch.stack(likelihoods, dim=1))

    def activate_sigma(self, raw_sigma: Tensor) -> Tensor:
        """Sigmas of the last stage as its loss module defines them.

        Losses without a sigma (ablations) leave the variance branch untrained;
        sigmoid is used then and the keypoint scores carry no information.
        """
        last_loss = self.loss_modules[-1]
        if hasattr(last_loss, 'activate_sigma'):
            return last_loss.activate_sigma(raw_sigma)
        return raw_sigma.sigmoid()

    def predict(self,
                feats: Union[Tuple[Tensor], List[Tuple[Tensor]]],
                batch_data_samples: OptSampleList,
                test_cfg: ConfigType = {}) -> Predictions:
        """Predict keypoints from the last stage.

        Args:
            feats: Backbone outputs, or ``[feats, feats_of_flipped_image]``
                when ``test_cfg['flip_test']`` is True.
            batch_data_samples (list[PoseDataSample]): The batch's samples
                (their metainfo gives ``flip_indices`` and ``input_size``).
            test_cfg (dict): ``flip_test`` (bool), ``shift_coords`` (bool,
                default True), ``output_heatmaps`` (bool): also return the last
                stage's likelihoods, ``output_stages`` (bool): add
                ``stage_keypoints`` (1, T, K, 2), every stage's coordinates in
                *image* pixels, to each prediction.

        Returns:
            list[InstanceData] with ``keypoints`` (1, K, 2) in input-crop
            pixels (the pose estimator maps them to the image),
            ``keypoint_scores`` (1, K) = 1 - mean(sigma_x, sigma_y),
            ``keypoint_sigmas`` (1, K, 2), the last stage's sigma_x, sigma_y
            in units of the input size (as the loss models them), and with
            ``output_stages`` ``stage_keypoints`` (1, T, K, 2) in image pixels,
            mapped from the crop with the sample's ``input_center`` and
            ``input_scale`` exactly as MMPose's ``TopdownPoseEstimator`` maps
            ``keypoints`` (so ``stage_keypoints[:, -1]`` equals the final
            ``keypoints`` and a metric can score every stage); and a list of
            ``PixelData(heatmaps=(K, H, W))`` if ``output_heatmaps``.
        """
        if test_cfg.get('flip_test', False):
            if not (isinstance(feats, list) and len(feats) == 2):
                raise ValueError('flip_test expects feats = [feats, flipped_feats]')
            meta = batch_data_samples[0].metainfo
            flip_indices, input_size = meta['flip_indices'], meta['input_size']
            out, out_flip = self.forward(feats[0]), self.forward(feats[1])
            # Copies: flip_coordinates edits its input in place.
            coords_flip = torch.stack([
                flip_coordinates(out_flip['coords'][:, t].clone(), flip_indices=flip_indices,
                                 shift_coords=test_cfg.get('shift_coords', True),
                                 input_size=input_size)
                for t in range(self.num_stages)
            ], dim=1)
            coords = (out['coords'] + coords_flip) * 0.5
            sigma = 0.5 * (self.activate_sigma(out['raw_sigmas'][:, -1]) +
                           self.activate_sigma(out_flip['raw_sigmas'][:, -1])[:, flip_indices])
            heatmaps = 0.5 * (out['likelihoods'][:, -1] + flip_heatmaps(
                out_flip['likelihoods'][:, -1], flip_indices=flip_indices,
                flip_mode='heatmap', shift_heatmap=test_cfg.get('shift_heatmap', False)))
        else:
            out = self.forward(feats)
            coords = out['coords']
            sigma = self.activate_sigma(out['raw_sigmas'][:, -1])
            heatmaps = out['likelihoods'][:, -1]

        # (B, 1, K, 4): coordinates and sigmas; RegressionLabel scores 1 - sigma.
        preds = self.decode(torch.cat((coords[:, -1], sigma), dim=-1).unsqueeze(1))
        for pred, sample_sigma in zip(preds, to_numpy(sigma)):
            pred.keypoint_sigmas = sample_sigma[None]
        if test_cfg.get('output_stages', False):
            input_size = np.asarray(self.decoder.input_size, dtype=np.float64)
            for pred, stage_coords, sample in zip(preds, to_numpy(coords),
                                                  batch_data_samples):
                pred.stage_keypoints = crop_to_image(stage_coords * input_size,
                                                     sample.metainfo)[None]
        if test_cfg.get('output_heatmaps', False):
            return preds, [PixelData(heatmaps=hm) for hm in heatmaps.detach()]
        return preds

    def loss(self,
             feats: Tuple[Tensor],
             batch_data_samples: OptSampleList,
             train_cfg: ConfigType = {}) -> Dict[str, Tensor]:
        """Per-stage losses and the last stage's training accuracy.

        Returns:
            dict: ``loss_<loss_name>_s<t>`` for every stage t and ``acc_pose``
            (PCK@0.05 of the normalised coordinates, last stage, logged only).
        """
        out = self.forward(feats)
        labels = torch.cat([d.gt_instance_labels.keypoint_labels for d in batch_data_samples])
        weights = torch.cat([d.gt_instance_labels.keypoint_weights for d in batch_data_samples])
        if self.loss_input == 'heatmaps':
            target_heatmaps = torch.stack([d.gt_fields.heatmaps for d in batch_data_samples])

        losses = dict()
        if self.loss_input == 'coords_and_sigmas' and all(
                isinstance(m, MLELoss) for m in self.loss_modules):
            # The T flows as one batched computation (equal to the loop below).
            values = MLELoss.forward_stages(self.loss_modules, out['coords'],
                                            out['raw_sigmas'], labels, weights)
            for t, value in enumerate(values.unbind(0)):
                losses[f'loss_{self.loss_name}_s{t}'] = value
        else:
            for t, loss_module in enumerate(self.loss_modules):
                if self.loss_input == 'coords_and_sigmas':
                    value = loss_module(out['coords'][:, t], out['raw_sigmas'][:, t],
                                        labels, weights)
                elif self.loss_input == 'coords':
                    value = loss_module(out['coords'][:, t], labels, weights)
                else:
                    value = loss_module(out['likelihoods'][:, t], target_heatmaps, weights)
                losses[f'loss_{self.loss_name}_s{t}'] = value

        _, avg_acc, _ = keypoint_pck_accuracy(
            pred=to_numpy(out['coords'][:, -1]),
            gt=to_numpy(labels),
            mask=to_numpy(weights) > 0,
            thr=0.05,
            norm_factor=np.ones((labels.size(0), 2), dtype=np.float32))
        losses['acc_pose'] = torch.tensor(avg_acc, device=labels.device)
        return losses


def init_soft_argmax_heatmaps(final_conv: nn.Conv2d,
                              hidden_layers: Optional[nn.Module] = None) -> None:
    """The head initialisation every soft-argmax model here starts from.

    - the last heatmap convolution: Kaiming-normal weights (fan-in, ReLU
      gain), zero bias. The initial heatmaps then already have peaks: with
      MMPose's N(0, 0.001) for heatmap heads the softmax starts uniform, its
      soft-argmax barely moves, and integral regression learns several times
      slower from scratch;
    - every other (de)convolution and BatchNorm of the heatmap branch:
      PyTorch's default initialisation. ``hidden_layers`` are reset to it
      (for heads whose own init changed them, e.g. MMPose's ``HeatmapHead``
      inside ``IntegralRegressionHead``); without it they are left as they
      are (built with PyTorch's default).

    Args:
        final_conv (nn.Conv2d): The 1x1 convolution that outputs the K
            heatmap logits.
        hidden_layers (nn.Module, optional): The layers before it.
    """
    if hidden_layers is not None:
        for module in hidden_layers.modules():
            if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d, nn.BatchNorm2d)):
                module.reset_parameters()
    nn.init.kaiming_normal_(final_conv.weight, nonlinearity='relu')
    if final_conv.bias is not None:
        nn.init.zeros_(final_conv.bias)


def crop_to_image(keypoints: np.ndarray, metainfo: dict) -> np.ndarray:
    """Map input-crop pixels to image pixels as MMPose's top-down estimator
    does (``TopdownPoseEstimator.add_pred_to_datasample``).

    Args:
        keypoints (np.ndarray): (..., 2) coordinates in input-crop pixels.
        metainfo (dict): The sample's ``input_size`` (w, h), ``input_center``
            and ``input_scale`` (image pixels; (2,) or (1, 2)).

    Returns:
        np.ndarray: (..., 2) coordinates in image pixels.
    """
    missing = [k for k in ('input_size', 'input_center', 'input_scale') if k not in metainfo]
    if missing:
        raise KeyError(f'output_stages needs the metainfo {missing} of each data sample '
                       '(set by TopdownAffine)')
    size = np.asarray(metainfo['input_size'], dtype=np.float64).reshape(2)
    center = np.asarray(metainfo['input_center'], dtype=np.float64).reshape(2)
    scale = np.asarray(metainfo['input_scale'], dtype=np.float64).reshape(2)
    return keypoints / size * scale + center - 0.5 * scale


def run_with_fp32_output(layers: nn.Sequential, x: Tensor) -> Tensor:
    """``layers(x)``, with the last layer in float32 inside an autocast region.

    The last layers give heatmap logits and sigmas: bf16 rounding of logits of
    magnitude ~10 (an absolute error ~0.04) would move soft-argmax peaks, and
    sigmas enter a log-likelihood; these 1x1 layers cost ~2% of a stage.
    Outside autocast this is exactly ``layers(x)``.

    Args:
        layers (nn.Sequential): Hidden layers followed by the output layer.
        x (Tensor): Input of the first layer.

    Returns:
        Tensor: The output layer's result, float32 under autocast.
    """
    *hidden, output = layers
    for layer in hidden:
        x = layer(x)
    return _apply_outside_autocast(output, x)


@outside_autocast
def _apply_outside_autocast(layer: nn.Module, x: Tensor) -> Tensor:
    """``layer(x)``; in float32 when called inside an autocast region."""
    return layer(x)


def _conv_bn_relu(in_channels: int, out_channels: int) -> nn.Sequential:
    """1x1 convolution followed by BatchNorm and ReLU."""
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel_size=1, bias=False),
        nn.BatchNorm2d(out_channels), nn.ReLU(inplace=True))


def _refuse_layer_init(init_cfg: OptConfigType) -> None:
    """Reject init configs that would reach the loss modules' flows."""
    cfgs = init_cfg if isinstance(init_cfg, (list, tuple)) else [init_cfg]
    for cfg in cfgs:
        if cfg is not None and cfg.get('layer') is not None and cfg.get('type') != 'Pretrained':
            raise ValueError(
                'SequentialIntegralHead does not accept layer-type init_cfg '
                f'({cfg}): it would overwrite the RealNVP flows of the loss modules. '
                'Use override=dict(name=...) to initialise named sub-modules.')

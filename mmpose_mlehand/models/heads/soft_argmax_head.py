"""The Integral regression baseline's head, initialised like the method's."""
from mmpose.models.heads import IntegralRegressionHead
from mmpose.registry import MODELS

from .sequential_integral_head import init_soft_argmax_heatmaps


@MODELS.register_module()
class SoftArgmaxHead(IntegralRegressionHead):
    """MMPose's ``IntegralRegressionHead`` (SimpleBaseline deconvolutions, a
    1x1 convolution to K heatmaps, soft-argmax) with the head initialisation
    of every soft-argmax model of this package.

    ``IntegralRegressionHead`` initialises its inner ``HeatmapHead`` with
    N(0, 0.001) for every (de)convolution, after (and regardless of) its own
    ``init_cfg``, so no config can change it. From N(0, 0.001) the softmax
    starts uniform and soft-argmax learns several times slower from scratch,
    while the method's :class:`SequentialIntegralHead` starts from
    :func:`init_soft_argmax_heatmaps` (PyTorch's default for the
    deconvolutions and BatchNorms, Kaiming-normal last convolution). This
    head applies that same init, so the Integral baseline, the method and
    the loss ablations start alike. Everything else is
    ``IntegralRegressionHead``'s, with the same arguments and state-dict keys.
    """

    def init_weights(self) -> None:
        """``IntegralRegressionHead``'s init, then :func:`init_soft_argmax_heatmaps`
        on its heatmap layers."""
        super().init_weights()
        head = self.simplebaseline_head
        if head is None or head.final_layer is None:
            raise ValueError('SoftArgmaxHead needs deconvolution layers and a final '
                             'convolution (deconv_out_channels and final_layer)')
        # Resets every layer of the inner HeatmapHead (the final convolution
        # too, before its Kaiming init).
        init_soft_argmax_heatmaps(head.final_layer, hidden_layers=head)

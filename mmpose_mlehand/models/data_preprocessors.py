"""A data preprocessor that hands the network channels-last batches."""
import torch
from mmpose.models.data_preprocessors import PoseDataPreprocessor
from mmpose.registry import MODELS


@MODELS.register_module()
class ChannelsLastPoseDataPreprocessor(PoseDataPreprocessor):
    """MMPose's ``PoseDataPreprocessor`` with batches in channels-last memory.

    The values are the same (normalised images, (B, 3, H, W)); only their
    memory layout is NHWC, oneDNN's native layout on CPUs. Convolutions then
    keep their outputs channels-last through the whole network, which saves
    the layout conversions around every oneDNN convolution: about 10% of a
    training step of the method on the project's CPU (see README, Speed).
    The numbers change only by float rounding (other convolution kernels).
    Takes the same arguments as ``PoseDataPreprocessor``.
    """

    def forward(self, data: dict, training: bool = False) -> dict:
        """Preprocess as ``PoseDataPreprocessor`` and make the inputs channels-last.

        Returns:
            dict: ``inputs`` (B, 3, H, W), channels-last, and ``data_samples``.
        """
        data = super().forward(data, training)
        inputs = data['inputs']
        if isinstance(inputs, torch.Tensor) and inputs.dim() == 4:
            data['inputs'] = inputs.contiguous(memory_format=torch.channels_last)
        return data

# The paper's model: ResNet-50 -> SequentialIntegralHead (T=5) -> one MLELoss
# (RealNVP flow) per stage. Leaf configs set `model.head.decoder` to the dataset
# base's `codec` (RegressionLabel), so the input size is defined once. ImageNet
# weights: see backbones/resnet50.py.
_base_ = ['./heads/mlehand.py', './backbones/resnet50.py']

# Channels-last batches (ChannelsLastPoseDataPreprocessor, same values, NHWC
# memory): oneDNN's native layout, a cheaper training step on CPUs (README, Speed).
model = dict(
    data_preprocessor=dict(type='ChannelsLastPoseDataPreprocessor'),
    backbone=_base_.backbone,
    head=dict(in_channels=2048))

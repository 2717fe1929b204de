# The paper's model: ResNet-50 -> SequentialIntegralHead (T=5) -> one MLELoss
# (RealNVP flow) per stage. Leaf configs set `model.head.decoder` to the dataset
# base's `codec` (RegressionLabel), so the input size is defined once. ImageNet
# weights: see backbones/resnet50.py.
_base_ = ['./heads/mlehand.py', './backbones/resnet50.py']

model = dict(backbone=_base_.backbone, head=dict(in_channels=2048))

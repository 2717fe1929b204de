# The paper's model: ResNet-50 -> SequentialIntegralHead (T=5) -> one MLELoss
# (RealNVP flow) per stage. Leaf configs set `model.head.decoder` to the dataset
# base's `codec` (RegressionLabel), so input size is defined once.
#
# ImageNet weights: `torchvision://resnet50` is read from torch's hub cache
# (~/.cache/torch/hub/checkpoints/resnet50-*.pth) and downloaded only if missing.
# Offline, switch it off or point it at a local file with one override:
#   --cfg-options model.backbone.init_cfg=None
#   --cfg-options model.backbone.init_cfg.checkpoint=/path/to/resnet50.pth
model = dict(
    type='TopdownPoseEstimator',
    data_preprocessor=dict(
        type='PoseDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True),
    backbone=dict(
        type='ResNet',
        depth=50,
        init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet50')),
    head=dict(
        type='SequentialIntegralHead',
        in_channels=2048,
        num_keypoints=21,
        num_stages=5,
        loss=dict(type='MLELoss', sigma_activation='sigmoid', residual=False),
        loss_input='coords_and_sigmas',
        loss_name='mle'),
    test_cfg=dict(flip_test=True, shift_coords=True))

# Integral pose regression (Sun et al., ECCV 2018): ResNet-50 -> 3
# deconvolutions -> K heatmaps -> soft-argmax, plain L1 on the normalised
# coordinates, no heatmap loss. This is not MMPose's COCO "ipr" recipe
# (ipr_res50_*: DSNTHead with an extra heatmap loss, initialised from a
# heatmap-trained model). Leaf configs set the RegressionLabel codec.
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
        type='IntegralRegressionHead',
        in_channels=2048,
        # ResNet's stride-32 features of a 256x256 input; heatmaps are 8x that.
        in_featuremap_size=(8, 8),
        num_joints=21,
        loss=dict(type='L1Loss', use_target_weight=True)),
    test_cfg=dict(flip_test=True, shift_coords=True))

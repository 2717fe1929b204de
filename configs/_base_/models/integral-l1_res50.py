# Integral pose regression (Sun et al., ECCV 2018): ResNet-50 -> 3
# deconvolutions -> K heatmaps -> soft-argmax, plain L1 on the normalised
# coordinates, no heatmap loss. This is not MMPose's COCO "ipr" recipe
# (ipr_res50_*: DSNTHead with an extra heatmap loss, initialised from a
# heatmap-trained model). Leaf configs set the RegressionLabel codec.
#
# SoftArgmaxHead is MMPose's IntegralRegressionHead with the head init of the
# method and the ablations (PyTorch-default deconvolutions, Kaiming-normal last
# convolution) instead of HeatmapHead's N(0, 0.001), which no init_cfg can
# change: every soft-argmax model starts from the same head initialisation.
_base_ = ['./topdown.py', './backbones/resnet50.py']

model = dict(
    backbone=_base_.backbone,
    head=dict(
        type='SoftArgmaxHead',
        in_channels=2048,
        # ResNet's stride-32 features of a 256x256 input; heatmaps are 8x that.
        in_featuremap_size=(8, 8),
        num_joints=21,
        loss=dict(type='L1Loss', use_target_weight=True)),
    test_cfg=dict(flip_test=True, shift_coords=True))

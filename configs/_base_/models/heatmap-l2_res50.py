# Heatmap L2 baseline: SimpleBaseline, i.e. ResNet-50 -> 3 deconvolutions ->
# K heatmaps, MSE to Gaussian targets, argmax decoding. MMPose's hand recipes
# td-hm_res50_8xb64-100e_freihand2d-224x224 / td-hm_res50_8xb64-210e_rhd2d-256x256.
# Leaf configs set the codec (MSRAHeatmap, heatmap = input / 4, sigma 2) as
# `model.head.decoder` and in the train pipeline.
_base_ = ['./topdown.py', './backbones/resnet50.py']

model = dict(
    backbone=_base_.backbone,
    head=dict(
        type='HeatmapHead',
        in_channels=2048,
        out_channels=21,
        loss=dict(type='KeypointMSELoss', use_target_weight=True)),
    test_cfg=dict(flip_test=True, flip_mode='heatmap', shift_heatmap=True))

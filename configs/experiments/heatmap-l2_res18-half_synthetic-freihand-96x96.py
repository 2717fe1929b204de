# Heatmap L2 baseline (SimpleBaseline: deconvolutions -> K heatmaps, MSE to
# Gaussian targets, argmax decoding) at the CPU size of tools/run_experiments.py:
# the method's experiment config with the model and codec replaced. Two
# 32-channel deconvolutions -> 24x24 heatmaps; target sigma 1 heatmap px (4
# input px; the paper-sized configs use 2 px of 64, i.e. 1/32 of the crop).
_base_ = ['./mlehand_res18-half_synthetic-freihand-96x96.py']

codec = dict(
    type='MSRAHeatmap', input_size=_base_.input_size, heatmap_size=(24, 24), sigma=1)
train_pipeline = _base_.train_transforms + [
    dict(type='GenerateTarget', encoder=codec),
    dict(type='PackPoseInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))

model = dict(
    _delete_=True,
    type='TopdownPoseEstimator',
    data_preprocessor=_base_.model.data_preprocessor,
    backbone=_base_.backbone,
    head=dict(
        type='HeatmapHead',
        in_channels=128,
        out_channels=21,
        deconv_out_channels=(32, 32),
        deconv_kernel_sizes=(4, 4),
        loss=dict(type='KeypointMSELoss', use_target_weight=True),
        decoder=codec),
    test_cfg=dict(flip_test=False))

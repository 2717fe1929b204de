# Convolutional Pose Machines (6 stages, intermediate supervision, from scratch)
# at the CPU size of tools/run_experiments.py: the method's experiment config
# with the model and codec replaced. CPM's own backbone at 32 channels
# (MMPose's recipe: 128), heatmaps at stride 8 (12x12), target sigma 1 px.
_base_ = ['./mlehand_res18-half_synthetic-freihand-96x96.py']

codec = dict(
    type='MSRAHeatmap', input_size=_base_.input_size, heatmap_size=(12, 12), sigma=1)
train_pipeline = _base_.train_transforms + [
    dict(type='GenerateTarget', encoder=codec),
    dict(type='PackPoseInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))

model = dict(
    _delete_=True,
    type='TopdownPoseEstimator',
    data_preprocessor=_base_.model.data_preprocessor,
    backbone=dict(type='CPM', in_channels=3, out_channels=21, feat_channels=32,
                  num_stages=6),
    head=dict(
        type='CPMHead',
        in_channels=21,
        out_channels=21,
        num_stages=6,
        deconv_out_channels=None,
        final_layer=None,
        loss=dict(type='KeypointMSELoss', use_target_weight=True),
        decoder=codec),
    test_cfg=dict(flip_test=False))

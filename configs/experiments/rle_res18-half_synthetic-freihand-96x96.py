# RLE baseline (global average pooling -> fc to (x, y, sigma), RLELoss with its
# RealNVP flow) at the CPU size of tools/run_experiments.py: the method's
# experiment config with the model replaced (same backbone).
_base_ = ['./mlehand_res18-half_synthetic-freihand-96x96.py']

model = dict(
    _delete_=True,
    type='TopdownPoseEstimator',
    data_preprocessor=_base_.model.data_preprocessor,
    backbone=_base_.backbone,
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='RLEHead',
        in_channels=128,
        num_joints=21,
        loss=dict(type='RLELoss', use_target_weight=True),
        # By name: a layer-type init would overwrite the flow (configs/README.md).
        init_cfg=dict(type='Normal', std=0.01, bias=0, override=dict(name='fc')),
        decoder=_base_.codec),
    test_cfg=dict(flip_test=False))

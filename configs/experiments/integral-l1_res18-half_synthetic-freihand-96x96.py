# Integral regression baseline (Sun et al.: deconvolutions -> soft-argmax, L1 on
# the coordinates) at the CPU size of tools/run_experiments.py: the method's
# experiment config with the model replaced. Same backbone, a single head with
# the method's per-stage deconvolution widths (two 32-channel deconvolutions ->
# 24x24 heatmaps) and the same head initialisation (SoftArgmaxHead).
_base_ = ['./mlehand_res18-half_synthetic-freihand-96x96.py']

model = dict(
    _delete_=True,
    type='TopdownPoseEstimator',
    data_preprocessor=_base_.model.data_preprocessor,
    backbone=_base_.backbone,
    head=dict(
        type='SoftArgmaxHead',
        in_channels=128,
        in_featuremap_size=(6, 6),
        num_joints=21,
        deconv_out_channels=(32, 32),
        deconv_kernel_sizes=(4, 4),
        loss=dict(type='L1Loss', use_target_weight=True),
        decoder=_base_.codec),
    test_cfg=dict(flip_test=False))

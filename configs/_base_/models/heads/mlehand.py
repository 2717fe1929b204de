# The paper's head on MMPose's top-down estimator, without a backbone:
# SequentialIntegralHead (T=5) -> one MLELoss (RealNVP flow) per stage. Configs
# add a backbone base and set `model.head.in_channels` to its output channels
# and `model.head.decoder` to the dataset base's `codec` (RegressionLabel).
_base_ = ['../topdown.py']

model = dict(
    head=dict(
        type='SequentialIntegralHead',
        num_keypoints=21,
        num_stages=5,
        loss=dict(type='MLELoss', sigma_activation='sigmoid', residual=False),
        loss_input='coords_and_sigmas',
        loss_name='mle'),
    test_cfg=dict(flip_test=True, shift_coords=True))

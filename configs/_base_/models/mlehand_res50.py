# The paper's model: ResNet-50 -> SequentialIntegralHead (T=5) -> one MLELoss
# (RealNVP flow) per stage. Leaf configs set `model.head.decoder` to the dataset
# base's `codec` (RegressionLabel), so input size is defined once. ImageNet
# weights: see topdown_res50.py.
_base_ = ['./topdown_res50.py']

model = dict(
    head=dict(
        type='SequentialIntegralHead',
        in_channels=2048,
        num_keypoints=21,
        num_stages=5,
        loss=dict(type='MLELoss', sigma_activation='sigmoid', residual=False),
        loss_input='coords_and_sigmas',
        loss_name='mle'),
    test_cfg=dict(flip_test=True, shift_coords=True))

# RLE (Li et al., ICCV 2021): ResNet-50 -> global average pooling -> one fc
# layer giving (x, y, sigma_x, sigma_y) per keypoint; RLELoss with its RealNVP
# flow. MMPose's td-reg_res50_rle-8xb64-210e_coco-256x192 recipe. Leaf configs
# set the RegressionLabel codec.
_base_ = ['./topdown.py', './backbones/resnet50.py']

model = dict(
    backbone=_base_.backbone,
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='RLEHead',
        in_channels=2048,
        num_joints=21,
        loss=dict(type='RLELoss', use_target_weight=True),
        # RLEHead's default Normal(layer=['Linear']) also reaches the Linear
        # layers of the RealNVP flow inside the loss and overwrites its own
        # init; initialise the fc layer by name only.
        init_cfg=dict(type='Normal', std=0.01, bias=0, override=dict(name='fc'))),
    test_cfg=dict(flip_test=True, shift_coords=True))

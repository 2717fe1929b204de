# CPU-sized version of the paper's method for the quick start: synthetic hands in
# the FreiHAND layout (tools/make_synthetic_hands.py -> tools/convert_freihand.py),
# a half-width ResNet-18 (base_channels=32) from scratch, 96x96 input, the same
# SequentialIntegralHead (T=5, narrower) and MLELoss. `make quickstart` sets
# data_root and work_dir.
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/datasets/freihand.py',
    '../_base_/models/mlehand_res50.py',
]
data_root = 'data/synthetic_freihand/'
input_size = (96, 96)
codec = dict(type='RegressionLabel', input_size=input_size)

model = dict(
    backbone=dict(depth=18, base_channels=32, init_cfg=None),
    head=dict(in_channels=256, fuse_channels=32, deconv_channels=(32, 32, 32),
              sigma_hidden_channels=128, decoder=codec),
    test_cfg=dict(flip_test=False))

# Many samples seen few times: with 1,600 images seen 14 times the model
# overfits (val PCK stalls near 0.65 while the training loss keeps falling).
train_cfg = dict(by_epoch=True, max_epochs=3, val_interval=1)
val_cfg = dict()
test_cfg = dict()
optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-3))
param_scheduler = [
    dict(type='LinearLR', begin=0, end=50, start_factor=0.01, by_epoch=False),
    dict(type='MultiStepLR', begin=0, end=3, by_epoch=True, milestones=[2], gamma=0.1)
]
default_hooks = dict(
    checkpoint=dict(type='CheckpointHook', save_best='AUC', rule='greater', interval=1,
                    max_keep_ckpts=1),
    logger=dict(type='LoggerHook', interval=20))

train_transforms = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale', padding=0.8),
    dict(type='RandomFlip', direction='horizontal'),
    # The generator already draws every 3-D rotation: no extra rotation here.
    dict(type='RandomBBoxTransform', shift_factor=0.1, rotate_factor=0,
         scale_factor=(0.8, 1.2)),
    dict(type='TopdownAffine', input_size=input_size),
]
val_transforms = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale', padding=0.8),
    dict(type='TopdownAffine', input_size=input_size),
]
train_dataloader = dict(
    batch_size=16, num_workers=2, persistent_workers=True,
    dataset=dict(data_root=data_root, pipeline=train_transforms + [
        dict(type='GenerateTarget', encoder=codec),
        dict(type='PackPoseInputs')
    ]))
val_dataloader = dict(
    batch_size=64, num_workers=2, persistent_workers=True,
    dataset=dict(data_root=data_root, pipeline=val_transforms + [dict(type='PackPoseInputs')]))
test_dataloader = dict(
    batch_size=64, num_workers=2, persistent_workers=True,
    dataset=dict(data_root=data_root, pipeline=val_transforms + [dict(type='PackPoseInputs')]))

backbone = dict(
    base_channels=32,
    depth=18,
    dilations=(
        1,
        1,
        1,
    ),
    init_cfg=None,
    num_stages=3,
    out_indices=(2, ),
    strides=(
        1,
        2,
        2,
    ),
    type='ResNet')
backend_args = dict(backend='local')
bbox_padding = 1.25
codec = dict(
    input_size=(
        96,
        96,
    ), type='RegressionLabel')
custom_hooks = [
    dict(type='SyncBuffersHook'),
    dict(interval=1, type='CheckFiniteLossHook'),
    dict(type='ExactResumeHook'),
]
custom_imports = dict(
    allow_failed_imports=False, imports=[
        'mmpose_mlehand.plugin',
    ])
data_mode = 'topdown'
data_root = 'data/synthetic_freihand/'
dataset_type = 'CheckedCocoStyleDataset'
default_hooks = dict(
    badcase=dict(
        _scope_='mmpose',
        badcase_thr=5,
        enable=False,
        metric_type='loss',
        out_dir='badcase',
        type='BadCaseAnalysisHook'),
    checkpoint=dict(
        _scope_='mmpose',
        interval=1,
        max_keep_ckpts=1,
        rule='greater',
        save_best='frame-AUC',
        type='CheckpointHook'),
    logger=dict(_scope_='mmpose', interval=20, type='LoggerHook'),
    param_scheduler=dict(_scope_='mmpose', type='ParamSchedulerHook'),
    sampler_seed=dict(_scope_='mmpose', type='DistSamplerSeedHook'),
    timer=dict(_scope_='mmpose', type='IterTimerHook'),
    visualization=dict(
        _scope_='mmpose', enable=False, type='PoseVisualizationHook'))
default_scope = 'mmpose'
env_cfg = dict(
    cudnn_benchmark=False,
    dist_cfg=dict(backend='nccl'),
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0))
eval_ann_file = 'annotations/freihand_eval.json'
hand_whole_image_thr = 0.71
input_size = (
    96,
    96,
)
load_from = None
log_level = 'INFO'
log_processor = dict(
    _scope_='mmpose',
    by_epoch=True,
    num_digits=6,
    type='LogProcessor',
    window_size=50)
metainfo = dict(from_file='configs/_base_/datasets/freihand2d.py')
model = dict(
    backbone=dict(
        base_channels=64,
        depth=18,
        dilations=(
            1,
            1,
            1,
        ),
        init_cfg=None,
        num_stages=3,
        out_indices=(2, ),
        strides=(
            1,
            2,
            2,
        ),
        type='ResNet'),
    data_preprocessor=dict(
        bgr_to_rgb=True,
        mean=[
            123.675,
            116.28,
            103.53,
        ],
        std=[
            58.395,
            57.12,
            57.375,
        ],
        type='PoseDataPreprocessor'),
    head=dict(
        decoder=dict(input_size=(
            96,
            96,
        ), type='RegressionLabel'),
        deconv_channels=(
            64,
            64,
        ),
        fuse_channels=64,
        in_channels=256,
        loss=dict(residual=False, sigma_activation='sigmoid', type='MLELoss'),
        loss_input='coords_and_sigmas',
        loss_name='mle',
        num_keypoints=21,
        num_stages=5,
        sigma_hidden_channels=256,
        type='SequentialIntegralHead'),
    test_cfg=dict(
        flip_test=False, shift_coords=True, upright=dict(min_turn_deg=45.0)),
    type='UprightTopdownPoseEstimator')
optim_wrapper = dict(
    clip_grad=dict(max_norm=100.0, norm_type=2),
    optimizer=dict(fused=True, lr=0.002, type='Adam'))
param_scheduler = [
    dict(begin=0, by_epoch=False, end=100, start_factor=0.01, type='LinearLR'),
    dict(
        T_max=14,
        begin=0,
        by_epoch=True,
        convert_to_iter_based=True,
        end=14,
        eta_min=1e-05,
        type='CosineAnnealingLR'),
]
randomness = dict(seed=0)
resume = False
test_ann_file = 'annotations/freihand_test.json'
test_cfg = dict()
test_dataloader = dict(
    batch_size=64,
    dataset=dict(
        ann_file='annotations/freihand_test.json',
        data_mode='topdown',
        data_prefix=dict(img=''),
        data_root='data/synthetic_photo/',
        metainfo=dict(from_file='configs/_base_/datasets/freihand2d.py'),
        pipeline=[
            dict(type='LoadImage'),
            dict(padding=1.25, type='GetBBoxCenterScale'),
            dict(input_size=(
                96,
                96,
            ), type='TopdownAffine'),
            dict(type='PackPoseInputs'),
        ],
        test_mode=True,
        type='CheckedCocoStyleDataset'),
    drop_last=False,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(round_up=False, shuffle=False, type='DefaultSampler'))
test_evaluator = [
    dict(thr=0.2, type='HandPCK'),
    dict(type='HandNME'),
    dict(type='AUC'),
    dict(type='EPE'),
]
train_cfg = dict(by_epoch=True, max_epochs=14, val_interval=1)
train_dataloader = dict(
    batch_size=8,
    dataset=dict(
        ann_file='annotations/freihand_train.json',
        data_mode='topdown',
        data_prefix=dict(img=''),
        data_root='data/synthetic_photo/',
        metainfo=dict(from_file='configs/_base_/datasets/freihand2d.py'),
        pipeline=[
            dict(type='LoadImage'),
            dict(padding=1.25, type='GetBBoxCenterScale'),
            dict(direction='horizontal', type='RandomFlip'),
            dict(
                rotate_factor=15,
                rotate_prob=0.5,
                scale_factor=(
                    0.75,
                    1.6,
                ),
                shift_factor=0.1,
                type='RandomBBoxTransform'),
            dict(input_size=(
                96,
                96,
            ), type='TopdownAffine'),
            dict(
                encoder=dict(input_size=(
                    96,
                    96,
                ), type='RegressionLabel'),
                type='GenerateTarget'),
            dict(type='PackPoseInputs'),
        ],
        type='CheckedCocoStyleDataset'),
    drop_last=True,
    num_workers=2,
    persistent_workers=False,
    sampler=dict(shuffle=True, type='DefaultSampler'))
train_pipeline = [
    dict(type='LoadImage'),
    dict(padding=1.25, type='GetBBoxCenterScale'),
    dict(direction='horizontal', type='RandomFlip'),
    dict(
        rotate_factor=15,
        rotate_prob=0.5,
        scale_factor=(
            0.75,
            1.6,
        ),
        shift_factor=0.1,
        type='RandomBBoxTransform'),
    dict(input_size=(
        96,
        96,
    ), type='TopdownAffine'),
    dict(
        encoder=dict(input_size=(
            96,
            96,
        ), type='RegressionLabel'),
        type='GenerateTarget'),
    dict(type='PackPoseInputs'),
]
train_transforms = [
    dict(type='LoadImage'),
    dict(padding=1.25, type='GetBBoxCenterScale'),
    dict(direction='horizontal', type='RandomFlip'),
    dict(
        rotate_factor=15,
        rotate_prob=0.5,
        scale_factor=(
            0.75,
            1.6,
        ),
        shift_factor=0.1,
        type='RandomBBoxTransform'),
    dict(input_size=(
        96,
        96,
    ), type='TopdownAffine'),
]
val_cfg = dict()
val_dataloader = dict(
    batch_size=64,
    dataset=dict(
        ann_file='annotations/freihand_val.json',
        data_mode='topdown',
        data_prefix=dict(img=''),
        data_root='data/synthetic_photo/',
        metainfo=dict(from_file='configs/_base_/datasets/freihand2d.py'),
        pipeline=[
            dict(type='LoadImage'),
            dict(padding=1.25, type='GetBBoxCenterScale'),
            dict(input_size=(
                96,
                96,
            ), type='TopdownAffine'),
            dict(type='PackPoseInputs'),
        ],
        test_mode=True,
        type='CheckedCocoStyleDataset'),
    drop_last=False,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(round_up=False, shuffle=False, type='DefaultSampler'))
val_evaluator = [
    dict(thr=0.2, type='HandPCK'),
    dict(type='HandNME'),
    dict(type='AUC'),
    dict(type='EPE'),
]
val_pipeline = [
    dict(type='LoadImage'),
    dict(padding=1.25, type='GetBBoxCenterScale'),
    dict(input_size=(
        96,
        96,
    ), type='TopdownAffine'),
    dict(type='PackPoseInputs'),
]
val_transforms = [
    dict(type='LoadImage'),
    dict(padding=1.25, type='GetBBoxCenterScale'),
    dict(input_size=(
        96,
        96,
    ), type='TopdownAffine'),
]
vis_backends = [
    dict(_scope_='mmpose', type='LocalVisBackend'),
]
visualizer = dict(
    _scope_='mmpose',
    name='visualizer',
    type='PoseLocalVisualizer',
    vis_backends=[
        dict(type='LocalVisBackend'),
    ])
work_dir = 'work_dirs/bundled'

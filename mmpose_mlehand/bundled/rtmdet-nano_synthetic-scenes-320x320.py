auto_scale_lr = dict(base_batch_size=16, enable=False)
backend_args = None
base_lr = 0.002
checkpoint = 'https://download.openmmlab.com/mmdetection/v3.0/rtmdet/cspnext_rsb_pretrain/cspnext-tiny_imagenet_600e.pth'
colour_transforms = [
    dict(
        brightness_delta=32,
        contrast_range=(
            0.5,
            1.5,
        ),
        hue_delta=18,
        saturation_range=(
            0.5,
            1.5,
        ),
        type='PhotoMetricDistortion'),
    dict(keep_channels=True, prob=0.2, type='RandomGrayscale'),
]
custom_hooks = [
    dict(
        ema_type='ExpMomentumEMA',
        momentum=0.0002,
        priority=49,
        type='EMAHook',
        update_buffers=True),
    dict(interval=1, type='mmpose.CheckFiniteLossHook'),
    dict(type='mmpose.ExactResumeHook'),
]
custom_imports = dict(
    allow_failed_imports=False, imports=[
        'mmpose_mlehand.plugin',
    ])
data_root = 'data/hand_scenes/'
dataset_type = 'CocoDataset'
default_hooks = dict(
    checkpoint=dict(
        _scope_='mmdet',
        interval=1,
        max_keep_ckpts=2,
        rule='greater',
        save_best='coco/bbox_mAP',
        type='CheckpointHook'),
    logger=dict(_scope_='mmdet', interval=20, type='LoggerHook'),
    param_scheduler=dict(_scope_='mmdet', type='ParamSchedulerHook'),
    sampler_seed=dict(_scope_='mmdet', type='DistSamplerSeedHook'),
    timer=dict(_scope_='mmdet', type='IterTimerHook'),
    visualization=dict(_scope_='mmdet', type='DetVisualizationHook'))
default_scope = 'mmdet'
env_cfg = dict(
    cudnn_benchmark=False,
    dist_cfg=dict(backend='gloo'),
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0))
hand_fallback_thr = None
hand_score_thr = 0.44
img_scales = [
    (
        640,
        640,
    ),
    (
        320,
        320,
    ),
    (
        960,
        960,
    ),
]
input_size = (
    320,
    320,
)
interval = 10
load_from = None
log_level = 'INFO'
log_processor = dict(
    _scope_='mmdet', by_epoch=True, type='LogProcessor', window_size=50)
max_epochs = 5
metainfo = dict(
    classes=('hand', ), palette=[
        (
            220,
            20,
            60,
        ),
    ])
model = dict(
    _scope_='mmdet',
    backbone=dict(
        act_cfg=dict(inplace=True, type='SiLU'),
        arch='P5',
        channel_attention=True,
        deepen_factor=0.33,
        expand_ratio=0.5,
        init_cfg=None,
        norm_cfg=dict(type='BN'),
        type='CSPNeXt',
        use_depthwise=False,
        widen_factor=0.25),
    bbox_head=dict(
        act_cfg=dict(inplace=True, type='SiLU'),
        anchor_generator=dict(
            offset=0, strides=[
                8,
                16,
                32,
            ], type='MlvlPointGenerator'),
        bbox_coder=dict(type='DistancePointBBoxCoder'),
        exp_on_reg=False,
        feat_channels=64,
        in_channels=64,
        loss_bbox=dict(loss_weight=2.0, type='GIoULoss'),
        loss_cls=dict(
            beta=2.0,
            loss_weight=1.0,
            type='QualityFocalLoss',
            use_sigmoid=True),
        norm_cfg=dict(type='BN'),
        num_classes=1,
        pred_kernel_size=1,
        share_conv=False,
        stacked_convs=2,
        test_cfg=dict(
            max_per_img=20,
            min_bbox_size=0,
            nms=dict(iou_threshold=0.6, type='nms'),
            nms_pre=1000,
            score_thr=0.05),
        train_cfg=dict(
            allowed_border=-1,
            assigner=dict(topk=13, type='DynamicSoftLabelAssigner'),
            debug=False,
            pos_weight=-1),
        type='RTMDetSepBNHead',
        use_depthwise=False,
        with_objectness=False),
    data_preprocessor=dict(
        batch_augments=None,
        bgr_to_rgb=False,
        mean=[
            103.53,
            116.28,
            123.675,
        ],
        std=[
            57.375,
            57.12,
            58.395,
        ],
        type='DetDataPreprocessor'),
    neck=dict(
        act_cfg=dict(inplace=True, type='SiLU'),
        expand_ratio=0.5,
        in_channels=[
            64,
            128,
            256,
        ],
        norm_cfg=dict(type='BN'),
        num_csp_blocks=1,
        out_channels=64,
        type='CSPNeXtPAFPN',
        use_depthwise=False),
    test_cfg=dict(
        max_per_img=20,
        min_bbox_size=0,
        nms=dict(iou_threshold=0.6, type='nms'),
        nms_pre=1000,
        score_thr=0.05),
    train_cfg=dict(
        allowed_border=-1,
        assigner=dict(topk=13, type='DynamicSoftLabelAssigner'),
        debug=False,
        pos_weight=-1),
    type='RTMDet')
norm_cfg = dict(type='BN')
optim_wrapper = dict(
    _scope_='mmdet',
    optimizer=dict(lr=0.002, type='AdamW', weight_decay=0.05),
    paramwise_cfg=dict(
        bias_decay_mult=0, bypass_duplicate=True, norm_decay_mult=0),
    type='OptimWrapper')
param_scheduler = [
    dict(
        begin=0, by_epoch=False, end=300, start_factor=0.001, type='LinearLR'),
    dict(
        T_max=4,
        begin=0,
        by_epoch=True,
        convert_to_iter_based=True,
        end=4,
        eta_min=0.0001,
        type='CosineAnnealingLR'),
]
randomness = dict(seed=0)
resume = False
stage2_num_epochs = 20
test_cfg = dict(_scope_='mmdet', type='TestLoop')
test_dataloader = dict(
    batch_size=8,
    dataset=dict(
        _scope_='mmdet',
        ann_file='annotations/hand_scenes_test.json',
        backend_args=None,
        data_prefix=dict(img='images/test/'),
        data_root='data/hand_scenes/',
        filter_cfg=dict(filter_empty_gt=False, min_size=0),
        metainfo=dict(classes=('hand', ), palette=[
            (
                220,
                20,
                60,
            ),
        ]),
        pipeline=[
            dict(type='LoadImageFromFile'),
            dict(keep_ratio=True, scale=(
                320,
                320,
            ), type='Resize'),
            dict(
                pad_val=dict(img=(
                    114,
                    114,
                    114,
                )),
                size=(
                    320,
                    320,
                ),
                type='Pad'),
            dict(type='LoadAnnotations', with_bbox=True),
            dict(
                meta_keys=(
                    'img_id',
                    'img_path',
                    'ori_shape',
                    'img_shape',
                    'scale_factor',
                ),
                type='PackDetInputs'),
        ],
        test_mode=True,
        type='CocoDataset'),
    drop_last=False,
    num_workers=1,
    persistent_workers=False,
    sampler=dict(_scope_='mmdet', shuffle=False, type='DefaultSampler'))
test_evaluator = [
    dict(
        ann_file='data/hand_scenes/annotations/hand_scenes_test.json',
        metric='bbox',
        proposal_nums=(
            100,
            1,
            10,
        ),
        type='CocoMetric'),
    dict(iou_thr=0.5, score_thr=0.3, type='mmpose.HandBoxRecall'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(keep_ratio=True, scale=(
        320,
        320,
    ), type='Resize'),
    dict(pad_val=dict(img=(
        114,
        114,
        114,
    )), size=(
        320,
        320,
    ), type='Pad'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(
        meta_keys=(
            'img_id',
            'img_path',
            'ori_shape',
            'img_shape',
            'scale_factor',
        ),
        type='PackDetInputs'),
]
train_cfg = dict(max_epochs=4, type='EpochBasedTrainLoop', val_interval=1)
train_dataloader = dict(
    batch_sampler=None,
    batch_size=16,
    dataset=dict(
        _scope_='mmdet',
        ann_file='annotations/hand_scenes_train.json',
        backend_args=None,
        data_prefix=dict(img='images/train/'),
        data_root='data/hand_scenes/',
        filter_cfg=dict(filter_empty_gt=False, min_size=0),
        metainfo=dict(classes=('hand', ), palette=[
            (
                220,
                20,
                60,
            ),
        ]),
        pipeline=[
            dict(type='LoadImageFromFile'),
            dict(type='LoadAnnotations', with_bbox=True),
            dict(
                keep_ratio=True,
                ratio_range=(
                    0.5,
                    1.5,
                ),
                scale=(
                    320,
                    320,
                ),
                type='RandomResize'),
            dict(
                allow_negative_crop=True,
                crop_size=(
                    320,
                    320,
                ),
                type='RandomCrop'),
            dict(
                brightness_delta=32,
                contrast_range=(
                    0.5,
                    1.5,
                ),
                hue_delta=18,
                saturation_range=(
                    0.5,
                    1.5,
                ),
                type='PhotoMetricDistortion'),
            dict(keep_channels=True, prob=0.2, type='RandomGrayscale'),
            dict(prob=0.5, type='RandomFlip'),
            dict(
                pad_val=dict(img=(
                    114,
                    114,
                    114,
                )),
                size=(
                    320,
                    320,
                ),
                type='Pad'),
            dict(type='PackDetInputs'),
        ],
        test_mode=False,
        type='CocoDataset'),
    drop_last=True,
    num_workers=1,
    persistent_workers=False,
    pin_memory=False,
    sampler=dict(_scope_='mmdet', shuffle=True, type='DefaultSampler'))
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(
        keep_ratio=True,
        ratio_range=(
            0.5,
            1.5,
        ),
        scale=(
            320,
            320,
        ),
        type='RandomResize'),
    dict(allow_negative_crop=True, crop_size=(
        320,
        320,
    ), type='RandomCrop'),
    dict(
        brightness_delta=32,
        contrast_range=(
            0.5,
            1.5,
        ),
        hue_delta=18,
        saturation_range=(
            0.5,
            1.5,
        ),
        type='PhotoMetricDistortion'),
    dict(keep_channels=True, prob=0.2, type='RandomGrayscale'),
    dict(prob=0.5, type='RandomFlip'),
    dict(pad_val=dict(img=(
        114,
        114,
        114,
    )), size=(
        320,
        320,
    ), type='Pad'),
    dict(type='PackDetInputs'),
]
train_pipeline_stage2 = [
    dict(_scope_='mmdet', backend_args=None, type='LoadImageFromFile'),
    dict(_scope_='mmdet', type='LoadAnnotations', with_bbox=True),
    dict(
        _scope_='mmdet',
        keep_ratio=True,
        ratio_range=(
            0.5,
            2.0,
        ),
        scale=(
            640,
            640,
        ),
        type='RandomResize'),
    dict(_scope_='mmdet', crop_size=(
        640,
        640,
    ), type='RandomCrop'),
    dict(_scope_='mmdet', type='YOLOXHSVRandomAug'),
    dict(_scope_='mmdet', prob=0.5, type='RandomFlip'),
    dict(
        _scope_='mmdet',
        pad_val=dict(img=(
            114,
            114,
            114,
        )),
        size=(
            640,
            640,
        ),
        type='Pad'),
    dict(_scope_='mmdet', type='PackDetInputs'),
]
tta_model = dict(
    _scope_='mmdet',
    tta_cfg=dict(max_per_img=100, nms=dict(iou_threshold=0.6, type='nms')),
    type='DetTTAModel')
tta_pipeline = [
    dict(_scope_='mmdet', backend_args=None, type='LoadImageFromFile'),
    dict(
        _scope_='mmdet',
        transforms=[
            [
                dict(keep_ratio=True, scale=(
                    640,
                    640,
                ), type='Resize'),
                dict(keep_ratio=True, scale=(
                    320,
                    320,
                ), type='Resize'),
                dict(keep_ratio=True, scale=(
                    960,
                    960,
                ), type='Resize'),
            ],
            [
                dict(prob=1.0, type='RandomFlip'),
                dict(prob=0.0, type='RandomFlip'),
            ],
            [
                dict(
                    pad_val=dict(img=(
                        114,
                        114,
                        114,
                    )),
                    size=(
                        960,
                        960,
                    ),
                    type='Pad'),
            ],
            [
                dict(type='LoadAnnotations', with_bbox=True),
            ],
            [
                dict(
                    meta_keys=(
                        'img_id',
                        'img_path',
                        'ori_shape',
                        'img_shape',
                        'scale_factor',
                        'flip',
                        'flip_direction',
                    ),
                    type='PackDetInputs'),
            ],
        ],
        type='TestTimeAug'),
]
val_cfg = dict(_scope_='mmdet', type='ValLoop')
val_dataloader = dict(
    batch_size=8,
    dataset=dict(
        _scope_='mmdet',
        ann_file='annotations/hand_scenes_val.json',
        backend_args=None,
        data_prefix=dict(img='images/val/'),
        data_root='data/hand_scenes/',
        filter_cfg=dict(filter_empty_gt=False, min_size=0),
        metainfo=dict(classes=('hand', ), palette=[
            (
                220,
                20,
                60,
            ),
        ]),
        pipeline=[
            dict(type='LoadImageFromFile'),
            dict(keep_ratio=True, scale=(
                320,
                320,
            ), type='Resize'),
            dict(
                pad_val=dict(img=(
                    114,
                    114,
                    114,
                )),
                size=(
                    320,
                    320,
                ),
                type='Pad'),
            dict(type='LoadAnnotations', with_bbox=True),
            dict(
                meta_keys=(
                    'img_id',
                    'img_path',
                    'ori_shape',
                    'img_shape',
                    'scale_factor',
                ),
                type='PackDetInputs'),
        ],
        test_mode=True,
        type='CocoDataset'),
    drop_last=False,
    num_workers=1,
    persistent_workers=False,
    sampler=dict(_scope_='mmdet', shuffle=False, type='DefaultSampler'))
val_evaluator = [
    dict(
        ann_file='data/hand_scenes/annotations/hand_scenes_val.json',
        metric='bbox',
        proposal_nums=(
            100,
            1,
            10,
        ),
        type='CocoMetric'),
    dict(iou_thr=0.5, score_thr=0.3, type='mmpose.HandBoxRecall'),
]
vis_backends = [
    dict(_scope_='mmdet', type='LocalVisBackend'),
]
visualizer = dict(
    _scope_='mmdet',
    name='visualizer',
    type='DetLocalVisualizer',
    vis_backends=[
        dict(type='LocalVisBackend'),
    ])
warmup_iters = 300
work_dir = 'work_dirs/bundled'

# A hand detector trained from scratch on synthetic scenes only, on the CPU.
#
# RTMDet-nano, the architecture of MMPose's own hand detector
# (projects/rtmpose/rtmdet/hand/rtmdet_nano_320-8xb32_hand.py: CSPNeXt,
# deepen 0.33, widen 0.25, 320x320 input, one class), built from mmdet's
# registry on top of mmdet's RTMDet-tiny config. Why this one: it is the
# detector MMPose pairs with its hand models, it is among the smallest of
# mmdet's real-time detectors (a few hundred million multiply-adds per
# 320x320 frame), so that it trains on 2 CPU cores in the time stated in
# docs/bundled_models.md and adds little to each frame, and it exports to
# ONNX.
#
# Differences from MMPose's recipe, for training from scratch on a CPU:
# plain instead of depthwise convolutions (a training step of 16 images took
# 1.47 s against 2.0 s with depthwise ones on this 2-core CPU: at these
# widths the CPU kernels of depthwise convolutions are the slower ones), no
# ImageNet-pretrained backbone (no download: init_cfg=None), BatchNorm
# instead of SyncBN, no mosaic or mix-up (the scenes already vary the hand
# size from a few percent of the frame to most of it, and one image per
# sample keeps the 2 cores on the network), a budget of a few thousand
# updates with AdamW, and zero-hand scenes kept as negatives.
#
# Data: tools/make_hand_scenes.py (see tools/train_bundled_detector.py,
# `make bundled-detector`). Train on the training appearance family, select on
# the held-out family's val split, report on its test split.
_base_ = 'mmdet::rtmdet/rtmdet_tiny_8xb32-300e_coco.py'

custom_imports = dict(imports=['mmpose_mlehand.plugin'], allow_failed_imports=False)

input_size = (320, 320)
norm_cfg = dict(type='BN')
model = dict(
    backbone=dict(
        deepen_factor=0.33,
        widen_factor=0.25,
        use_depthwise=False,
        norm_cfg=norm_cfg,
        init_cfg=None),
    neck=dict(
        in_channels=[64, 128, 256],
        out_channels=64,
        num_csp_blocks=1,
        use_depthwise=False,
        norm_cfg=norm_cfg),
    bbox_head=dict(
        num_classes=1,
        in_channels=64,
        feat_channels=64,
        share_conv=False,
        exp_on_reg=False,
        use_depthwise=False,
        norm_cfg=norm_cfg),
    test_cfg=dict(
        nms_pre=1000,
        min_bbox_size=0,
        score_thr=0.05,
        nms=dict(type='nms', iou_threshold=0.6),
        max_per_img=20))

data_root = 'data/hand_scenes/'
metainfo = dict(classes=('hand', ), palette=[(220, 20, 60)])
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='RandomResize', scale=input_size, ratio_range=(0.5, 1.5), keep_ratio=True),
    # Crops that miss every hand are kept: they are negatives.
    dict(type='RandomCrop', crop_size=input_size, allow_negative_crop=True),
    dict(type='YOLOXHSVRandomAug'),
    dict(type='RandomFlip', prob=0.5),
    dict(type='Pad', size=input_size, pad_val=dict(img=(114, 114, 114))),
    dict(type='PackDetInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=input_size, keep_ratio=True),
    dict(type='Pad', size=input_size, pad_val=dict(img=(114, 114, 114))),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor')),
]


def _split(name, pipeline, test_mode):
    return dict(
        type='CocoDataset',
        data_root=data_root,
        metainfo=metainfo,
        ann_file=f'annotations/hand_scenes_{name}.json',
        data_prefix=dict(img=f'images/{name}/'),
        # Scenes without hands stay: the detector must learn to say nothing.
        filter_cfg=dict(filter_empty_gt=False, min_size=0),
        test_mode=test_mode,
        pipeline=pipeline)


train_dataloader = dict(
    batch_size=16,
    # No last batch of a few images: BatchNorm statistics of a tiny batch are noise.
    drop_last=True,
    num_workers=1,
    persistent_workers=False,
    pin_memory=False,
    batch_sampler=None,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=_split('train', train_pipeline, False))
val_dataloader = dict(
    batch_size=8,
    num_workers=1,
    persistent_workers=False,
    dataset=_split('val', test_pipeline, True))
test_dataloader = dict(
    batch_size=8,
    num_workers=1,
    persistent_workers=False,
    dataset=_split('test', test_pipeline, True))
val_evaluator = [
    dict(type='CocoMetric', ann_file=data_root + 'annotations/hand_scenes_val.json',
         metric='bbox', proposal_nums=(100, 1, 10)),
    dict(type='mmpose.HandBoxRecall', iou_thr=0.5, score_thr=0.3),
]
test_evaluator = [
    dict(type='CocoMetric', ann_file=data_root + 'annotations/hand_scenes_test.json',
         metric='bbox', proposal_nums=(100, 1, 10)),
    dict(type='mmpose.HandBoxRecall', iou_thr=0.5, score_thr=0.3),
]

max_epochs = 5
base_lr = 0.002
warmup_iters = 300
train_cfg = dict(_delete_=True, type='EpochBasedTrainLoop', max_epochs=max_epochs,
                 val_interval=1)
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=base_lr, weight_decay=0.05),
    paramwise_cfg=dict(norm_decay_mult=0, bias_decay_mult=0, bypass_duplicate=True))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=False, begin=0, end=warmup_iters),
    dict(type='CosineAnnealingLR', eta_min=base_lr * 0.05, begin=0, end=max_epochs,
         T_max=max_epochs, by_epoch=True, convert_to_iter_based=True),
]
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=20),
    checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=2,
                    save_best='coco/bbox_mAP', rule='greater'))
# mmdet's EMA of the weights (validated and saved in place of the raw ones)
# and the plugin's hooks (stop at a non-finite loss; exact resume).
custom_hooks = [
    dict(type='EMAHook', ema_type='ExpMomentumEMA', momentum=0.0002, update_buffers=True,
         priority=49),
    dict(type='mmpose.CheckFiniteLossHook', interval=1),
    dict(type='mmpose.ExactResumeHook'),
]
env_cfg = dict(dist_cfg=dict(backend='gloo'))
randomness = dict(seed=0)

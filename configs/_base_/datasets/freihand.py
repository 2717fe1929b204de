# FreiHAND as written by tools/convert_freihand.py into data/freihand/annotations/
# (8:1:1 split over unique samples: train / val for model selection / test).
# MMPose's FreiHandDataset always uses the whole 224x224 image as the hand box, so
# PCK@0.2 and NME are normalised by 224 px.
# MMPose's FreiHandDataset that refuses an annotation file with invalid labels
# (non-finite keypoints, visibility outside {0, 1, 2}, a keypoint count other
# than 21, a box of zero or negative size) before training: mmpose_mlehand/datasets/.
dataset_type = 'CheckedFreiHandDataset'
data_mode = 'topdown'
data_root = 'data/freihand/'
input_size = (256, 256)

# Target encoding of coordinate models (normalised keypoints). Configs with
# another codec build their train pipeline from `train_transforms` themselves.
codec = dict(type='RegressionLabel', input_size=input_size)

# MMPose's hand augmentation (td-hm_res50_8xb64-100e_freihand2d-224x224).
train_transforms = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale', padding=0.8),
    dict(type='RandomFlip', direction='horizontal'),
    dict(type='RandomBBoxTransform', shift_factor=0.25, rotate_factor=180,
         scale_factor=(0.7, 1.3)),
    dict(type='TopdownAffine', input_size=input_size),
]
val_transforms = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale', padding=0.8),
    dict(type='TopdownAffine', input_size=input_size),
]
train_pipeline = train_transforms + [
    dict(type='GenerateTarget', encoder=codec),
    dict(type='PackPoseInputs')
]
val_pipeline = val_transforms + [dict(type='PackPoseInputs')]

# drop_last: every process drops its last incomplete batch, so no training batch
# is smaller than batch_size; a batch of one would stop training (the head's
# variance branch ends in BatchNorm1d, which needs two samples in training).
# Workers are not persistent: each epoch's workers start from that epoch's seed
# (ExactResumeHook), so a resumed run draws the same augmentations.
train_dataloader = dict(
    batch_size=32,
    num_workers=4,
    persistent_workers=False,
    drop_last=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_mode=data_mode,
        ann_file='annotations/freihand_train.json',
        data_prefix=dict(img=''),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=32,
    num_workers=4,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_mode=data_mode,
        ann_file='annotations/freihand_val.json',
        data_prefix=dict(img=''),
        test_mode=True,
        pipeline=val_pipeline))
test_dataloader = dict(
    batch_size=32,
    num_workers=4,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_mode=data_mode,
        ann_file='annotations/freihand_test.json',
        data_prefix=dict(img=''),
        test_mode=True,
        pipeline=val_pipeline))

# PCK@0.2 and NME normalised by max(w, h) of the hand box (paper eq. 8-9);
# AUC of PCK over 0..30 px; EPE in px.
val_evaluator = [
    dict(type='PCKAccuracy', thr=0.2),
    dict(type='AUC'),
    dict(type='EPE'),
    dict(type='NME', norm_mode='use_norm_item', norm_item='bbox_size'),
]
test_evaluator = val_evaluator

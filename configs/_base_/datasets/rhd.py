# RHD as written by tools/convert_rhd.py into data/rhd/annotations/ (default
# `--protocol paper`: one instance per hand with >= 10 visible keypoints;
# rhd_val is carved from the official training set for model selection, rhd_test
# is the official evaluation set). PCK@0.2 and NME are normalised by max(w, h) of
# the annotation box (1.2x the keypoint extent).
# MMPose's Rhd2DDataset that refuses an annotation file with invalid labels
# (non-finite keypoints, visibility outside {0, 1, 2}, a keypoint count other
# than 21, a box of zero or negative size) before training: mmpose_mlehand/datasets/.
dataset_type = 'CheckedRhd2DDataset'
data_mode = 'topdown'
data_root = 'data/rhd/'
input_size = (256, 256)

# Target encoding of coordinate models (normalised keypoints). Configs with
# another codec build their train pipeline from `train_transforms` themselves.
codec = dict(type='RegressionLabel', input_size=input_size)

# MMPose's hand augmentation (td-hm_res50_8xb64-210e_rhd2d-256x256).
train_transforms = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomFlip', direction='horizontal'),
    dict(type='RandomBBoxTransform', rotate_factor=180, scale_factor=(0.7, 1.3)),
    dict(type='TopdownAffine', input_size=input_size),
]
val_transforms = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
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
        ann_file='annotations/rhd_train.json',
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
        ann_file='annotations/rhd_val.json',
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
        ann_file='annotations/rhd_test.json',
        data_prefix=dict(img=''),
        test_mode=True,
        pipeline=val_pipeline))

# The paper's measures normalised by max(w, h) of the hand box: per-keypoint
# PCK@0.2, per-frame PCK@0.2 (eq. 8) and frame-AUC (HandPCK), NME (eq. 9, with
# per-joint NME in its details); MMPose's AUC of PCK over 0..30 px and EPE in px.
val_evaluator = [
    dict(type='HandPCK', thr=0.2),
    dict(type='HandNME'),
    dict(type='AUC'),
    dict(type='EPE'),
]
test_evaluator = val_evaluator

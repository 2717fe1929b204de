# FreiHAND as written by tools/convert_freihand.py into data/freihand/annotations/
# (8:1:1 split over unique samples: train / val for model selection / test) and,
# when the official evaluation ground truth was converted, freihand_eval.json
# (3,960 images; the `*_freihand-eval*` configs test on it).
#
# Hand boxes, as in the paper: MMPose's FreiHandDataset replaces every box by the
# whole 224x224 image (PCK@0.2 would be a 45 px threshold for every hand).
# CheckedCocoStyleDataset (MMPose's BaseCocoStyleDataset that refuses invalid
# labels before training: mmpose_mlehand/datasets/) with FreiHAND's metainfo keeps
# the converter's boxes: the tight box of the hand mask for the training images,
# the keypoint extent x 1.2 for the evaluation images (they have no masks). The
# crop is that box x bbox_padding, and PCK / NME are normalised by max(w, h) of
# the hand box (paper eq. 8-9; every metric logs its box rule).
dataset_type = 'CheckedCocoStyleDataset'
metainfo = dict(from_file='configs/_base_/datasets/freihand2d.py')
data_mode = 'topdown'
data_root = 'data/freihand/'
input_size = (256, 256)
bbox_padding = 1.25
test_ann_file = 'annotations/freihand_test.json'
eval_ann_file = 'annotations/freihand_eval.json'

# Target encoding of coordinate models (normalised keypoints). Configs with
# another codec build their train pipeline from `train_transforms` themselves.
codec = dict(type='RegressionLabel', input_size=input_size)

# MMPose's hand augmentation (td-hm_res50_8xb64-100e_freihand2d-224x224) on the
# hand box (MMPose pads its whole-image box by 0.8).
train_transforms = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale', padding=bbox_padding),
    dict(type='RandomFlip', direction='horizontal'),
    dict(type='RandomBBoxTransform', shift_factor=0.25, rotate_factor=180,
         scale_factor=(0.7, 1.3)),
    dict(type='TopdownAffine', input_size=input_size),
]
val_transforms = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale', padding=bbox_padding),
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
        metainfo=metainfo,
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
        metainfo=metainfo,
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
        metainfo=metainfo,
        data_root=data_root,
        data_mode=data_mode,
        ann_file=test_ann_file,
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

# The method for tools/run_experiments.py: the quick start's CPU recipe
# (configs/quickstart/mlehand_res18-half_synthetic-freihand-96x96.py: half-width
# ResNet-18 cut after its third stage, T=5 SequentialIntegralHead with MLELoss,
# 96x96, batch 8, Adam 2e-3 with warm-up and cosine decay, 3 epochs) on crops
# of the converter's hand boxes, scored by the paper's metrics.
#
# Hand boxes: MMPose's FreiHandDataset replaces every box by the whole 224x224
# image; CheckedCocoStyleDataset (MMPose's BaseCocoStyleDataset with the labels
# checked before training) with FreiHAND's metainfo keeps the annotation
# file's boxes (tools/convert_freihand.py: tight box of the hand mask), so the
# crop is the hand box x 1.25 (MMPose's default padding; the mask box is
# ~136 px, the quick start's whole-image crop 179 px) and PCK / NME are
# normalised by max(w, h) of the hand box (paper eq. 8-9).
# The baselines and ablations of this folder inherit this file and replace the
# model only.
_base_ = ['../quickstart/mlehand_res18-half_synthetic-freihand-96x96.py']

dataset_type = 'CheckedCocoStyleDataset'
metainfo = dict(from_file='configs/_base_/datasets/freihand2d.py')
bbox_padding = 1.25

train_transforms = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale', padding=bbox_padding),
    # FreiHAND shows right hands only and the generator draws every in-plane
    # rotation: no flip, no extra rotation (as in the quick start).
    dict(type='RandomBBoxTransform', shift_factor=0.1, rotate_factor=0,
         scale_factor=(0.8, 1.2)),
    dict(type='TopdownAffine', input_size=_base_.input_size),
]
val_transforms = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale', padding=bbox_padding),
    dict(type='TopdownAffine', input_size=_base_.input_size),
]
train_pipeline = train_transforms + [
    dict(type='GenerateTarget', encoder=_base_.codec),
    dict(type='PackPoseInputs')
]
val_pipeline = val_transforms + [dict(type='PackPoseInputs')]

train_dataloader = dict(
    dataset=dict(type=dataset_type, metainfo=metainfo, pipeline=train_pipeline))
val_dataloader = dict(
    dataset=dict(type=dataset_type, metainfo=metainfo, pipeline=val_pipeline))
test_dataloader = dict(
    dataset=dict(type=dataset_type, metainfo=metainfo, pipeline=val_pipeline))

# The paper's measures, normalised by the hand box; AUC (0-30 px) and EPE (px)
# as in MMPose. The best checkpoint is chosen by frame-AUC on the validation
# split. run_experiments.py adds the stage-wise and uncertainty metrics at test
# time where the model has stages / sigmas.
val_evaluator = [
    dict(type='HandPCK', thr=0.2),
    dict(type='HandNME'),
    dict(type='AUC'),
    dict(type='EPE'),
]
test_evaluator = val_evaluator
default_hooks = dict(checkpoint=dict(save_best='frame-AUC', rule='greater'))

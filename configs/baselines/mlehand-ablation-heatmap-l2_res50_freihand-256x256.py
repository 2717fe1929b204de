# Loss ablation (a): the sequential integral model with heatmap L2 loss,
# FreiHAND, 256x256, the method's 120-epoch schedule, data and metrics.
# Deviations from MMPose's recipe: configs/README.md.
_base_ = [
    '../_base_/schedules/adam_120e.py',
    '../_base_/datasets/freihand.py',
    '../_base_/models/mlehand-ablation-heatmap-l2_res50.py',
]

# Targets: RegressionLabel plus normalised Gaussian heatmaps at the head's
# heatmap size (input / 4). Decoding stays RegressionLabel (_base_.codec):
# the head predicts coordinates.
codec = dict(
    type='IntegralRegressionLabel',
    input_size=_base_.input_size,
    heatmap_size=(64, 64),
    sigma=2,
    normalize=True)

# The codec is baked into the train pipeline at parse time: rebuild it.
train_pipeline = _base_.train_transforms + [
    dict(type='GenerateTarget', encoder=codec),
    dict(type='PackPoseInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))

model = dict(head=dict(decoder=_base_.codec))

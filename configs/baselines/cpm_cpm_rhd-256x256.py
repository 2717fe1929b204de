# Convolutional Pose Machines baseline (6 stages, from scratch),
# RHD, 256x256, the method's 120-epoch schedule, data and metrics.
# Deviations from MMPose's recipe: configs/README.md.
_base_ = [
    '../_base_/schedules/adam_120e.py',
    '../_base_/datasets/rhd.py',
    '../_base_/models/cpm.py',
]

# Gaussian heatmaps at input / 8, the CPM backbone's output stride.
codec = dict(
    type='MSRAHeatmap', input_size=_base_.input_size, heatmap_size=(32, 32), sigma=2)

# The codec is baked into the train pipeline at parse time: rebuild it.
train_pipeline = _base_.train_transforms + [
    dict(type='GenerateTarget', encoder=codec),
    dict(type='PackPoseInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))

model = dict(head=dict(decoder=codec))

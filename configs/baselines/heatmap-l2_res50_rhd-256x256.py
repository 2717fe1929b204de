# Heatmap L2 baseline (SimpleBaseline, ResNet-50),
# RHD, 256x256, the method's 120-epoch schedule, data and metrics.
# Deviations from MMPose's recipe: configs/README.md.
_base_ = [
    '../_base_/schedules/adam_120e.py',
    '../_base_/datasets/rhd.py',
    '../_base_/models/heatmap-l2_res50.py',
]

# Gaussian heatmaps at input / 4 (the head upsamples stride-32 features 8x).
codec = dict(
    type='MSRAHeatmap', input_size=_base_.input_size, heatmap_size=(64, 64), sigma=2)

# The codec is baked into the train pipeline at parse time: rebuild it.
train_pipeline = _base_.train_transforms + [
    dict(type='GenerateTarget', encoder=codec),
    dict(type='PackPoseInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))

model = dict(head=dict(decoder=codec))

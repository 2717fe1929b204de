# configs/baselines/heatmap-l2_res50_rhd-256x256.py on its recommended recipe (td-
# hm_res50_8xb64-210e_rhd2d-256x256): _base_/schedules/adam-warmup_210e.py instead of
# the shared 120-epoch schedule; data, model and metrics unchanged.
_base_ = [
    '../../_base_/schedules/adam-warmup_210e.py',
    '../../_base_/datasets/rhd.py',
    '../../_base_/models/heatmap-l2_res50.py',
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

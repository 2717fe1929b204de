# configs/baselines/cpm_cpm_rhd-256x256.py on its recommended recipe (td-
# hm_cpm_8xb64-210e_coco-256x192): _base_/schedules/adam-warmup_210e.py instead of the
# shared 120-epoch schedule; data, model and metrics unchanged.
_base_ = [
    '../../_base_/schedules/adam-warmup_210e.py',
    '../../_base_/datasets/rhd.py',
    '../../_base_/models/cpm.py',
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

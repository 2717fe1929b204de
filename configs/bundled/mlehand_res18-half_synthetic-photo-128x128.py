# The bundled recipe (mlehand_res18-half_synthetic-photo-96x96.py) at a 128x128
# input: the same network, features 8x8 instead of 6x6, heatmaps 32x32 instead
# of 24x24; about 1.8x the convolution work. One of the candidates measured for
# the bundled model's input size (docs/rendering_ablation.md, "Input size,
# width and precision").
_base_ = ['./mlehand_res18-half_synthetic-photo-96x96.py']

input_size = (128, 128)
codec = dict(type='RegressionLabel', input_size=input_size)
model = dict(head=dict(decoder=codec))

# The recipe's pipelines with the affine transform to the new size.
train_transforms = [
    dict(t, input_size=input_size) if t['type'] == 'TopdownAffine' else t
    for t in _base_.train_transforms
]
val_transforms = [
    dict(t, input_size=input_size) if t['type'] == 'TopdownAffine' else t
    for t in _base_.val_transforms
]
train_pipeline = train_transforms + [
    dict(type='GenerateTarget', encoder=codec),
    dict(type='PackPoseInputs')
]
val_pipeline = val_transforms + [dict(type='PackPoseInputs')]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = dict(dataset=dict(pipeline=val_pipeline))

# The bundled recipe (mlehand_res18-half_synthetic-photo-96x96.py) with twice
# the width throughout: a full-width ResNet-18 cut after its third stage
# (256-channel stride-16 features) and a head of twice the channels; about 4x
# the convolution work. The recipe of the default bundled model,
# `mlehand-synthetic-hand` (chosen by measurement: docs/rendering_ablation.md,
# "Input size, width and precision"); the half-width one is `-small`.
_base_ = ['./mlehand_res18-half_synthetic-photo-96x96.py']

model = dict(
    backbone=dict(base_channels=64),
    head=dict(in_channels=256, fuse_channels=64, deconv_channels=(64, 64),
              sigma_hidden_channels=256))

# Looser boxes: a detector's or a hand-drawn box is often wider than the
# keypoint extent x 1.2 of the training data (the real-photo protocol also
# tries x 1.7), so the box scale is drawn from 0.75-1.6 instead of 0.75-1.35;
# and 8 epochs instead of 6 (since raised to 14, below).
# Measured at this width against the 6-epoch 0.75-1.35 recipe, same data and
# seed (docs/rendering_ablation.md): held-out val frame-AUC 0.785 vs 0.763 with
# the usual boxes and 0.753 vs 0.707 with boxes x 1.7 / 1.2.
train_transforms = [
    dict(t, scale_factor=(0.75, 1.6)) if t['type'] == 'RandomBBoxTransform' else t
    for t in _base_.train_transforms
]
train_pipeline = train_transforms + _base_.train_pipeline[len(_base_.train_transforms):]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
# 14 epochs (28,000 updates, about 1 h 55 min here): with the training family
# in the photo-varied style (closed, turned and side-on hands; the bundled
# model's `style`) the 8 epochs above were not enough (held-out val frame-AUC
# 0.749 against 0.785 in the photo style); at 14 they were
# (docs/rendering_ablation.md, "Rule for a longer photo-varied run").
train_cfg = dict(max_epochs=14)
# The base's warm-up and cosine decay, the decay stretched to the 14 epochs.
param_scheduler = [
    _base_.param_scheduler[0],
    dict(_base_.param_scheduler[1], end=14, T_max=14),
]

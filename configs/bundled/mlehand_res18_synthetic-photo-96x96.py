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

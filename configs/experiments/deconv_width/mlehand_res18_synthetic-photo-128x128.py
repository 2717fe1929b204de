# CPU proxy of the paper's head for measuring its deconvolution widths: the
# bundled recipe at 128x128 (../../bundled/mlehand_res18-half_synthetic-photo-
# 128x128.py: photo-style data, held-out family selection) with the paper's
# structure scaled down only in the backbone: a full-width ResNet-18 with all
# four stages (stride-32, 512-channel features, 4x4 for 128x128), features
# reduced to 256 channels, three 4x4 stride-2 deconvolutions of 256 channels
# each to 32x32 heatmaps (stride 4, as the paper's 64x64 at 256x256). Compared
# with mlehand-narrow-head_res18_synthetic-photo-128x128.py by
# tools/measure_rendering.py (docs/measurements.md, "Narrower deconvolutions").
_base_ = ['../../bundled/mlehand_res18-half_synthetic-photo-128x128.py']

model = dict(
    backbone=dict(base_channels=64, num_stages=4, out_indices=(3, ), strides=(1, 2, 2, 2),
                  dilations=(1, 1, 1, 1)),
    head=dict(in_channels=512, fuse_channels=256, deconv_channels=(256, 256, 256),
              sigma_hidden_channels=256))

# The paper-structured CPU proxy (mlehand_res18_synthetic-photo-128x128.py) with
# the deconvolution widths of ../../mlehand_res50_freihand-narrow-head.py:
# 256 -> 128 -> 64 instead of 256 throughout.
_base_ = ['./mlehand_res18_synthetic-photo-128x128.py']

model = dict(head=dict(deconv_channels=(256, 128, 64)))

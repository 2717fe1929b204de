# The method (mlehand_res50_freihand.py) with narrower deconvolutions in every
# stage: 512 -> 256 -> 128 -> 64 channels on the way to the 64x64 heatmaps
# instead of 256 throughout. The paper fixes three 4x4 stride-2 deconvolutions
# that bring the channels to K (section III-A) but not their widths; 256 each
# (SimpleBaseline's, the default) makes the five stages 1.78x the heatmap
# baseline's multiply-adds, these widths 1.03x. A cheaper float32 training step
# and inference (README, "Speed"); its accuracy cost is measured on the CPU
# proxy in docs/measurements.md, "Narrower deconvolutions".
_base_ = ['./mlehand_res50_freihand.py']

model = dict(head=dict(deconv_channels=(256, 128, 64)))

# RLE baseline (ResNet-50, RealNVP flow),
# FreiHAND, 256x256, the method's 120-epoch schedule, data and metrics.
# Deviations from MMPose's recipe: configs/README.md.
_base_ = [
    '../_base_/schedules/adam_120e.py',
    '../_base_/datasets/freihand.py',
    '../_base_/models/rle_res50.py',
]

# Same RegressionLabel codec as the method: only the model differs.
model = dict(head=dict(decoder=_base_.codec))

# Integral pose regression baseline (Sun et al., L1), ResNet-50,
# RHD, 256x256, the method's 120-epoch schedule, data and metrics.
# Deviations from MMPose's recipe: configs/README.md.
_base_ = [
    '../_base_/schedules/adam_120e.py',
    '../_base_/datasets/rhd.py',
    '../_base_/models/integral-l1_res50.py',
]

# Same RegressionLabel codec as the method: only the model differs.
model = dict(head=dict(decoder=_base_.codec))

# Loss ablation (b): the sequential integral model with L1 (Integral) loss,
# RHD, 256x256, the method's 120-epoch schedule, data and metrics.
# Deviations from MMPose's recipe: configs/README.md.
_base_ = [
    '../_base_/schedules/adam_120e.py',
    '../_base_/datasets/rhd.py',
    '../_base_/models/mlehand-ablation-integral-l1_res50.py',
]

# Same RegressionLabel codec as the method: only the loss differs.
model = dict(head=dict(decoder=_base_.codec))

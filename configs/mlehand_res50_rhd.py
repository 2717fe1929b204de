# MLE-loss driven sequential integral model (the paper), RHD, 256x256.
#   mim train mmpose configs/mlehand_res50_rhd.py
_base_ = [
    './_base_/schedules/adam_120e.py',
    './_base_/datasets/rhd.py',
    './_base_/models/mlehand_res50.py',
]

model = dict(head=dict(decoder=_base_.codec))

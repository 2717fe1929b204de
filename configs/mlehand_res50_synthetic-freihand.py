# The method (configs/mlehand_res50_freihand.py) on synthetic hands in the
# FreiHAND layout, 256x256: the reference the synthetic baselines compare with.
_base_ = [
    './_base_/schedules/adam_120e.py',
    './_base_/datasets/synthetic_freihand.py',
    './_base_/models/mlehand_res50.py',
]

model = dict(head=dict(decoder=_base_.codec))
